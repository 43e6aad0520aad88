import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Observable, firstValueFrom, map } from 'rxjs';
import { errorMessage } from '../core/http-error';
import { runChange } from '../core/run-change';
import {
  WebhookDelivery,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhookEventType,
  WebhooksApi,
} from './webhooks-api.service';

export const EVENT_TYPES: readonly { type: WebhookEventType; hint: string }[] = [
  { type: 'chat.created', hint: 'a user’s first contact' },
  { type: 'message.created', hint: 'every message' },
  { type: 'message.read', hint: 'messages read' },
  { type: 'chat.assigned', hint: 'assigned or unassigned' },
  { type: 'chat.archived', hint: 'archived by an agent' },
  { type: 'chat.unarchived', hint: 'restored, or the user wrote again' },
  { type: 'rating.created', hint: 'a user rated a chat' },
  { type: 'user.erased', hint: 'a user’s data was erased' },
];

const DATE_TIME = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

/**
 * Admins register webhook endpoints (the secret shown once), choose their events and whether
 * notes go out, rotate secrets, and look at each endpoint's recent deliveries, resending one.
 */
@Component({
  selector: 'app-webhooks',
  templateUrl: './webhooks.component.html',
  styleUrls: ['../core/page-frame.css', '../labels/admin-page.css', './webhooks.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WebhooksComponent {
  private readonly api = inject(WebhooksApi);

  protected readonly eventTypes = EVENT_TYPES;
  protected readonly endpoints = signal<WebhookEndpointView[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly newUrl = signal('');
  protected readonly newDescription = signal('');
  protected readonly newTypes = signal<ReadonlySet<WebhookEventType>>(new Set(['message.created']));
  protected readonly newPrivate = signal(false);
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

  protected text(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected checked(event: Event): boolean {
    return (event.target as HTMLInputElement).checked;
  }

  protected toggleType(type: WebhookEventType, on: boolean): void {
    this.newTypes.update((s) => {
      const next = new Set(s);
      if (on) next.add(type);
      else next.delete(type);
      return next;
    });
  }

  protected dateTime(iso: string | null): string {
    return iso ? `${DATE_TIME.format(new Date(iso))} UTC` : '';
  }

  protected status(endpoint: WebhookEndpointView): string {
    if (!endpoint.enabled) return 'Disabled';
    return endpoint.failing_since ? 'Failing' : 'Active';
  }

  protected async create(event: Event): Promise<void> {
    event.preventDefault();
    const url = this.newUrl().trim();
    const types = EVENT_TYPES.map((e) => e.type).filter((t) => this.newTypes().has(t));
    if (!url || types.length === 0) {
      this.error.set('Give the endpoint a URL and at least one event.');
      return;
    }
    const description = this.newDescription().trim();
    const made = await this.run(
      () =>
        this.api.create({
          url,
          event_types: types,
          include_private: this.newPrivate(),
          ...(description ? { description } : {}),
        }),
      'Could not add the endpoint.',
    );
    if (made) {
      this.showSecret(made, false);
      this.newUrl.set('');
      this.newDescription.set('');
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

  private run<T>(call: () => Observable<T>, fallback: string): Promise<T | null> {
    const { busy, error, notice } = this;
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
