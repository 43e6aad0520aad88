import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  inject,
  signal,
  viewChild,
  type WritableSignal,
} from '@angular/core';
import { Observable, firstValueFrom, map } from 'rxjs';
import { errorMessage } from '../core/http-error';
import { runChange } from '../core/run-change';
import { EVENT_TYPES, WebhookDraft, WebhookFormComponent } from './webhook-form.component';
import {
  NewWebhook,
  WebhookDelivery,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhooksApi,
} from './webhooks-api.service';

const NEW_DRAFT: WebhookDraft = {
  url: '',
  description: '',
  types: new Set(['message.created']),
  includePrivate: false,
};

const DATE_TIME = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

/**
 * Admins register webhook endpoints (the secret shown once), choose their events and whether
 * notes go out, change them later, rotate secrets, and look at each endpoint's recent
 * deliveries, resending one.
 */
@Component({
  selector: 'app-webhooks',
  imports: [WebhookFormComponent],
  templateUrl: './webhooks.component.html',
  styleUrls: ['../core/page-frame.css', '../labels/admin-page.css', './webhooks.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WebhooksComponent {
  private readonly api = inject(WebhooksApi);
  private readonly injector = inject(Injector);
  private readonly host: ElementRef<HTMLElement> = inject(ElementRef);
  private readonly editForm = viewChild('editForm', { read: WebhookFormComponent });

  protected readonly endpoints = signal<WebhookEndpointView[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly newDraft = signal<WebhookDraft>(NEW_DRAFT);
  protected readonly newError = signal<string | null>(null);
  /** The endpoint being edited, and the form's fields as they stand. */
  protected readonly editing = signal<{ id: string; draft: WebhookDraft } | null>(null);
  protected readonly editError = signal<string | null>(null);
  /** A secret just made (new endpoint or rotation): shown until dismissed, never again. */
  protected readonly secret = signal<{ url: string; secret: string; rotated: boolean } | null>(
    null,
  );
  protected readonly copied = signal(false);
  /** `rotate:<id>` or `delete:<id>` while the admin confirms. */
  protected readonly confirming = signal<string | null>(null);
  /** The endpoint whose deliveries are open, and them. */
  protected readonly open = signal<string | null>(null);
  protected readonly deliveries = signal<WebhookDelivery[] | null>(null);
  protected readonly openEndpoint = computed(
    () => this.endpoints()?.find((e) => e.id === this.open()) ?? null,
  );

  constructor() {
    void this.reload();
  }

  protected dateTime(iso: string | null): string {
    return iso ? `${DATE_TIME.format(new Date(iso))} UTC` : '';
  }

  protected status(endpoint: WebhookEndpointView): string {
    if (!endpoint.enabled) return 'Disabled';
    return endpoint.failing_since ? 'Failing' : 'Active';
  }

  protected async create(): Promise<void> {
    const request = this.checked(this.newDraft(), this.newError);
    if (!request) return;
    const made = await this.run(
      () => this.api.create(request),
      'Could not add the endpoint.',
      this.newError,
    );
    if (made) {
      this.showSecret(made, false);
      // The events and the notes setting stay, for a similar endpoint next.
      this.newDraft.update((d) => ({ ...d, url: '', description: '' }));
    }
  }

  protected edit(endpoint: WebhookEndpointView): void {
    this.confirming.set(null);
    this.editError.set(null);
    this.editing.set({
      id: endpoint.id,
      draft: {
        url: endpoint.url,
        description: endpoint.description ?? '',
        types: new Set(endpoint.event_types),
        includePrivate: endpoint.include_private,
      },
    });
    afterNextRender(() => this.editForm()?.focus(), { injector: this.injector });
  }

  protected setEditDraft(draft: WebhookDraft): void {
    this.editing.update((e) => (e ? { ...e, draft } : e));
  }

  protected stopEditing(): void {
    const id = this.editing()?.id;
    this.editing.set(null);
    if (id) this.focusRowAction(id, 'button.edit');
  }

  /** Sends what changed (an unchanged URL is not checked again) and closes the form. */
  protected async saveEdit(endpoint: WebhookEndpointView): Promise<void> {
    const edited = this.editing();
    if (!edited) return;
    const request = this.checked(edited.draft, this.editError);
    if (!request) return;
    const changes: Partial<NewWebhook> = {};
    if (request.url !== endpoint.url) changes.url = request.url;
    if ([...request.event_types].sort().join() !== [...endpoint.event_types].sort().join()) {
      changes.event_types = request.event_types;
    }
    if (request.include_private !== endpoint.include_private) {
      changes.include_private = request.include_private;
    }
    if ((request.description ?? '') !== (endpoint.description ?? '')) {
      changes.description = request.description ?? '';
    }
    if (Object.keys(changes).length === 0) {
      this.stopEditing();
      return;
    }
    const saved = await this.run(
      () => this.api.update(endpoint.id, changes),
      'Could not save the endpoint.',
      this.editError,
    );
    if (saved) {
      this.notice.set(`${saved.url} saved.`);
      this.stopEditing();
    }
  }

  protected async rotate(endpoint: WebhookEndpointView): Promise<void> {
    const made = await this.run(() => this.api.rotate(endpoint.id), 'Could not rotate the secret.');
    if (made) {
      this.confirming.set(null);
      this.showSecret(made, true);
    }
  }

  protected async setEnabled(endpoint: WebhookEndpointView, enabled: boolean): Promise<void> {
    const saved = await this.run(
      () => this.api.update(endpoint.id, { enabled }),
      'Could not change the endpoint.',
    );
    if (saved) this.notice.set(`${saved.url} ${enabled ? 'enabled' : 'disabled'}.`);
  }

  protected async remove(endpoint: WebhookEndpointView): Promise<void> {
    const done = await this.run(
      () => this.api.remove(endpoint.id).pipe(map(() => true)),
      'Could not delete the endpoint.',
    );
    if (done) {
      this.confirming.set(null);
      if (this.open() === endpoint.id) this.open.set(null);
      this.notice.set(`${endpoint.url} deleted.`);
    }
  }

  protected async copy(secret: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret);
      this.copied.set(true);
    } catch {
      this.error.set('Could not copy: select the secret and copy it by hand.');
    }
  }

  protected async toggleDeliveries(endpoint: WebhookEndpointView): Promise<void> {
    if (this.open() === endpoint.id) {
      this.open.set(null);
      return;
    }
    this.open.set(endpoint.id);
    this.deliveries.set(null);
    await this.loadDeliveries();
  }

  protected async loadDeliveries(): Promise<void> {
    const id = this.open();
    if (!id) return;
    try {
      const page = await firstValueFrom(this.api.deliveries(id));
      if (this.open() === id) this.deliveries.set(page.items);
    } catch (err) {
      this.error.set(errorMessage(err, 'Could not load the deliveries.'));
    }
  }

  protected async resend(delivery: WebhookDelivery): Promise<void> {
    const id = this.open();
    if (!id) return;
    const sent = await this.run(() => this.api.resend(id, delivery.id), 'Could not resend.');
    if (sent) {
      this.notice.set(`${delivery.event_type} queued again.`);
      await this.loadDeliveries();
    }
  }

  private showSecret(made: WebhookEndpointWithSecret, rotated: boolean): void {
    this.secret.set({ url: made.endpoint.url, secret: made.secret, rotated });
    this.copied.set(false);
  }

  /** The request a form's fields make, or null after saying what is missing. */
  private checked(draft: WebhookDraft, error: WritableSignal<string | null>): NewWebhook | null {
    const url = draft.url.trim();
    const types = EVENT_TYPES.map((e) => e.type).filter((t) => draft.types.has(t));
    if (!url || types.length === 0) {
      error.set('Give the endpoint a URL and at least one event.');
      return null;
    }
    const description = draft.description.trim();
    return {
      url,
      event_types: types,
      include_private: draft.includePrivate,
      ...(description ? { description } : {}),
    };
  }

  private focusRowAction(id: string, selector: string): void {
    afterNextRender(
      () => {
        const row = Array.from(
          this.host.nativeElement.querySelectorAll<HTMLElement>('tr[data-webhook-id]'),
        ).find((tr) => tr.dataset['webhookId'] === id);
        row?.querySelector<HTMLElement>(selector)?.focus();
      },
      { injector: this.injector },
    );
  }

  private run<T>(
    call: () => Observable<T>,
    fallback: string,
    error: WritableSignal<string | null> = this.error,
  ): Promise<T | null> {
    const { busy, notice } = this;
    return runChange({ busy, error, notice }, call, fallback, () => this.reload());
  }

  protected async reload(): Promise<void> {
    try {
      this.endpoints.set(await firstValueFrom(this.api.list()));
    } catch (err) {
      this.error.set(errorMessage(err, 'Could not load the webhooks.'));
    }
  }
}
