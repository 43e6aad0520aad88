import { DOCUMENT, DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { HttpErrorResponse } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import {
  AckErrorCode,
  AdminSupportChat,
  AgentRef,
  ChatActivity,
  SupportChatListItem,
  SupportMessage,
} from '../../core/api.types';
import { ChatsApi, MESSAGES_AFTER_LIMIT } from '../../core/chats-api.service';
import { newClientId } from '../../core/client-id';
import { SocketService } from '../../core/socket.service';
import { ChatsStore } from '../chats.store';
import { markAgentMessagesRead, mergeMessages } from './message-list';
import { mergeActivity } from './timeline';
import { TypingIndicator } from './typing';
import { failureText } from './send-failure';
import { SearchApi } from '../../search/search-api.service';

export interface ChatHeader {
  user_id: string;
  user_email: string;
  user_name: string | null;
  archived: boolean;
  assignee: AgentRef | null;
  labels: string[];
}

export interface PendingMessage {
  clientId: string;
  content: string;
  /** An internal note: stored for agents only. */
  private: boolean;
  status: 'sending' | 'failed';
  error: string | null;
}

export type LoadStatus = 'loading' | 'ready' | 'not_found' | 'error';

// Long enough to batch a burst of user messages into one "viewed" write.
const RECORD_VIEW_DELAY_MS = 1_000;
/** How far back a catch-up reads a chat that was empty when opened: pages of the server's default size. */
const BACKFILL_PAGES = 100;

/**
 * One open conversation: its messages from REST, the socket room and the send acks, merged
 * by id so nothing shows twice; sends carry a client_id so a retry never stores twice.
 *
 * Read state means what it says: the server records that an agent viewed the chat (and marks
 * the user's messages read) only while the chat is on screen in a visible tab. Opening it in a
 * hidden tab and catching up after a reconnect read it without that side effect; the view is
 * recorded when the tab comes to the front.
 */
@Injectable()
export class ChatDetailStore {
  private readonly api = inject(ChatsApi);
  private readonly search = inject(SearchApi);
  private readonly socket = inject(SocketService);
  private readonly chats = inject(ChatsStore);
  private readonly document = inject(DOCUMENT);
  private readonly catchUpPage = inject(MESSAGES_AFTER_LIMIT);
  private chatId: string | null = null;
  private recordViewTimer: ReturnType<typeof setTimeout> | null = null;
  // Something the agent has not had on screen yet: the chat opened in a hidden tab, or user
  // messages that arrived while it was hidden. Recorded as a view when the tab is visible.
  private viewOwed = false;
  // The catch-up cursor: the newest message of the last fetch that joined what was fetched
  // before, so everything up to it is held. Not the newest message held: one relayed live while
  // an earlier one was still on its way would make the catch-up start past the gap.
  private fetchedUpTo: string | null = null;

  readonly header = signal<ChatHeader | null>(null);
  readonly messages = signal<SupportMessage[]>([]);
  /** Assignment lines, oldest first: from the chat's history and live `chat_activity`. */
  readonly activity = signal<ChatActivity[]>([]);
  readonly pending = signal<PendingMessage[]>([]);
  readonly hasMore = signal(false);
  readonly loadingOlder = signal(false);
  readonly status = signal<LoadStatus>('loading');
  readonly archiving = signal(false);
  /** The message the chat was opened at (a search result): loaded with it, shown marked. */
  readonly targetId = signal<string | null>(null);
  /** Opened at a message the page does not reach (over a thousand messages back). */
  readonly targetMissing = computed(() => {
    const target = this.targetId();
    return this.status() === 'ready' && !!target && !this.messages().some((m) => m.id === target);
  });
  /** "Customer is typing…": live `typing` from the user's side of this chat. */
  private readonly customerTypingIndicator = new TypingIndicator();
  readonly customerTyping = this.customerTypingIndicator.active;

  constructor() {
    const destroyRef = inject(DestroyRef);
    this.socket
      .on('new_message')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((event) => {
        if (event.chat_id !== this.chatId) return;
        this.accept(event.message);
        if (event.message.sender_type === 'user') {
          // What they were typing has arrived.
          this.customerTypingIndicator.clear();
          this.userMessageSeen();
        }
      });
    this.socket
      .on('typing')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((event) => {
        if (event.chat_id === this.chatId && event.sender_type === 'user') {
          this.customerTypingIndicator.typing(event.typing);
        }
      });
    this.socket
      .on('messages_read')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((event) => {
        if (event.chat_id !== this.chatId || event.reader !== 'user') return;
        this.messages.update((list) =>
          markAgentMessagesRead(list, event.read_at, event.message_ids),
        );
      });
    this.socket
      .on('chat_updated')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(({ chat }) => {
        if (chat.id === this.chatId) this.applyListItem(chat);
      });
    this.socket
      .on('chat_removed')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(({ chat_ids }) => {
        if (this.chatId && chat_ids.includes(this.chatId)) this.status.set('not_found');
      });
    this.socket
      .on('chat_activity')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(({ activity }) => {
        if (activity.chat_id === this.chatId) {
          this.activity.update((list) => mergeActivity(list, [activity]));
        }
      });
    this.socket.reconnected$
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => void this.afterReconnect());

    const onVisible = (): void => {
      const chatId = this.chatId;
      if (chatId && this.viewOwed && this.onScreen()) {
        this.viewOwed = false;
        this.recordViewNow(chatId);
      }
    };
    this.document.addEventListener('visibilitychange', onVisible);
    destroyRef.onDestroy(() => {
      this.document.removeEventListener('visibilitychange', onVisible);
      this.close();
    });
  }

  async open(chatId: string, target: string | null = null): Promise<void> {
    if (chatId === this.chatId) {
      this.targetId.set(target);
      return;
    }
    this.close();
    this.chatId = chatId;
    this.targetId.set(target);
    this.header.set(null);
    this.messages.set([]);
    this.activity.set([]);
    this.pending.set([]);
    this.fetchedUpTo = null;
    this.hasMore.set(false);
    this.status.set('loading');
    // Back on the list, the keyboard continues from the chat just read.
    this.chats.selectedId.set(chatId);
    this.chats.openChatId.set(chatId);
    // Fetch only once the server has acknowledged the join: a message committed before the
    // ack is in the page, one committed after it comes through the room (the id merges both).
    const joined = await this.socket.joinChat(chatId);
    if (chatId !== this.chatId) return;
    if (!joined.ok && joined.error === 'not_found') {
      this.status.set('not_found');
      return;
    }
    // Any other failure (mostly no answer in time): show the chat anyway. The room is joined
    // again on the next reconnect, whose catch-up brings what was not broadcast meanwhile.
    await this.load(chatId);
  }

  /** After a failed load: start over with the same chat. */
  reopen(): void {
    const chatId = this.chatId;
    if (!chatId) return;
    this.close();
    void this.open(chatId);
  }

  async loadOlder(): Promise<void> {
    const chatId = this.chatId;
    const oldest = this.messages()[0];
    if (!chatId || !oldest || !this.hasMore() || this.loadingOlder()) return;
    this.loadingOlder.set(true);
    try {
      const page = await firstValueFrom(this.api.get(chatId, { before: oldest.id }));
      if (chatId !== this.chatId) return;
      this.messages.update((list) => mergeMessages(list, page.messages));
      this.hasMore.set(page.has_more);
    } catch {
      // The button stays; the agent can scroll up again to retry.
    } finally {
      this.loadingOlder.set(false);
    }
  }

  private async backfill(chatId: string, before: string): Promise<void> {
    for (let pages = 0; pages < BACKFILL_PAGES; pages++) {
      const page = await firstValueFrom(this.api.get(chatId, { before, view: false }));
      if (chatId !== this.chatId) return;
      this.accept(...page.messages);
      const oldest = page.messages[0];
      this.hasMore.set(page.has_more);
      if (!page.has_more || !oldest) return;
      before = oldest.id;
    }
  }

  /** `isPrivate`: an internal note, which never reaches the user. */
  send(content: string, isPrivate = false): void {
    const text = content.trim();
    if (!text || !this.chatId) return;
    const pending: PendingMessage = {
      clientId: newClientId(),
      content: text,
      private: isPrivate,
      status: 'sending',
      error: null,
    };
    this.pending.update((list) => [...list, pending]);
    void this.deliver(this.chatId, pending);
  }

  retry(clientId: string): void {
    const item = this.pending().find((p) => p.clientId === clientId);
    if (!item || item.status !== 'failed' || !this.chatId) return;
    this.setPending(clientId, { status: 'sending', error: null });
    // Same client_id: if the first attempt did reach the server, this returns that message.
    void this.deliver(this.chatId, item);
  }

  async toggleArchived(): Promise<void> {
    const header = this.header();
    const chatId = this.chatId;
    if (!header || !chatId || this.archiving()) return;
    this.archiving.set(true);
    try {
      const item = await this.chats.setArchived(chatId, !header.archived);
      if (chatId === this.chatId)
        this.header.update((h) => (h ? { ...h, archived: item.archived } : h));
    } catch {
      // Left as it was; a 401 is handled by the interceptor.
    } finally {
      this.archiving.set(false);
    }
  }

  /**
   * After a reconnect, with the room joined again: fetch what was broadcast while offline.
   * `…/messages?after=` has no side effects, so a hidden tab catches up without marking the
   * user's messages read; new user messages count as seen only if the chat is on screen.
   */
  async catchUp(): Promise<void> {
    const chatId = this.chatId;
    if (!chatId || this.status() !== 'ready') return;
    const known = new Set(this.messages().map((m) => m.id));
    try {
      let after = this.fetchedUpTo;
      if (!after) {
        // Nothing to continue from: the newest page, still without recording a view.
        const chat = await firstValueFrom(this.api.get(chatId, { view: false }));
        if (chatId !== this.chatId) return;
        this.applyChat(chat);
        this.hasMore.set(chat.has_more);
        // The chat was empty when opened, so all of it is news: a gap behind this page would
        // sit between live messages and the page, where loading older ones never looks.
        if (chat.has_more && chat.messages[0]) await this.backfill(chatId, chat.messages[0].id);
      }
      // A full page means there may be more: the server answers at most the limit at once.
      while (after) {
        const page = await firstValueFrom(this.api.messagesAfter(chatId, after, this.catchUpPage));
        if (chatId !== this.chatId) return;
        const newest = page.at(-1);
        if (newest) this.fetchedUpTo = newest.id;
        this.accept(...page);
        after = page.length >= this.catchUpPage && newest ? newest.id : null;
      }
    } catch {
      // The next reconnect tries again; meanwhile the room delivers what is new.
      return;
    }
    if (this.messages().some((m) => m.sender_type === 'user' && !known.has(m.id))) {
      this.userMessageSeen();
    }
  }

  private close(): void {
    const chatId = this.chatId;
    if (!chatId) return;
    this.socket.leaveChat(chatId);
    this.customerTypingIndicator.clear();
    if (this.chats.openChatId() === chatId) this.chats.openChatId.set(null);
    // The agent saw those messages: record it now rather than drop it with the timer.
    if (this.recordViewTimer) {
      clearTimeout(this.recordViewTimer);
      this.recordViewTimer = null;
      if (this.onScreen()) void this.recordView(chatId);
    }
    // What a hidden tab never showed stays unread for every agent.
    this.viewOwed = false;
    this.chatId = null;
  }

  private async load(chatId: string): Promise<void> {
    // A chat opened in a hidden tab (a link opened in the background) has not been seen yet:
    // fetch it without recording a view, and record one when the tab comes to the front.
    const view = this.onScreen();
    this.viewOwed = !view;
    if (view) this.chats.markViewed(chatId);
    try {
      const target = this.targetId();
      const chat = await firstValueFrom(
        target ? this.search.around(chatId, target, view) : this.api.get(chatId, { view }),
      );
      if (chatId !== this.chatId) return;
      this.applyChat(chat);
      this.hasMore.set(chat.has_more);
      this.status.set('ready');
    } catch (err) {
      if (chatId !== this.chatId) return;
      this.viewOwed = false;
      const missing =
        err instanceof HttpErrorResponse && (err.status === 404 || err.status === 400);
      this.status.set(missing ? 'not_found' : 'error');
    }
  }

  private async afterReconnect(): Promise<void> {
    const chatId = this.chatId;
    const joined = chatId ? await this.socket.chatJoin(chatId) : undefined;
    if (!chatId || !joined || chatId !== this.chatId) return;
    if (!joined.ok && joined.error === 'not_found') {
      // Gone while the connection was down (erased, say).
      this.status.set('not_found');
      return;
    }
    // A load that failed during the outage tries again now that the room is joined.
    if (this.status() === 'error') await this.load(chatId);
    else await this.catchUp();
  }

  /** What an assignment or label change answered, or a `chat_updated` about this chat. */
  applyListItem(chat: SupportChatListItem): void {
    if (chat.id !== this.chatId) return;
    this.header.set({
      user_id: chat.user_id,
      user_email: chat.user_email,
      user_name: chat.user_name,
      archived: chat.archived,
      assignee: chat.assignee ?? null,
      labels: chat.labels ?? [],
    });
  }

  private applyChat(chat: AdminSupportChat): void {
    this.header.set({
      user_id: chat.user_id,
      user_email: chat.user_email,
      user_name: chat.user_name,
      archived: chat.archived,
      assignee: chat.assignee ?? null,
      labels: chat.labels ?? [],
    });
    this.activity.update((list) => mergeActivity(list, chat.activity ?? []));
    // The chat's newest page continues what was fetched only if it reaches back to the cursor
    // (or is the whole chat); otherwise the cursor stays and the next catch-up fills in from it.
    const newest = chat.messages.at(-1);
    const cursor = this.fetchedUpTo;
    const joins = !cursor || !chat.has_more || chat.messages.some((m) => m.id === cursor);
    if (newest && joins) this.fetchedUpTo = newest.id;
    this.accept(...chat.messages);
  }

  private accept(...messages: SupportMessage[]): void {
    this.messages.update((list) => mergeMessages(list, messages));
    const delivered = new Set(messages.map((m) => m.client_id).filter((id) => id !== null));
    if (delivered.size > 0 && this.pending().some((p) => delivered.has(p.clientId))) {
      this.pending.update((list) => list.filter((p) => !delivered.has(p.clientId)));
    }
  }

  private async deliver(chatId: string, pending: PendingMessage): Promise<void> {
    const payload = {
      chat_id: chatId,
      content: pending.content,
      client_id: pending.clientId,
      ...(pending.private ? { private: true } : {}),
    };
    let error: AckErrorCode | 'http' | null = null;
    if (this.socket.connected()) {
      const ack = await this.socket.sendMessage(payload);
      if (ack.ok) {
        this.acceptIfCurrent(chatId, ack.message);
        return;
      }
      error = ack.error;
    }
    // Offline, or the socket never answered: REST with the same client_id is safe to repeat.
    if (error === null || error === 'timeout') {
      try {
        const message = await firstValueFrom(
          this.api.send(chatId, pending.content, pending.clientId, pending.private),
        );
        this.acceptIfCurrent(chatId, message);
        return;
      } catch (err) {
        error = err instanceof HttpErrorResponse && err.status === 429 ? 'rate_limited' : 'http';
      }
    }
    if (chatId === this.chatId)
      this.setPending(pending.clientId, { status: 'failed', error: failureText(error) });
  }

  private acceptIfCurrent(chatId: string, message: SupportMessage): void {
    if (chatId === this.chatId) this.accept(message);
  }

  private setPending(clientId: string, patch: Partial<PendingMessage>): void {
    this.pending.update((list) =>
      list.map((p) => (p.clientId === clientId ? { ...p, ...patch } : p)),
    );
  }

  // A user message that lands while the agent is looking at the chat must not leave it
  // "unread" in everyone's list; one that lands in a hidden tab must.
  private userMessageSeen(): void {
    if (!this.onScreen()) {
      this.viewOwed = true;
      return;
    }
    this.scheduleRecordView();
  }

  private onScreen(): boolean {
    return this.document.visibilityState === 'visible';
  }

  private async recordView(chatId: string): Promise<void> {
    if (this.socket.connected()) {
      const ack = await this.socket.markViewed(chatId);
      if (ack.ok) return;
    }
    // The contract's own way: fetching the chat records the view (and catches up on the way).
    // Only reached while the chat is on screen, so the side effect is the point here.
    try {
      const chat = await firstValueFrom(this.api.get(chatId));
      if (chatId === this.chatId) this.applyChat(chat);
    } catch {
      // The next message or visit records it.
    }
  }

  private recordViewNow(chatId: string): void {
    if (this.recordViewTimer) {
      clearTimeout(this.recordViewTimer);
      this.recordViewTimer = null;
    }
    this.chats.markViewed(chatId);
    void this.recordView(chatId);
  }

  private scheduleRecordView(): void {
    if (this.recordViewTimer) clearTimeout(this.recordViewTimer);
    this.recordViewTimer = setTimeout(() => {
      this.recordViewTimer = null;
      const chatId = this.chatId;
      if (!chatId) return;
      // Hidden again before the delay was up: the messages wait for the agent's return.
      if (!this.onScreen()) {
        this.viewOwed = true;
        return;
      }
      this.recordViewNow(chatId);
    }, RECORD_VIEW_DELAY_MS);
  }
}
