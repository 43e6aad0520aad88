import { ApiError, SupportApi, type FetchLike } from './api.js';
import { newClientId } from './ids.js';
import { MessageStore } from './message-store.js';
import { Outbox, type KeyValueStorage } from './outbox.js';
import { readClaims } from './token.js';
import type { Transport, TransportFactory } from './transport.js';
import {
  MAX_CONTENT_LENGTH,
  type Availability,
  type MessagesReadEvent,
  type PendingMessage,
  type SupportMessage,
} from './types.js';

/** How far back a catch-up reads a chat it only ever saw empty: 25 pages of 200. */
const BACKFILL_PAGES = 25;

export interface SessionListener {
  /** Anything the view shows changed. */
  changed(): void;
  /** Messages joined the chat; `live` is false for history (first load, older pages). */
  messagesAdded(messages: SupportMessage[], live: boolean): void;
  tokenExpired(): void;
}

export interface SessionOptions {
  transport: TransportFactory;
  storage: KeyValueStorage | null;
  fetch?: FetchLike;
  /** Delay before retrying work that failed while the connection looked up. */
  retryDelayMs?: number;
  /** How many messages one catch-up request asks for (the server allows up to 1000). */
  catchUpPage?: number;
}

/** How long an agent's "is typing" lasts without a repeat, and how often the user's is repeated. */
export const TYPING_LAPSE_MS = 6000;
export const TYPING_EVERY_MS = 2000;

/**
 * Everything the element knows about the conversation, apart from how it is drawn: the history,
 * the outbox, the connection and the read state. It exists so the delivery rules (catch up after
 * every reconnect, resend with the same client_id, each message once) can be tested without a
 * browser.
 */
export class ChatSession {
  readonly store = new MessageStore();
  private readonly outbox: Outbox;
  private server = '';
  private token = '';
  private userKey: string | null = null;
  private api: SupportApi | null = null;
  private transport: Transport | null = null;
  private generation = 0;
  private expired = false;
  private syncing: Promise<void> | null = null;
  private resyncWanted = false;
  private flushing: Promise<void> | null = null;
  private reflushWanted = false;
  private markingRead = false;
  private readonly retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private viewing = false;
  /** Subscribed and caught up since the last connect: only then may the outbox go out. */
  private ready = false;
  /** The chat was found gone and forgotten; set until a subscribe to the next one succeeds. */
  private gone = false;
  /**
   * The catch-up cursor: the newest message of the last fetch that joined what the session had
   * fetched before, so everything up to it is known to be held. Not the newest message held: one
   * relayed live while an earlier one was still on its way (or lost with a dropped socket) would
   * make the next catch-up start after the gap.
   */
  private fetchedUpTo: string | null = null;

  chatId: string | null = null;
  hasMore = false;
  loaded = false;
  loadingOlder = false;
  connected = false;
  /** The team's availability as the server last said; null until it has. */
  availability: Availability | null = null;
  /** The rating prompt: 1 while asking (an agent archived the chat), 2 once rated, 0 otherwise. */
  rating = 0;
  /** An agent typing in this chat (their name, when known), until they stop, send or go quiet. */
  agentTyping: { name: string | null } | null = null;
  private agentTypingTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the user's "typing" last went out; null while they are not typing. */
  private typingSentAt: number | null = null;

  constructor(
    private readonly listener: SessionListener,
    private readonly options: SessionOptions,
  ) {
    this.outbox = new Outbox(options.storage);
  }

  get pending(): readonly PendingMessage[] {
    return this.outbox.pending;
  }

  get unreadCount(): number {
    return this.store.unreadFrom('admin');
  }

  get active(): boolean {
    return this.transport !== null;
  }

