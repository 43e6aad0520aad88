import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { ChatActivity, SupportChatListItem, SupportMessage } from '../../core/api.types';
import { AuthService } from '../../core/auth.service';
import { initials } from '../../core/initials';
import { ClockService } from '../../core/clock.service';
import { isShortcutEvent } from '../../core/keyboard';
import { clockTime } from '../../core/time-format';
import { ChatsStore } from '../chats.store';
import { ChatDetailStore } from './chat-detail.store';
import { AssignMenuComponent } from './assign-menu.component';
import { ComposerComponent } from './composer.component';
import { CustomerPanelComponent } from './customer-panel.component';
import { groupByDay } from './message-list';
import { activityLine, buildTimeline } from './timeline';
import { revealMessage } from '../../search/reveal-message';
import { ChatRatingsStore, ratingText } from './chat-ratings.store';

// Within this many pixels of an edge counts as "at" it: sub-pixel scroll positions and
// momentum scrolling on tablets rarely land exactly on 0.
const EDGE_PX = 80;

@Component({
  selector: 'app-chat-detail',
  imports: [RouterLink, AssignMenuComponent, ComposerComponent, CustomerPanelComponent],
  providers: [ChatDetailStore, ChatRatingsStore],
  templateUrl: './chat-detail.component.html',
  styleUrl: './chat-detail.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    '(document:keydown)': 'onKeydown($event)',
    '(keydown.enter)': 'keepEnterForControls($event)',
  },
})
export class ChatDetailComponent {
  private readonly store = inject(ChatDetailStore);
  private readonly ratings = inject(ChatRatingsStore);
  protected readonly ratingText = ratingText;
  private readonly chats = inject(ChatsStore);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly clock = inject(ClockService);
  private readonly injector = inject(Injector);
  private readonly scroller = viewChild<ElementRef<HTMLElement>>('scroller');
  private readonly composer = viewChild(ComposerComponent);
  private readonly assignMenu = viewChild(AssignMenuComponent);
  private readonly detailsToggle = viewChild<ElementRef<HTMLButtonElement>>('detailsToggle');
  // Follow new messages only while the agent is reading the end of the conversation.
  private stickToBottom = true;

  /** The chat id, bound from the route. */
  readonly id = input.required<string>();
  /** A message to open the chat at (a search result), from `?message=`. */
  readonly message = input<string | undefined>();
  protected readonly targetId = this.store.targetId;
  protected readonly targetMissing = this.store.targetMissing;
  private revealed: string | null = null;

  protected readonly header = this.store.header;
  protected readonly pending = this.store.pending;
  protected readonly hasMore = this.store.hasMore;
  protected readonly loadingOlder = this.store.loadingOlder;
  protected readonly status = this.store.status;
  protected readonly archiving = this.store.archiving;
  protected readonly customerTyping = this.store.customerTyping;
  /** Below the width where details sit beside the conversation, they open over it. */
  protected readonly detailsOpen = signal(false);
  protected readonly activity = this.store.activity;
  protected readonly messages = this.store.messages;
  protected readonly groups = computed(() =>
    groupByDay(
      buildTimeline(
        this.store.messages(),
        this.store.activity(),
        this.hasMore(),
        this.ratings.lines(),
      ),
      this.clock.now(),
    ),
  );
  // Back to the tab the agent came from; on a deep link, to the tab the chat is in.
  protected readonly backLink = computed(() => {
    const tab = this.chats.lastTab() ?? (this.header()?.archived ? 'archived' : 'active');
    return tab === 'archived' ? '/chats/archived' : '/chats';
  });
  /** The customer's first message, once the whole history is on screen. */
  protected readonly firstSeen = computed(() => {
    const first = this.messages()[0];
    return first && !this.hasMore() ? first.created_at : null;
  });
  protected readonly userLabel = computed(() => {
    const header = this.header();
    return header ? header.user_name || header.user_email : 'User';
  });

