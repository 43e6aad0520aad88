import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { SupportChatListItem } from '../../core/api.types';
import { AuthService } from '../../core/auth.service';
import { LabelsApi } from '../../labels/labels-api.service';
import { LabelsCatalogue } from '../chat-list/labels-catalogue.service';
import { ChatHeader } from './chat-detail.store';

/**
 * Who the customer is and how the team has filed the chat: email, name, first seen, assignee
 * and labels, which agents add and remove here. Beside the conversation on a wide screen.
 */
@Component({
  selector: 'app-customer-panel',
  templateUrl: './customer-panel.component.html',
  styleUrl: './customer-panel.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CustomerPanelComponent {
  private readonly api = inject(LabelsApi);
  private readonly catalogue = inject(LabelsCatalogue);
  private readonly auth = inject(AuthService);

  readonly chatId = input.required<string>();
  readonly header = input.required<ChatHeader>();
  /** When the customer first wrote, if the whole history is known. */
  readonly firstSeen = input<string | null>(null);
  /** The chat as the server answered a label change. */
  readonly changed = output<SupportChatListItem>();

  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly chips = computed(() =>
    this.header().labels.map((name) => ({
      name,
      color: this.catalogue.colorOf(name),
      id: this.catalogue.labels().find((l) => l.name === name)?.id ?? null,
    })),
  );
  protected readonly addable = computed(() => {
    const on = new Set(this.header().labels);
    return this.catalogue.labels().filter((l) => !on.has(l.name));
  });
  protected readonly assigneeName = computed(() => {
    const assignee = this.header().assignee;
    if (!assignee) return 'Nobody';
    return assignee.id === this.auth.admin()?.id ? `${assignee.name} (you)` : assignee.name;
  });
  protected readonly firstSeenText = computed(() => {
    const at = this.firstSeen();
    if (!at) return 'Before the oldest message shown';
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date(at),
    );
  });

  constructor() {
    this.catalogue.load();
  }

  protected async add(event: Event): Promise<void> {
    const select = event.target as HTMLSelectElement;
    const labelId = select.value;
    if (!labelId) return;
    await this.run(() => this.api.addToChat(this.chatId(), labelId), 'Could not add the label.');
    select.value = '';
  }

  protected remove(labelId: string): Promise<void> {
    return this.run(
      () => this.api.removeFromChat(this.chatId(), labelId),
      'Could not remove the label.',
    );
  }

  private async run(
    call: () => ReturnType<LabelsApi['addToChat']>,
    failure: string,
  ): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      this.changed.emit(await firstValueFrom(call()));
    } catch {
      this.error.set(failure);
    } finally {
      this.busy.set(false);
    }
  }
}