  /**
   * (Re)connects as the holder of `token`. The same user keeps history and outbox, so a refreshed
   * token picks up where the old one stopped; another user starts from their own.
   */
  start(server: string, token: string): void {
    const claims = readClaims(token);
    const userKey = claims?.sub ? `${server}|${claims.sub}` : null;
    const sameUser = userKey !== null && userKey === this.userKey && server === this.server;
    if (server === this.server && token === this.token && this.transport) return;
    this.stop();
    this.generation++;
    this.server = server;
    this.token = token;
    this.expired = false;
    if (!sameUser) {
      this.userKey = userKey;
      this.forgetChat();
      this.outbox.load(userKey);
    }
    this.api = new SupportApi(server, token, this.options.fetch);
    const generation = this.generation;
    const guard =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (generation === this.generation) fn(...args);
      };
    this.transport = this.options.transport(server, token, {
      connect: guard(() => {
        this.connected = true;
        this.listener.changed();
        void this.sync();
      }),
      disconnect: guard(() => {
        this.connected = false;
        this.ready = false;
        this.typingSentAt = null;
        this.setAgentTyping(null);
        this.listener.changed();
      }),
      unauthorized: guard(() => this.expire()),
      newMessage: guard((event) => {
        if (event.chat_id !== this.chatId) return;
        // The agent who was typing has sent: their indicator goes at once.
        if (event.message.sender_type === 'admin' && this.agentTyping?.name === event.message.sender_name) this.setAgentTyping(null);
        this.add([event.message], true);
      }),
      typing: guard((event) => {
        if (event.chat_id !== this.chatId || event.sender_type !== 'admin' || event.private) return;
        this.setAgentTyping(event.typing ? { name: event.sender_name } : null);
      }),
      messagesRead: guard((event) => this.applyRead(event)),
      ratingRequested: guard((event) => {
        if (event.chat_id === this.chatId) this.setRating(1);
      }),
      availability: guard((event) => {
        if (event.status === this.availability) return;
        this.availability = event.status;
        this.listener.changed();
      }),
    });
    this.listener.changed();
    if (!this.loaded) void this.loadFirstPage().catch((error: unknown) => this.handleFailure(error));
  }

  /** Drops the connection and timers; history and outbox stay for a later start(). */
  stop(): void {
    this.generation++;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.ready = false;
    this.typingSentAt = null;
    this.setAgentTyping(null, false);
    this.transport?.close();
    this.transport = null;
    this.api = null;
    this.syncing = null;
    this.flushing = null;
    if (this.connected) {
      this.connected = false;
      this.listener.changed();
    }
  }

  /** Signs out: drops the connection and forgets the conversation on screen (the outbox stays stored). */
  reset(): void {
    this.stop();
    this.server = '';
    this.token = '';
    this.userKey = null;
    this.store.clear();
    this.fetchedUpTo = null;
    this.outbox.load(null);
    this.chatId = null;
    this.hasMore = false;
    this.loaded = false;
    this.availability = null;
    this.rating = 0;
    this.listener.changed();
  }

  /** Whether the user can see the messages now; while they can, agent replies are marked read. */
  setViewing(viewing: boolean): void {
    this.viewing = viewing;
    if (viewing) void this.markRead();
  }

  /**
   * The user's draft changed: "typing" goes out at most every 2 s while there is text, and a
   * stop once it is cleared. Never stored on the server; a lost one lapses by itself.
   */
  draftChanged(text: string): void {
    if (text.trim() === '') return this.stopTyping();
    const now = Date.now();
    if (this.typingSentAt !== null && now - this.typingSentAt < TYPING_EVERY_MS) return;
    if (!this.chatId || !this.transport?.connected) return;
    this.typingSentAt = now;
    this.transport.typing({ chat_id: this.chatId, typing: true });
  }

  /** The user stopped (sent, left the field, cleared it): tell the agents once. */
  stopTyping(): void {
    if (this.typingSentAt === null) return;
    this.typingSentAt = null;
    if (this.chatId && this.transport?.connected) this.transport.typing({ chat_id: this.chatId, typing: false });
  }

  private setAgentTyping(typing: { name: string | null } | null, notify = true): void {
    if (this.agentTypingTimer) clearTimeout(this.agentTypingTimer);
    this.agentTypingTimer = typing ? setTimeout(() => this.setAgentTyping(null), TYPING_LAPSE_MS) : null;
    const changed = (this.agentTyping === null) !== (typing === null) || this.agentTyping?.name !== typing?.name;
    this.agentTyping = typing;
    if (changed && notify) this.listener.changed();
  }

  /** Queues a message; returns false when there is nothing to send. */
  send(text: string): boolean {
    const content = text.trim();
    if (content.length === 0 || content.length > MAX_CONTENT_LENGTH) return false;
    this.stopTyping();
    this.outbox.add({ client_id: newClientId(), content, created_at: new Date().toISOString() });
    // Writing again reopens the chat: the prompt for the archived conversation no longer applies.
    this.setRating(0);
    void this.flush();
    return true;
  }

  /** Sends the rating; any refusal (already rated, reopened meanwhile) just ends the prompt. */
  async rate(score: number, comment: string): Promise<void> {
    try {
      await this.api?.rate(score, comment.trim());
      this.setRating(2);
    } catch {
      this.setRating(0);
    }
  }

  private setRating(rating: number): void {
    this.rating = rating;
    this.listener.changed();
  }

  discard(clientId: string): void {
    if (this.outbox.remove(clientId)) this.listener.changed();
  }

  async loadOlder(): Promise<void> {
    const api = this.api;
    const oldest = this.store.first;
    if (!api || !oldest || !this.hasMore || this.loadingOlder) return;
    const generation = this.generation;
    this.loadingOlder = true;
    this.listener.changed();
    try {
      const page = await api.getChat({ before: oldest.id, limit: 50 });
      if (generation !== this.generation) return;
      this.hasMore = page.has_more;
      this.add(page.messages, false);
    } catch (error) {
      this.handleFailure(error);
    } finally {
      this.loadingOlder = false;
      this.listener.changed();
    }
  }

  private async loadFirstPage(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = this.generation;
    const chat = await api.getChat();
    if (generation !== this.generation) return;
    const firstLoad = !this.loaded;
    this.chatId = chat.id;
    if (firstLoad) this.hasMore = chat.has_more;
    this.loaded = true;
    // The newest page continues what was fetched only if it reaches back to the cursor (or is the
    // whole chat); otherwise the cursor stays and the next catch-up fills in from there.
    const newest = chat.messages.at(-1);
    const neverHeld = this.fetchedUpTo === null;
    const joins = neverHeld || !chat.has_more || chat.messages.some((m) => m.id === this.fetchedUpTo);
    if (newest && joins) this.fetchedUpTo = newest.id;
    this.add(chat.messages, !firstLoad);
    // Every fetch before found the chat empty, so all of it is news, and a gap behind this page
    // would sit between live messages and the page, where the history pager never looks.
    if (!firstLoad && neverHeld && chat.has_more && chat.messages[0]) await this.backfill(api, chat.messages[0].id, generation);
    if (generation !== this.generation) return;
    // An archive made while this page was away still asks; a failure here only skips the prompt.
    api.ratingStatus().then((r) => r.requested && generation === this.generation && this.setRating(1), () => undefined);
  }

  private async backfill(api: SupportApi, before: string, generation: number): Promise<void> {
    for (let pages = 0; pages < BACKFILL_PAGES; pages++) {
      const page = await api.getChat({ before, limit: 200 });
      if (generation !== this.generation) return;
      this.add(page.messages, true);
      const oldest = page.messages[0];
      if (!page.has_more || !oldest) return;
      before = oldest.id;
    }
  }

  /**
   * Runs on every (re)connect: join the chat's room first and only then fetch what was missed,
   * so nothing can fall between the two; the store drops the overlap. Then the outbox goes out.
   */
  private sync(): Promise<void> {
    if (this.syncing) {
      this.resyncWanted = true;
      return this.syncing;
    }
    const run = async (): Promise<void> => {
      do {
        this.resyncWanted = false;
        await this.syncOnce();
      } while (this.resyncWanted);
    };
    const generation = this.generation;
    this.syncing = run()
      .catch((error: unknown) => {
        if (generation === this.generation) this.handleFailure(error, 'sync', () => void this.sync());
      })
      .finally(() => {
        if (generation === this.generation) this.syncing = null;
      });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const generation = this.generation;
    if (!this.chatId) await this.loadFirstPage();
    const transport = this.transport;
    const api = this.api;
    if (generation !== this.generation || !transport || !api || !this.chatId) return;
    const ack = await transport.subscribe(this.chatId);
    if (generation !== this.generation) return;
    if (!ack.ok) {
      if (ack.error === 'unauthorized') this.expire();
      else if (this.chatGone(ack.error)) this.resyncWanted = true;
      return;
    }
    this.gone = false;
    if (this.fetchedUpTo) {
      // A full page means there may be more.
      const limit = this.options.catchUpPage ?? 1000;
      let after: string | undefined = this.fetchedUpTo;
      while (after) {
        const missed = await api.getMessagesAfter(after, limit);
        if (generation !== this.generation) return;
        const newest = missed.at(-1);
        if (newest) this.fetchedUpTo = newest.id;
        this.add(missed, true);
        after = missed.length >= limit ? newest?.id : undefined;
      }
    } else {
      await this.loadFirstPage();
    }
    if (generation !== this.generation) return;
    this.ready = true;
    void this.flush();
    void this.markRead();
  }

  private flush(): Promise<void> {
    if (this.flushing) {
      this.reflushWanted = true;
      return this.flushing;
    }
    const generation = this.generation;
    this.flushing = (async () => {
      do {
        this.reflushWanted = false;
        await this.flushOnce(generation);
      } while (this.reflushWanted && generation === this.generation);
    })().finally(() => {
      if (generation === this.generation) this.flushing = null;
    });
    return this.flushing;
  }

  /** Sends the outbox in order, one at a time, so the server stores them in the order typed. */
  private async flushOnce(generation: number): Promise<void> {
    for (const item of this.outbox.unsent) {
      const transport = this.transport;
      const chatId = this.chatId;
      if (generation !== this.generation || !transport?.connected || !chatId || !this.ready) return;
      // The echo on the socket may have confirmed it while an earlier one was in flight.
      if (!this.outbox.pending.some((p) => p.client_id === item.client_id)) continue;
      let ack: Awaited<ReturnType<Transport['send']>>;
      try {
        ack = await transport.send({ chat_id: chatId, content: item.content, client_id: item.client_id });
      } catch {
        // No ack in time: it stays in the outbox and goes again with the same client_id, which
        // the server recognises, after the next reconnect or a short wait.
        this.scheduleRetry('flush', () => void this.flush());
        return;
      }
      if (generation !== this.generation) return;
      if (ack.ok) {
        this.add([ack.message], true);
        continue;
      }
      switch (ack.error) {
        case 'invalid_content':
          this.outbox.markFailed(item.client_id);
          this.listener.changed();
          continue;
        case 'unauthorized':
          this.expire();
          return;
        case 'forbidden':
        case 'not_found':
          if (this.chatGone(ack.error)) void this.sync();
          return;
        default:
          this.scheduleRetry('flush', () => void this.flush());
          return;
      }
    }
  }

  /**
   * The server no longer knows the chat as this user's (the user was erased, or retention
   * deleted it): start over with the user's chat as it is now, unsent messages kept for it.
   * Once per loss, so a server that keeps refusing is not asked in a loop.
   */
  private chatGone(error: string): boolean {
    if (this.gone || (error !== 'forbidden' && error !== 'not_found')) return false;
    this.gone = true;
    this.forgetChat();
    this.listener.changed();
    return true;
  }

  private forgetChat(): void {
    this.store.clear();
    this.fetchedUpTo = null;
    this.chatId = null;
    this.hasMore = false;
    this.loaded = false;
    this.ready = false;
    this.rating = 0;
  }

  private add(messages: readonly SupportMessage[], live: boolean): void {
    const added = this.store.merge(messages);
    for (const m of messages) if (m.client_id) this.outbox.remove(m.client_id);
    if (added.length > 0) this.listener.messagesAdded(added, live);
    this.listener.changed();
    if (added.some((m) => m.sender_type === 'admin' && m.read_at === null)) void this.markRead();
  }

  private applyRead(event: MessagesReadEvent): void {
    if (event.chat_id !== this.chatId) return;
    // The server names the messages it marked; a reply it did not name is still unread, whatever
    // the clocks say.
    const ids = new Set(event.message_ids);
    const sender = event.reader === 'user' ? 'admin' : 'user';
    const changed = this.store.markRead(sender, event.read_at, (m) => ids.has(m.id));
    if (changed > 0) this.listener.changed();
  }

  /**
   * Marks read up to the newest agent reply in the conversation, which is on screen while the user
   * is viewing; a reply that reached the server but not yet the element stays unread there.
   */
  private async markRead(): Promise<void> {
    const api = this.api;
    if (!api || !this.viewing || this.markingRead || this.unreadCount === 0) return;
    const replies = this.store.messages.filter((m) => m.sender_type === 'admin');
    const upTo = replies[replies.length - 1];
    const shown = new Set(replies.map((m) => m.id));
    const generation = this.generation;
    this.markingRead = true;
    try {
      await api.markRead(upTo.id);
      if (generation !== this.generation) return;
      // What the server marked: the badge clears even if its messages_read never comes (socket down).
      this.store.markRead('admin', new Date().toISOString(), (m) => shown.has(m.id));
      this.listener.changed();
    } catch (error) {
      // Offline: the next sync marks them read.
      if (error instanceof ApiError && error.unauthorized) this.expire();
      return;
    } finally {
      this.markingRead = false;
    }
    // Replies that arrived during the request.
    if (this.unreadCount > 0) void this.markRead();
  }

  private expire(): void {
    if (this.expired) return;
    this.expired = true;
    // Retrying with a refused token only floods the server; a new token restarts everything.
    this.transport?.close();
    this.transport = null;
    this.generation++;
    this.ready = false;
    this.connected = false;
    this.listener.changed();
    this.listener.tokenExpired();
  }

  private handleFailure(error: unknown, retryKey?: string, retry?: () => void): void {
    if (error instanceof ApiError && error.unauthorized) {
      this.expire();
      return;
    }
    if (retryKey && retry && this.transport?.connected) this.scheduleRetry(retryKey, retry);
  }

  private scheduleRetry(key: string, fn: () => void): void {
    clearTimeout(this.retryTimers.get(key));
    const generation = this.generation;
    this.retryTimers.set(
      key,
      setTimeout(() => {
        this.retryTimers.delete(key);
        if (generation === this.generation && this.transport?.connected) fn();
      }, this.options.retryDelayMs ?? 3000),
    )
  }
}