  constructor() {
    effect(() => this.ratings.open(this.id()));
    effect(() => {
      const id = this.id();
      const message = this.message() ?? null;
      untracked(() => {
        this.stickToBottom = !message;
        void this.store.open(id, message);
      });
    });
    effect(() => {
      // Re-run on every new or confirmed message.
      this.store.messages();
      this.pending();
      this.customerTyping();
      afterNextRender(() => this.followBottom(), { injector: this.injector });
    });
    effect(() => {
      // Once per target: later messages must not pull the agent back to it.
      const target = this.targetId();
      const loaded = this.messages().some((m) => m.id === target);
      if (!target || target === this.revealed || !loaded) return;
      this.revealed = target;
      afterNextRender(() => revealMessage(this.scroller()?.nativeElement, target), {
        injector: this.injector,
      });
    });
  }

  /** "You" on the signed-in agent's own messages, the author's name on another agent's. */
  protected senderLabel(message: SupportMessage): string {
    if (message.sender_type !== 'admin') return this.userLabel();
    if (this.isMine(message)) return 'You';
    return message.sender_name || 'Agent';
  }

  protected isMine(message: SupportMessage): boolean {
    return message.sender_type === 'admin' && message.admin_id === this.auth.admin()?.id;
  }

  protected initials(message: SupportMessage): string {
    return initials(message.sender_name);
  }

  protected time(item: { created_at: string }): string {
    return clockTime(item.created_at);
  }

  protected activityText(activity: ChatActivity): string {
    return activityLine(activity, this.auth.admin()?.id);
  }

  protected onAssigned(chat: SupportChatListItem): void {
    this.store.applyListItem(chat);
  }

  /** A note: an agent's message the customer never receives. */
  protected isNote(message: SupportMessage): boolean {
    return message.private === true;
  }

  protected onSent(): void {
    this.stickToBottom = true;
  }

  protected onChatChanged(chat: SupportChatListItem): void {
    this.store.applyListItem(chat);
  }

  protected retry(clientId: string): void {
    this.store.retry(clientId);
  }

  protected reload(): void {
    this.store.reopen();
  }

  protected toggleArchived(): void {
    void this.store.toggleArchived();
  }

  protected onScroll(): void {
    const el = this.scroller()?.nativeElement;
    if (!el) return;
    this.stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    if (el.scrollTop < EDGE_PX && this.hasMore() && !this.loadingOlder()) void this.loadOlder();
  }

  protected async loadOlder(): Promise<void> {
    const el = this.scroller()?.nativeElement;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    await this.store.loadOlder();
    // Keep the message the agent was reading in place while older ones appear above it.
    afterNextRender(
      () => {
        if (el) el.scrollTop = el.scrollHeight - fromBottom;
      },
      { injector: this.injector },
    );
  }

  /**
   * Enter on a button or link in the conversation is that control's: page-wide shortcuts (the
   * list beside it opens its selected chat on Enter) must not hear it and cancel it.
   */
  protected keepEnterForControls(event: Event): void {
    const target = event.target;
    if (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) {
      event.stopPropagation();
    }
  }

  protected closeDetails(): void {
    this.detailsOpen.set(false);
    this.detailsToggle()?.nativeElement.focus();
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.detailsOpen() && !event.defaultPrevented) {
      // The details drawer closes first; the next Escape goes back to the list.
      event.preventDefault();
      this.closeDetails();
      return;
    }
    // Alt+N (⌥N): reply or note, from anywhere in the conversation, the reply box included.
    // Ctrl/Cmd+Shift+N would be the browser's private window.
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === 'KeyN') {
      event.preventDefault();
      this.composer()?.toggleNote();
      this.composer()?.focus();
      return;
    }
    if (event.key === 'Escape' && !event.defaultPrevented) {
      event.preventDefault();
      void this.router.navigateByUrl(this.backLink());
      return;
    }
    if (!isShortcutEvent(event)) return;
    if (event.key === 'e') {
      event.preventDefault();
      this.toggleArchived();
    } else if (event.key === 'a') {
      event.preventDefault();
      this.assignMenu()?.openMenu();
    } else if (event.key === 'r') {
      // The reply box is not focused on open, so that e and Escape work straight away.
      event.preventDefault();
      this.composer()?.focus();
    } else if (event.key === 'n') {
      event.preventDefault();
      this.composer()?.toggleNote(true);
      this.composer()?.focus();
    }
  }

  private followBottom(): void {
    const el = this.scroller()?.nativeElement;
    if (el && this.stickToBottom) el.scrollTop = el.scrollHeight;
  }
}
