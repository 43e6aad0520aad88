import {
  ChangeDetectionStrategy,
  Injector,
  afterNextRender,
  Component,
  DestroyRef,
  ElementRef,
  computed,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Params, Router, RouterLink } from '@angular/router';
import { SupportChatListItem } from '../../core/api.types';
import { AuthService } from '../../core/auth.service';
import { ClockService } from '../../core/clock.service';
import { isShortcutEvent } from '../../core/keyboard';
import { SocketService } from '../../core/socket.service';
import { countLabel, timeAgo } from '../../core/time-format';
import { initials } from '../../core/initials';
import { AssigneeFilter, ChatsStore, Tab, listView } from '../chats.store';
import { LabelsCatalogue } from './labels-catalogue.service';

const ASSIGNEE_FILTERS: readonly { value: AssigneeFilter; text: string }[] = [
  { value: 'me', text: 'Mine' },
  { value: 'none', text: 'Unassigned' },
  { value: 'all', text: 'All' },
];

@Component({
  selector: 'app-chat-list',
  imports: [RouterLink],
  templateUrl: './chat-list.component.html',
  styleUrl: './chat-list.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'onKeydown($event)' },
})
export class ChatListComponent {
  private readonly store = inject(ChatsStore);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly clock = inject(ClockService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly labels = inject(LabelsCatalogue);

  /** Which tab this list shows. */
  readonly archived = input(false);
  /** Whose chats: everyone's, mine, or unassigned ones (the URL's `assignee`). */
  readonly assignee = input<AssigneeFilter>('all');
  /** Only chats with this label (the URL's `label`). */
  readonly label = input<string | null>(null);
  /** The chat open beside the list, if any: filter links keep it open. */
  readonly openId = input<string | null>(null);
  /** Whether the list shares the screen with an open chat (the split inbox). */
  readonly split = input(false);

  protected readonly tab = computed<Tab>(() => (this.archived() ? 'archived' : 'active'));
  protected readonly view = computed(() =>
    listView({ tab: this.tab(), assignee: this.assignee(), label: this.label() }),
  );
  protected readonly state = computed(() => this.store.state(this.view()));
  protected readonly typing = this.store.typing;
  protected readonly filters = ASSIGNEE_FILTERS;
  /** Where the filter links lead: this same page, so an open chat stays open. */
  protected readonly here = computed(() => {
    const open = this.openId();
    if (open) return ['/chats', open];
    return this.tab() === 'archived' ? ['/chats/archived'] : ['/chats'];
  });
  protected readonly labelsCatalogue = this.labels.labels;
  protected readonly labelKnown = computed(() =>
    this.labelsCatalogue().some((l) => l.name === this.label()),
  );
  protected readonly chats = computed(() => this.state().items);
  protected readonly selectedId = this.store.selectedId;
  protected readonly busyId = signal<string | null>(null);
  private readonly moreButton = viewChild<ElementRef<HTMLButtonElement>>('more');
  private readonly injector = inject(Injector);

  constructor() {
    this.labels.load();
    // A renamed label keeps its filter under the new name; a deleted one's filter goes.
    inject(SocketService)
      .on('labels_changed')
      .pipe(takeUntilDestroyed())
      .subscribe(({ renamed, deleted }) => {
        const label = this.label();
        if (!label || (renamed?.from !== label && deleted !== label)) return;
        void this.router.navigate(this.here(), {
          queryParams: { label: renamed?.from === label ? renamed.to : null },
          queryParamsHandling: 'merge',
          replaceUrl: true,
        });
      });
    effect(() => {
      const view = this.view();
      this.store.lastTab.set(view.tab);
      void this.store.ensureLoaded(view);
    });
    this.observeLoadMore();
    // Coming back from a chat, focus lands on its card so j/k/Enter carry on from there.
    let open: string | null = null;
    effect(() => {
      const closed = open;
      open = this.openId();
      if (open || !closed) return;
      afterNextRender(() => this.focusCard(closed), { injector: this.injector });
    });
  }

  /** Who wrote the last message, when an agent did: "You", or the other agent's name. */
  protected previewAuthor(chat: SupportChatListItem): string {
    const { last_message_admin_id: author, last_message_sender_name: name } = chat;
    if (!author || author === this.auth.admin()?.id) return 'You';
    return name || 'Agent';
  }

  protected preview(chat: SupportChatListItem): string {
    return chat.last_message_preview ?? 'No messages yet';
  }

  protected meta(chat: SupportChatListItem): string {
    const count = countLabel(chat.message_count);
    if (!chat.last_message_at) return count;
    return `${count} · ${timeAgo(chat.last_message_at, this.clock.now())}`;
  }

  /** "You" for the signed-in agent, else the assignee's name. */
  protected assigneeName(chat: SupportChatListItem): string {
    const assignee = chat.assignee;
    if (!assignee) return '';
    return assignee.id === this.auth.admin()?.id ? 'You' : assignee.name;
  }

  protected assigneeInitials(chat: SupportChatListItem): string {
    return initials(chat.assignee?.name);
  }

  protected labelColor(name: string): string | null {
    return this.labels.colorOf(name);
  }

  /** Query params for a filter link: `all` drops the parameter, so the plain URL means All. */
  protected filterParams(filter: AssigneeFilter): Params {
    return { assignee: filter === 'all' ? null : filter };
  }

  protected onLabelChange(event: Event): void {
    const label = (event.target as HTMLSelectElement).value;
    void this.router.navigate(this.here(), {
      queryParams: { label: label || null },
      queryParamsHandling: 'merge',
    });
  }

  protected emptyText(): string {
    const view = this.view();
    if (view.assignee !== 'all' || view.label) return 'No chats match this filter.';
    return view.tab === 'archived'
      ? 'No archived chats.'
      : 'No active chats. New conversations appear here as they arrive.';
  }

  protected loadMore(): void {
    void this.store.loadMore(this.view());
  }

  protected retry(): void {
    // A first page that failed is fetched again; a later one restarts the list.
    if (this.state().loaded) void this.store.reload();
    else void this.store.ensureLoaded(this.view());
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (!isShortcutEvent(event)) return;
    // With a chat open, its view owns the shortcuts (e archives it); beside it, j/k and Enter
    // still move through the list and open the next chat.
    if (this.openId() && (!this.split() || event.key === 'e')) return;
    const chats = this.chats();
    const index = chats.findIndex((c) => c.id === this.selectedId());
    switch (event.key) {
      case 'j':
      case 'k': {
        if (chats.length === 0) return;
        const step = event.key === 'j' ? 1 : -1;
        const next = index === -1 ? 0 : Math.min(chats.length - 1, Math.max(0, index + step));
        this.select(chats[next].id);
        event.preventDefault();
        return;
      }
      case 'Enter':
        if (index === -1) return;
        // Enter on a focused link or button is that control's own (a card's link already opens
        // it; Log out or Available in the top bar must not also open the selected chat).
        if (
          event.target instanceof Element &&
          event.target.closest('a, button, [role="button"], [role="menuitem"], summary')
        )
          return;
        event.preventDefault();
        void this.router.navigate(['/chats', chats[index].id], { queryParamsHandling: 'preserve' });
        return;
      case 'e':
        if (index === -1) return;
        event.preventDefault();
        void this.toggleArchived(chats[index]);
        return;
    }
  }

  private select(chatId: string): void {
    this.selectedId.set(chatId);
    // Focus follows the selection so Enter, screen readers and scrolling all agree.
    this.focusCard(chatId);
  }

  private focusCard(chatId: string): void {
    const card = Array.from(
      this.host.nativeElement.querySelectorAll<HTMLElement>('[data-chat-id]'),
    ).find((el) => el.dataset['chatId'] === chatId);
    card?.focus();
    card?.scrollIntoView?.({ block: 'nearest' });
  }

  private async toggleArchived(chat: SupportChatListItem): Promise<void> {
    if (this.busyId()) return;
    this.busyId.set(chat.id);
    const chats = this.chats();
    const index = chats.findIndex((c) => c.id === chat.id);
    try {
      await this.store.setArchived(chat.id, !chat.archived);
      // Keep the keyboard on the neighbouring card now that this one has left the tab.
      const rest = this.chats();
      const neighbour = rest[Math.min(index, rest.length - 1)];
      this.selectedId.set(neighbour?.id ?? null);
    } catch {
      // The interceptor handles 401; anything else leaves the card where it was.
    } finally {
      this.busyId.set(null);
    }
  }

  // Keyset paging as the list scrolls: the "Load more" button doubles as the sentinel, and
  // stays clickable where IntersectionObserver is missing.
  private observeLoadMore(): void {
    if (typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.loadMore();
    });
    effect(() => {
      observer.disconnect();
      const button = this.moreButton();
      if (button) observer.observe(button.nativeElement);
    });
    inject(DestroyRef).onDestroy(() => observer.disconnect());
  }
}
