import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApiKeysComponent } from './api-keys.component';
import type { ApiKeyView, RetentionStatus } from './api-keys-api.service';

const KEY: ApiKeyView = {
  id: 'k1',
  name: 'CRM sync',
  scopes: ['read', 'write'],
  last4: 'a1B2',
  created_at: '2026-11-30T12:00:00.000Z',
  created_by: { id: 'a1', name: 'Admin' },
  last_used_at: null,
  revoked_at: null,
};
const RETENTION: RetentionStatus = {
  retention_days: 90,
  next_run_at: '2026-12-02T03:00:00.000Z',
  would_delete: 12,
  batch_size: 500,
  last_run: null,
};

describe('ApiKeysComponent', () => {
  let fixture: ComponentFixture<ApiKeysComponent>;
  let backend: HttpTestingController;
  let el: HTMLElement;

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  async function start(keys: ApiKeyView[], retention: RetentionStatus): Promise<void> {
    TestBed.configureTestingModule({
      imports: [ApiKeysComponent],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ApiKeysComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    backend.expectOne('/api/admin/api-keys').flush(keys);
    backend.expectOne('/api/admin/retention').flush(retention);
    await settle();
  }

  afterEach(() => backend.verify());

  function fill(selector: string, value: string): void {
    const input = el.querySelector<HTMLInputElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  it('lists keys by their last four characters, never used, and the retention dry run', async () => {
    await start([KEY], RETENTION);
    const row = el.querySelector('tr[data-key-id="k1"]')!;
    expect(row.querySelector('.key-id')?.textContent?.trim()).toBe('sck_…a1B2');
    expect(row.querySelector('.last-used')?.textContent?.trim()).toBe('Never');
    expect(el.querySelector('.would-delete')?.textContent?.trim()).toBe('12 archived chats');
    expect(el.querySelector('.next-run')?.textContent?.trim()).toBe('Dec 2, 2026, 3:00 AM UTC');
  });

  it('says chats are kept forever without a policy', async () => {
    await start([], { ...RETENTION, retention_days: null, next_run_at: null, would_delete: null });
    expect(el.querySelector('.policy')?.textContent).toContain('kept forever');
    expect(el.querySelector('.would-delete')).toBeNull();
  });

  it('shows a new key once, until dismissed, and refuses a key without scopes before asking', async () => {
    await start([], RETENTION);
    fill('input[name=name]', 'Billing');
    el.querySelector<HTMLInputElement>('input[name=scope-read]')!.click();
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    await settle();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('at least one scope');

    el.querySelector<HTMLInputElement>('input[name=scope-privacy]')!.click();
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    const req = backend.expectOne('/api/admin/api-keys');
    expect(req.request.body).toEqual({ name: 'Billing', scopes: ['privacy'] });
    const secret = `sck_${'x'.repeat(39)}Zz99`;
    req.flush({
      api_key: { ...KEY, name: 'Billing', scopes: ['privacy'], last4: 'Zz99' },
      key: secret,
    });
    await settle();
    backend.expectOne('/api/admin/api-keys').flush([{ ...KEY, name: 'Billing', last4: 'Zz99' }]);
    await settle();
    fixture.detectChanges();
    expect(el.querySelector<HTMLInputElement>('input[name=new-key]')?.value).toBe(secret);
    el.querySelector<HTMLButtonElement>('.new-key .dismiss')!.click();
    await settle();
    expect(el.querySelector('input[name=new-key]')).toBeNull();
    expect(el.textContent).not.toContain(secret);
  });

  it('revokes a key after confirming', async () => {
    await start([KEY], RETENTION);
    el.querySelector<HTMLButtonElement>('tr[data-key-id="k1"] .row-actions button')!.click();
    await settle();
    el.querySelector<HTMLButtonElement>('tr[data-key-id="k1"] .danger-button')!.click();
    backend
      .expectOne('/api/admin/api-keys/k1/revoke')
      .flush({ ...KEY, revoked_at: '2026-12-01T10:00:00.000Z' });
    await settle();
    backend
      .expectOne('/api/admin/api-keys')
      .flush([{ ...KEY, revoked_at: '2026-12-01T10:00:00.000Z' }]);
    await settle();
    expect(el.querySelector('tr[data-key-id="k1"]')?.getAttribute('data-revoked')).toBe('true');
    expect(el.querySelector('[role=status]')?.textContent).toContain('revoked');
  });
});
