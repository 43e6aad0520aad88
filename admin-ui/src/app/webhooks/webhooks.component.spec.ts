import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { WebhooksComponent } from './webhooks.component';
import type { WebhookDelivery, WebhookEndpointView } from './webhooks-api.service';

const ENDPOINT: WebhookEndpointView = {
  id: 'w1',
  url: 'https://crm.example.com/hooks',
  description: 'CRM sync',
  event_types: ['message.created'],
  include_private: false,
  enabled: true,
  disabled_reason: null,
  disabled_at: null,
  failing_since: null,
  rotation_ends_at: null,
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
};
const DELIVERY: WebhookDelivery = {
  id: 'd1',
  webhook_id: 'msg_d1',
  event_type: 'message.created',
  status: 'failed',
  attempts: 1,
  response_code: 400,
  latency_ms: 12,
  last_error: 'HTTP 400',
  last_attempt_at: '2026-12-01T10:00:01.000Z',
  next_attempt_at: null,
  created_at: '2026-12-01T10:00:00.000Z',
};

describe('WebhooksComponent', () => {
  let fixture: ComponentFixture<WebhooksComponent>;
  let backend: HttpTestingController;
  let el: HTMLElement;

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
    fixture.detectChanges();
  }

  async function start(endpoints: WebhookEndpointView[]): Promise<void> {
    TestBed.configureTestingModule({
      imports: [WebhooksComponent],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(WebhooksComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    backend.expectOne('/api/admin/webhooks').flush(endpoints);
    await settle();
  }

  afterEach(() => backend.verify());

  it('shows each endpoint’s status, and why a disabled one was disabled', async () => {
    await start([
      ENDPOINT,
      {
        ...ENDPOINT,
        id: 'w2',
        enabled: false,
        disabled_reason: 'Disabled automatically: every delivery failed for 72 h',
      },
    ]);
    expect(el.querySelector('tr[data-webhook-id="w1"]')?.getAttribute('data-status')).toBe(
      'Active',
    );
    const off = el.querySelector('tr[data-webhook-id="w2"]')!;
    expect(off.getAttribute('data-status')).toBe('Disabled');
    expect(off.querySelector('.reason')?.textContent).toContain('failed for 72 h');
    expect(off.querySelector('.toggle-enabled')?.textContent).toContain('Enable');
  });

  it('creates an endpoint with the chosen events and shows its secret once', async () => {
    await start([]);
    const url = el.querySelector<HTMLInputElement>('input[name=url]')!;
    url.value = 'https://crm.example.com/hooks';
    url.dispatchEvent(new Event('input'));
    el.querySelector<HTMLInputElement>('input[name="event-message.created"]')!.click();
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    await settle();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('at least one event');

    el.querySelector<HTMLInputElement>('input[name="event-chat.archived"]')!.click();
    el.querySelector<HTMLInputElement>('input[name=include-private]')!.click();
    el.querySelector<HTMLFormElement>('.add-form')!.dispatchEvent(new Event('submit'));
    const req = backend.expectOne({ method: 'POST', url: '/api/admin/webhooks' });
    expect(req.request.body).toEqual({
      url: 'https://crm.example.com/hooks',
      event_types: ['chat.archived'],
      include_private: true,
    });
    const secret = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';
    req.flush({ endpoint: ENDPOINT, secret });
    await settle();
    backend.expectOne('/api/admin/webhooks').flush([ENDPOINT]);
    await settle();
    expect(el.querySelector<HTMLInputElement>('input[name=new-secret]')?.value).toBe(secret);
    el.querySelector<HTMLButtonElement>('.new-secret .dismiss')!.click();
    await settle();
    expect(el.querySelector('input[name=new-secret]')).toBeNull();
  });

  it('edits an endpoint: checked as when adding, the server’s reason shown, only changes sent', async () => {
    await start([ENDPOINT]);
    const row = () => el.querySelector('tr[data-webhook-id="w1"]')!;
    const form = () => row().querySelector<HTMLFormElement>('app-webhook-form form');
    const field = (name: string) =>
      form()!.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
    const type = (name: string, value: string) => {
      field(name).value = value;
      field(name).dispatchEvent(new Event('input'));
    };
    const submit = async () => {
      form()!.dispatchEvent(new Event('submit'));
      await settle();
    };

    row().querySelector<HTMLButtonElement>('button.edit')!.click();
    await settle();
    expect(form()?.querySelector('h2')?.textContent).toContain(
      'Edit https://crm.example.com/hooks',
    );
    expect(document.activeElement).toBe(field('url'));
    expect(field('url').value).toBe('https://crm.example.com/hooks');
    expect(field('description').value).toBe('CRM sync');
    expect(field('event-message.created').checked).toBe(true);
    expect(field('include-private').checked).toBe(false);

    // The same check as adding: no request without an event.
    field('event-message.created').click();
    await submit();
    expect(form()!.querySelector('[role=alert]')?.textContent).toContain('at least one event');

    // The server's reason for a refused address, in the form, which stays as typed.
    field('event-chat.archived').click();
    type('url', 'https://intranet.example.com/hooks');
    await submit();
    const refused = backend.expectOne({ method: 'PATCH', url: '/api/admin/webhooks/w1' });
    expect(refused.request.body).toEqual({
      url: 'https://intranet.example.com/hooks',
      event_types: ['chat.archived'],
    });
    refused.flush(
      {
        statusCode: 400,
        message:
          'intranet.example.com resolves to 10.0.0.5, a private address; webhooks go to public addresses only',
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle();
    expect(form()!.querySelector('[role=alert]')?.textContent?.trim()).toBe(
      'intranet.example.com resolves to 10.0.0.5, a private address; webhooks go to public addresses only.',
    );
    expect(field('url').value).toBe('https://intranet.example.com/hooks');

    type('url', 'https://crm2.example.com/hooks');
    type('description', '');
    await submit();
    const saved = backend.expectOne({ method: 'PATCH', url: '/api/admin/webhooks/w1' });
    expect(saved.request.body).toEqual({
      url: 'https://crm2.example.com/hooks',
      event_types: ['chat.archived'],
      description: '',
    });
    const after = {
      ...ENDPOINT,
      url: 'https://crm2.example.com/hooks',
      event_types: ['chat.archived' as const],
      description: null,
    };
    saved.flush(after);
    await settle();
    backend.expectOne('/api/admin/webhooks').flush([after]);
    await settle();
    expect(form()).toBeNull();
    expect(row().querySelector('.url')?.textContent).toBe('https://crm2.example.com/hooks');
    expect(Array.from(row().querySelectorAll('.event')).map((e) => e.textContent)).toEqual([
      'chat.archived',
    ]);
    expect(el.querySelector('.notice')?.textContent).toBe('https://crm2.example.com/hooks saved.');
    expect(document.activeElement).toBe(row().querySelector('button.edit'));

    // Escape leaves an edit unsaved, as does a save with nothing changed.
    row().querySelector<HTMLButtonElement>('button.edit')!.click();
    await settle();
    type('url', 'https://elsewhere.example.com/');
    field('url').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle();
    expect(form()).toBeNull();
    expect(document.activeElement).toBe(row().querySelector('button.edit'));
    row().querySelector<HTMLButtonElement>('button.edit')!.click();
    await settle();
    expect(field('url').value).toBe('https://crm2.example.com/hooks');
    await submit();
    expect(form()).toBeNull();
  });

  it('opens an endpoint’s deliveries and resends a failed one', async () => {
    await start([ENDPOINT]);
    const toggle = el.querySelector<HTMLButtonElement>('.deliveries-toggle')!;
    toggle.click();
    backend
      .expectOne('/api/admin/webhooks/w1/deliveries?limit=25')
      .flush({ items: [DELIVERY], next_cursor: null });
    await settle();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const row = el.querySelector('tr[data-delivery-id="d1"]')!;
    expect(row.querySelector('.code')?.textContent?.trim()).toBe('400');
    expect(row.querySelector('.latency')?.textContent?.trim()).toBe('12 ms');
    row.querySelector<HTMLButtonElement>('.resend')!.click();
    backend
      .expectOne({ method: 'POST', url: '/api/admin/webhooks/w1/deliveries/d1/resend' })
      .flush({ ...DELIVERY, status: 'pending' });
    await settle();
    backend.expectOne('/api/admin/webhooks').flush([ENDPOINT]);
    await settle();
    backend
      .expectOne('/api/admin/webhooks/w1/deliveries?limit=25')
      .flush({ items: [{ ...DELIVERY, status: 'pending' }], next_cursor: null });
    await settle();
    expect(el.querySelector('tr[data-delivery-id="d1"]')?.getAttribute('data-status')).toBe(
      'pending',
    );
    expect(el.querySelector('tr[data-delivery-id="d1"] .resend')).toBeNull();
  });
});
