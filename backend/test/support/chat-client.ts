import { io } from 'socket.io-client';
import type { Ack, NewMessageEvent, SupportMessage } from '../../src/contracts/wire';
import { waitFor } from './instances';
import type { TestSocket } from './test-app';

type Transport = 'websocket' | 'polling';

export interface ChatClientOptions {
  /** Base URL of an instance or of the load balancer in front of several. */
  url: string;
  token: string;
  chatId: string;
  kind: 'user' | 'agent';
  transports?: Transport[];
  /** Socket.IO's own reconnection (to the same URL), as a browser behind a load balancer does. */
  autoReconnect?: boolean;
  /** How long a send waits for its ack before the client counts it as unanswered. */
  ackTimeoutMs?: number;
}

interface Pending {
  clientId: string;
  content: string;
}

/**
 * A client that keeps the promise as the element and the console mean to: after every
 * (re)connect it joins the chat's room, waits for the ack, catches up with `?after=`, and only
 * then sends its outbox again with the same `client_id`s; it keeps each message once by id.
 * (Its catch-up cursor is the newest message a fetch returned, not the newest it holds: see
 * sync().) It records what the server sent (repeats included) and every ack, so a test can
 * check what was delivered as well as what the client ends up showing.
 */
export class ChatClient {
  readonly socket: TestSocket;
  /** What the client shows, by id: live messages and catch-up together. */
  readonly byId = new Map<string, SupportMessage>();
  /** `new_message` payloads in arrival order, repeats included. */
  readonly live: SupportMessage[] = [];
  /** Messages the client wrote whose ack it has not had yet, oldest first. */
  readonly outbox: Pending[] = [];
  /** Every `{ok:true}` ack, by client_id: what the server promised is stored. */
  readonly acked = new Map<string, SupportMessage[]>();
  /** Completed join + catch-up rounds since the client was made. */
  syncs = 0;
  private readonly options: Required<ChatClientOptions>;
  /** Everything up to this message is held: the newest message a fetch returned. */
  private fetchedUpTo: SupportMessage | undefined;
  /** Joined and caught up on the current connection: only then may the outbox go out. */
  private ready = false;
  private flushing = false;
  private flushAgain = false;

  constructor(options: ChatClientOptions) {
    this.options = { transports: ['websocket'], autoReconnect: false, ackTimeoutMs: 5000, ...options };
    this.socket = io(`${this.options.url}/support`, {
      auth: { token: this.options.token },
      transports: this.options.transports,
      forceNew: true,
      autoConnect: false,
      reconnection: this.options.autoReconnect,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      reconnectionAttempts: 200,
    });
    this.socket.on('new_message', (e: NewMessageEvent) => {
      if (e.chat_id !== this.options.chatId) return;
      this.live.push(e.message);
      this.keep([e.message]);
    });
    this.socket.on('connect', () => {
      this.sync().catch(() => {
        // A sync cut short by another drop is redone on the next connect.
      });
    });
    this.socket.on('disconnect', () => (this.ready = false));
  }

  get chatId(): string {
    return this.options.chatId;
  }

  /** Connects (or reconnects after goOffline) and resolves once joined and caught up. */
  async connect(): Promise<void> {
    const before = this.syncs;
    this.socket.connect();
    await this.waitForSync(before);
  }

  /** Resolves once a join + catch-up round later than `after` has completed. */
  waitForSync(after = this.syncs, ms = 30_000): Promise<void> {
    return waitFor(`${this.options.kind} to rejoin and catch up`, () => this.syncs > after, ms);
  }

  /** The network goes away: the client hears nothing and sends nothing until connect(). */
  goOffline(): void {
    this.socket.disconnect();
  }

  /** Writes a message: it goes out now if the client is online, else after the next sync. */
  write(content: string, clientId: string): void {
    this.outbox.push({ clientId, content });
    void this.flush();
  }

  /**
   * One `send_message` as it is, outside the outbox's bookkeeping except for recording the
   * ack: null when no ack came (the connection dropped, or it timed out).
   */
  async sendOnce(content: string, clientId: string): Promise<Ack<{ message: SupportMessage }> | null> {
    if (!this.socket.connected) return null;
    const ack = await new Promise<Ack<{ message: SupportMessage }> | null>((resolve) => {
      this.socket
        .timeout(this.options.ackTimeoutMs)
        .emit('send_message', { chat_id: this.options.chatId, content, client_id: clientId }, (err: Error | null, res: Ack<{ message: SupportMessage }>) =>
          resolve(err ? null : res),
        );
    });
    if (ack?.ok) {
      this.acked.set(clientId, [...(this.acked.get(clientId) ?? []), ack.message]);
      this.keep([ack.message]);
      const i = this.outbox.findIndex((p) => p.clientId === clientId);
      if (i >= 0) this.outbox.splice(i, 1);
    }
    return ack;
  }

