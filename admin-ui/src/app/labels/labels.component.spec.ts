import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { LabelsComponent } from './labels.component';

describe('LabelsComponent', () => {
  let fixture: ComponentFixture<LabelsComponent>;
  let backend: HttpTestingController;
  let el: HTMLElement;

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  beforeEach(async () => {
    TestBed.configureTestingModule({
      imports: [LabelsComponent],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(LabelsComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    backend
      .expectOne('/api/admin/labels')
      .flush([{ id: 'l1', name: 'Billing', color: '#d97706', chat_count: 3 }]);
    await settle();
  });

  afterEach(() => backend.verify());

  function fill(selector: string, value: string): void {
    const input = el.querySelector<HTMLInputElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  it('lists labels with their colour and count, and adds one', async () => {
    const row = el.querySelector('tr[data-label-id="l1"]')!;
    expect(row.querySelector('.label-name')?.textContent).toBe('Billing');
    expect(row.querySelector('.count')?.textContent).toBe('3');
    fill('input[name=name]', '  Bug ');
    fill('input[name=color]', '#dc2626');
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    await settle();
    const req = backend.expectOne({ method: 'POST', url: '/api/admin/labels' });
    expect(req.request.body).toEqual({ name: 'Bug', color: '#dc2626' });
    req.flush({ id: 'l2', name: 'Bug', color: '#dc2626', chat_count: 0 });
    await settle();
    backend.expectOne('/api/admin/labels').flush([
      { id: 'l1', name: 'Billing', color: '#d97706', chat_count: 3 },
      { id: 'l2', name: 'Bug', color: '#dc2626', chat_count: 0 },
    ]);
    await settle();
    expect(el.querySelectorAll('tr[data-label-id]')).toHaveLength(2);
    expect(el.querySelector('[role=status]')?.textContent).toContain('Bug');
  });

  it("shows the server's reason when a name is refused", async () => {
    fill('input[name=name]', 'billing');
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    await settle();
    backend
      .expectOne({ method: 'POST', url: '/api/admin/labels' })
      .flush(
        { statusCode: 409, message: 'A label with this name exists', error: 'Conflict' },
        { status: 409, statusText: 'Conflict' },
      );
    await settle();
    expect(el.querySelector('[role=alert]')?.textContent).toContain(
      'A label with this name exists.',
    );
  });

  it('renames and deletes after confirming', async () => {
    el.querySelector<HTMLButtonElement>('tr[data-label-id="l1"] .row-actions button')!.click();
    await settle();
    fill('input[name=edit-name]', 'Payments');
    el.querySelector<HTMLFormElement>('.inline-form')!.dispatchEvent(new Event('submit'));
    await settle();
    const patch = backend.expectOne({ method: 'PATCH', url: '/api/admin/labels/l1' });
    expect(patch.request.body).toEqual({ name: 'Payments', color: '#d97706' });
    patch.flush({ id: 'l1', name: 'Payments', color: '#d97706', chat_count: 3 });
    await settle();
    backend
      .expectOne('/api/admin/labels')
      .flush([{ id: 'l1', name: 'Payments', color: '#d97706', chat_count: 3 }]);
    await settle();
    const buttons = () => [
      ...el.querySelectorAll<HTMLButtonElement>('tr[data-label-id="l1"] .row-actions button'),
    ];
    buttons()[1].click();
    await settle();
    expect(el.querySelector('.row-actions')?.textContent).toContain('Delete “Payments”');
    el.querySelector<HTMLButtonElement>('.danger-button')!.click();
    await settle();
    backend.expectOne({ method: 'DELETE', url: '/api/admin/labels/l1' }).flush(null);
    await settle();
    backend.expectOne('/api/admin/labels').flush([]);
    await settle();
    expect(el.querySelector('.empty')?.textContent).toContain('No labels yet');
  });
});
