import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  input,
  model,
  output,
  viewChild,
} from '@angular/core';
import type { WebhookEventType } from './webhooks-api.service';

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

/** An endpoint as the admin is filling it in, before the page checks it and sends it. */
export interface WebhookDraft {
  url: string;
  description: string;
  types: ReadonlySet<WebhookEventType>;
  includePrivate: boolean;
}

/**
 * The fields of an endpoint (URL, description, events, notes), for adding one and for editing
 * one alike, with the reason the last save was refused. The page checks and saves; Escape
 * cancels an edit.
 */
@Component({
  selector: 'app-webhook-form',
  templateUrl: './webhook-form.component.html',
  styleUrls: ['../labels/admin-page.css', './webhooks.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WebhookFormComponent {
  readonly draft = model.required<WebhookDraft>();
  /** Keeps this form's ids apart from another form's on the same page. */
  readonly formId = input.required<string>();
  readonly heading = input.required<string>();
  readonly submitLabel = input.required<string>();
  readonly busy = input(false);
  /** Why the last save did not happen: the page's own check, or the server's reason. */
  readonly error = input<string | null>(null);
  /** An edit can be left; the add form stays. */
  readonly cancellable = input(false);
  readonly submitted = output<void>();
  readonly cancelled = output<void>();

  protected readonly eventTypes = EVENT_TYPES;
  private readonly urlField = viewChild.required<ElementRef<HTMLInputElement>>('urlField');

  focus(): void {
    this.urlField().nativeElement.focus();
  }

  protected text(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected checked(event: Event): boolean {
    return (event.target as HTMLInputElement).checked;
  }

  protected set<K extends keyof WebhookDraft>(key: K, value: WebhookDraft[K]): void {
    this.draft.update((d) => ({ ...d, [key]: value }));
  }

  protected toggleType(type: WebhookEventType, on: boolean): void {
    const types = new Set(this.draft().types);
    if (on) types.add(type);
    else types.delete(type);
    this.set('types', types);
  }

  protected submit(event: Event): void {
    event.preventDefault();
    this.submitted.emit();
  }

  protected cancel(event?: Event): void {
    if (!this.cancellable()) return;
    // The page behind must not act on the same Escape.
    event?.preventDefault();
    event?.stopPropagation();
    this.cancelled.emit();
  }
}
