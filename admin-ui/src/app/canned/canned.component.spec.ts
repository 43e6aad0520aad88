import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { CannedComponent } from './canned.component';

const REPLY = {
  id: 'c1',
  title: 'Greeting',
  shortcut: '/hello',
  content: 'Hi {{user.name}}',
  created_at: '2024-01-29T12:00:00.000Z',
  updated_at: '2024-01-29T12:00:00.000Z',
};

describe('CannedComponent', () => {
  let fixture: ComponentFixture<CannedComponent>;
  let backend: HttpTestingController;
  let el: HTMLElement;

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [CannedComponent],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(CannedComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    backend.expectOne('/api/admin/canned').flush([REPLY]);
    await settle();
  });

  afterEach(() => backend.verify());

  function fill(selector: string, value: string): void {
    const input = el.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  it('lists replies as text, with their variables as written', () => {
    const row = el.querySelector('tr[data-canned-id="c1"]')!;
    expect(row.querySelector('.shortcut')?.textContent).toBe('/hello');
    expect(row.querySelector('.preview')?.textContent).toBe('Hi {{user.name}}');
  });

  it('adds a reply, refusing an incomplete one before asking the server', async () => {
    el.querySelector<HTMLButtonElement>('.new-reply')!.click();
    await settle();
    fill('input[name=title]', 'Hours');
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    await settle();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('needs a title, a shortcut');
    fill('input[name=shortcut]', 'hours');
    fill('textarea[name=content]', 'We answer from 9 to 5.');
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    await settle();
    const req = backend.expectOne({ method: 'POST', url: '/api/admin/canned' });
    expect(req.request.body).toEqual({
      title: 'Hours',
      shortcut: 'hours',
      content: 'We answer from 9 to 5.',
    });
    req.flush({ ...REPLY, id: 'c2', title: 'Hours', shortcut: '/hours' });
    await settle();
    backend.expectOne('/api/admin/canned').flush([REPLY]);
    await settle();
    expect(el.querySelector('.add-form')).toBeNull();
    expect(el.querySelector('[role=status]')?.textContent).toContain('Saved /hours');
  });

  it('edits and deletes a reply', async () => {
    el.querySelector<HTMLButtonElement>('tr[data-canned-id="c1"] .row-actions button')!.click();
    await settle();
    expect(el.querySelector<HTMLInputElement>('input[name=shortcut]')!.value).toBe('/hello');
    fill('input[name=title]', 'Welcome');
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    await settle();
    const patch = backend.expectOne({ method: 'PATCH', url: '/api/admin/canned/c1' });
    expect(patch.request.body).toMatchObject({ title: 'Welcome', shortcut: '/hello' });
    patch.flush({ ...REPLY, title: 'Welcome' });
    await settle();
    backend.expectOne('/api/admin/canned').flush([{ ...REPLY, title: 'Welcome' }]);
    await settle();
    const buttons = [
      ...el.querySelectorAll<HTMLButtonElement>('tr[data-canned-id="c1"] .row-actions button'),
    ];
    buttons[1].click();
    await settle();
    el.querySelector<HTMLButtonElement>('.danger-button')!.click();
    await settle();
    backend.expectOne({ method: 'DELETE', url: '/api/admin/canned/c1' }).flush(null);
    await settle();
    backend.expectOne('/api/admin/canned').flush([]);
    await settle();
    expect(el.querySelector('.empty')?.textContent).toContain('No canned replies yet');
  });
});
