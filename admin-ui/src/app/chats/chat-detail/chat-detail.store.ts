import { DOCUMENT, DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { HttpErrorResponse } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { AckErrorCode, AdminSupportChat, SupportMessage } from '../../core/api.types';
import { ChatsApi } from '../../core/chats-api.service';
import { newClientId } from '../../core/client-id';
import { SocketService } from '../../core/socket.service';
import { ChatsStore } from '../chats.store';
import { compareMessages, markAgentMessagesRead, mergeMessages } from './message-list';

export interface ChatHeader {
  user_id: string;
  user_email: string;
  user_name: string | null;
  archived: boolean;
}

export interface PendingMessage {
  clientId: string;
  content: string;
  status: 'sending' | 'failed';
  error: string | null;
}

export type LoadStatus = 'loading' | 'ready' | 'not_found' | 'error';

// Long enough to batch a burst of user messages into one "viewed" write.
const RECORD_VIEW_DELAY_MS = 1_000;

/**
 * One open conversation: its messages from REST, the socket room and the send acks, merged
 * by id so nothing shows twice; sends carry a client_id so a retry never stores twice.
 */
@Injectable()
export class ChatDetailStore {
  private readonly api = inject(ChatsApi);
  private readonly socket = inject(SocketService);
  private readonly chats = inject(ChatsStore);
  private readonly document = inject(DOCUMENT);
  private chatId: string | null = null;
  private recordViewTimer: ReturnType<typeof setTimeout> | null = null;
  private unseenWhileHidden = false;

  readonly header = signal<ChatHeader | null>(null);
  readonly messages = signal<SupportMessage[]>([]);
  readonly pending = signal<PendingMessage[]>([]);
  readonly hasMore = signal(false);
  readonly loadingOlder = signal(false);
  readonly status = signal<LoadStatus>('loading');
  readonly archiving = signal(false);

  constructor() {
    const destroyRef = inject(DestroyRef);
    this.socket
      .on('new_message')
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe((event) => {
        if (event.chat_id !== this.chatId) return;
        this.accept(event.message);
        if (event.message.sender_type === 'user') this.userMessageSeen();
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
        if (chat.id !== this.chatId) return;
        this.header.set({
          user_id: chat.user_id,
          user_email: chat.user_email,
          user_name: chat.user_name,
          archived: chat.archived,
        });
      });
    this.socket.reconnected$
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => void this.catchUp());

    const onVisible = (): void => {
      if (this.document.visibilityState === 'visible' && this.unseenWhileHidden) {
        this.unseenWhileHidden = false;
        this.scheduleRecordView();
      }
    };
    this.document.addEventListener('visibilitychange', onVisible);
    destroyRef.onDestroy(() => {
      this.document.removeEventListener('visibilitychange', onVisible);
      this.close();
    });
  }

  async open(chatId: string): Promise<void> {
    if (chatId === this.chatId) return;
    this.close();
    this.chatId = chatId;
    this.header.set(null);
    this.messages.set([]);
    this.pending.set([]);
    this.hasMore.set(false);
    this.status.set('loading');
    // Join before fetching: a message sent in between arrives by the room and merges by id.
    this.socket.joinChat(chatId);
    this.chats.markViewed(chatId);
    // Back on the list, the keyboard continues from the chat just read.
    this.chats.selectedId.set(chatId);
    this.chats.openChatId.set(chatId);
    try {
      const chat = await firstValueFrom(this.api.get(chatId));
      if (chatId !== this.chatId) return;
      this.applyChat(chat);
      this.hasMore.set(chat.has_more);
      this.status.set('ready');
    } catch (err) {
      if (chatId !== this.chatId) return;
      const missing =
        err instanceof HttpErrorResponse && (err.status === 404 || err.status === 400);
      this.status.set(missing ? 'not_found' : 'error');
    }
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
      const page = await firstValueFrom(this.api.get(chatId, oldest.id));
      if (chatId !== this.chatId) return;
      this.messages.update((list) => mergeMessages(list, page.messages));
      this.hasMore.set(page.has_more);
    } catch {
      // The button stays; the agent can scroll up again to retry.
    } finally {
      this.loadingOlder.set(false);
    }
  }

  send(content: string): void {
    const text = content.trim();
    if (!text || !this.chatId) return;
    const pending: PendingMessage = {
      clientId: newClientId(),
      content: text,
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

  /** After a reconnect: whatever was broadcast while offline is fetched instead. */
  async catchUp(): Promise<void> {
    const chatId = this.chatId;
    if (!chatId || this.status() !== 'ready') return;
    const newestKnown = this.messages().at(-1);
    try {
      const chat = await firstValueFrom(this.api.get(chatId));
      if (chatId !== this.chatId) return;
      const oldestFetched = chat.messages[0];
      // More than a page arrived while offline: fill the gap between the two.
      if (
        newestKnown &&
        chat.has_more &&
        oldestFetched &&
        compareMessages(oldestFetched, newestKnown) > 0
      ) {
        const gap = await firstValueFrom(this.api.messagesAfter(chatId, newestKnown.id));
        if (chatId !== this.chatId) return;
        this.messages.update((list) => mergeMessages(list, gap));
      }
      this.applyChat(chat);
    } catch {
      // The next reconnect or new message tries again.
    }
  }

  private close(): void {
    const chatId = this.chatId;
    if (!chatId) return;
    this.socket.leaveChat(chatId);
    if (this.chats.openChatId() === chatId) this.chats.openChatId.set(null);
    // The agent saw those messages: record it now rather than drop it with the timer.
    if (this.recordViewTimer) {
      clearTimeout(this.recordViewTimer);
      this.recordViewTimer = null;
      void this.recordView(chatId);
    }
    this.chatId = null;
  }

  private applyChat(chat: AdminSupportChat): void {
    this.header.set({
      user_id: chat.user_id,
      user_email: chat.user_email,
      user_name: chat.user_name,
      archived: chat.archived,
    });
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
    const payload = { chat_id: chatId, content: pending.content, client_id: pending.clientId };
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
          this.api.send(chatId, pending.content, pending.clientId),
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

  // The server marks a chat viewed when it is fetched; a user message that lands while the
  // agent is looking at the chat must not leave it "unread" in everyone's list.
  private userMessageSeen(): void {
    if (this.document.visibilityState === 'hidden') {
      this.unseenWhileHidden = true;
      return;
    }
    this.scheduleRecordView();
  }

  private async recordView(chatId: string): Promise<void> {
    if (this.socket.connected()) {
      const ack = await this.socket.markViewed(chatId);
      if (ack.ok) return;
    }
    // The contract's own way: fetching the chat records the view (and catches up on the way).
    try {
      const chat = await firstValueFrom(this.api.get(chatId));
      if (chatId === this.chatId) this.applyChat(chat);
    } catch {
      // The next message or visit records it.
    }
  }

  private scheduleRecordView(): void {
    if (this.recordViewTimer) clearTimeout(this.recordViewTimer);
    this.recordViewTimer = setTimeout(() => {
      this.recordViewTimer = null;
      const chatId = this.chatId;
      if (!chatId) return;
      this.chats.markViewed(chatId);
      void this.recordView(chatId);
    }, RECORD_VIEW_DELAY_MS);
  }
}

function failureText(error: AckErrorCode | 'http' | null): string {
  switch (error) {
    case 'invalid_content':
      return 'Not sent: a message is 1 to 5000 characters.';
    case 'rate_limited':
      return 'Not sent: too many messages, wait a moment.';
    case 'forbidden':
    case 'not_found':
      return 'Not sent: this chat is not available.';
    default:
      return 'Not sent.';
  }
}