  /**
   * Sends whatever is still in the outbox, one at a time, in the order written; a write while
   * a flush runs gets a further round. Unanswered items stay for the next flush.
   */
  async flush(): Promise<void> {
    if (!this.ready || this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        for (const item of [...this.outbox]) {
          if (!this.ready) return;
          await this.sendOnce(item.content, item.clientId);
        }
      } while (this.flushAgain && this.ready);
    } finally {
      this.flushing = false;
    }
  }

  /** What the client shows, in the order the contract fixes (created_at, then id). */
  messages(): SupportMessage[] {
    return [...this.byId.values()].sort(byTime);
  }

  close(): void {
    this.socket.disconnect();
  }

  private async sync(): Promise<void> {
    const joined = await new Promise<Ack | null>((resolve) =>
      this.socket.timeout(this.options.ackTimeoutMs).emit('subscribe', { chat_id: this.options.chatId }, (err: Error | null, res: Ack) =>
        resolve(err ? null : res),
      ),
    );
    if (!joined?.ok) throw new Error(`subscribe failed: ${JSON.stringify(joined)}`);
    // Joined first, fetched second: a message is either in what we fetch or broadcast to us.
    // The cursor is the newest message a fetch returned, not the newest the client holds: an
    // ack of its own message (or a broadcast from this instance) can overtake the relay of an
    // earlier one from another instance, and a connection lost in between would otherwise
    // leave that earlier one behind the cursor for good.
    for (let page = 0; page < 100; page++) {
      const cursor = this.fetchedUpTo;
      const fetched = cursor ? await this.after(cursor.id) : await this.latest();
      this.keep(fetched);
      this.fetchedUpTo = fetched.at(-1) ?? cursor;
      if (fetched.length < 1000 || !cursor) break;
    }
    this.syncs++;
    this.ready = this.socket.connected;
    await this.flush();
  }

  private async after(id: string): Promise<SupportMessage[]> {
    const path =
      this.options.kind === 'user'
        ? `/api/support_chat/messages?after=${id}`
        : `/api/admin/chats/${this.options.chatId}/messages?after=${id}`;
    return this.get<SupportMessage[]>(path);
  }

  /** The whole history, newest page first and then back with `before=`, oldest first. */
  private async latest(): Promise<SupportMessage[]> {
    const base = this.options.kind === 'user' ? '/api/support_chat?limit=200' : `/api/admin/chats/${this.options.chatId}?view=false&limit=200`;
    let all: SupportMessage[] = [];
    for (let page = 0, before = ''; page < 100; page++) {
      const chat = await this.get<{ messages: SupportMessage[]; has_more: boolean }>(base + before);
      all = [...chat.messages, ...all];
      if (!chat.has_more || !chat.messages.length) break;
      before = `&before=${chat.messages[0].id}`;
    }
    return all;
  }

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(this.options.url + path, { headers: { authorization: `Bearer ${this.options.token}` } });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  private keep(messages: SupportMessage[]): void {
    for (const m of messages) if (m.chat_id === this.options.chatId) this.byId.set(m.id, m);
  }
}

export function byTime(a: SupportMessage, b: SupportMessage): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Ids that occur more than once in a list of messages. */
export function repeatedIds(messages: SupportMessage[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const m of messages) (seen.has(m.id) ? repeated : seen).add(m.id);
  return [...repeated];
}

/** One JSON call to the API with a bearer token; the body is whatever the server answered. */
export async function api<T>(base: string, token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body: body as T };
}

// emitAck and record as in test-app.ts, which these specs do not import: it loads the whole
// server in-process, seconds of start-up for suites that only drive built servers.

/** Emits with an ack and resolves with the server's answer. */
export function emitAck<T extends object = object>(socket: TestSocket, event: string, payload: unknown): Promise<Ack<T>> {
  return new Promise((resolve) => (socket.emit as (...args: unknown[]) => void)(event, payload, resolve));
}

/** Collects every `event` a socket receives, to assert later that something never arrived. */
export function record<T>(socket: TestSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event as never, ((payload: T) => seen.push(payload)) as never);
  return seen;
}
