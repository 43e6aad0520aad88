import type { FetchLike } from '../src/internal/api.js';
import type { Transport, TransportFactory, TransportHandlers } from '../src/internal/transport.js';
import type { Ack, RoomMessage, SupportMessage } from '../src/internal/types.js';

let seq = 0;
const id = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

/** Base time for created_at values: strictly increasing, like the server's clock. */
let clock = Date.parse('2026-01-01T10:00:00.000Z');
const now = () => new Date((clock += 1000)).toISOString();

interface FakeSocket extends Transport {
  handlers: TransportHandlers;
  token: string;
  isConnected: boolean;
  closed: boolean;
}

/**
 * An in-memory stand-in for the backend's user-facing REST and socket contract, so the session's
 * delivery rules can be driven step by step: connect, drop, reply, lose an ack.
 */
export class FakeBackend {
  chatId = id();
  messages: RoomMessage[] = [];
  sockets: FakeSocket[] = [];
  requests: string[] = [];
  sends: { content: string; client_id: string }[] = [];
  /** Each `typing` the element sent, in order: true for typing, false for a stop. */
  typingSent: boolean[] = [];
  subscribes = 0;
  markReadCalls = 0;
  /** The `up_to` of each PATCH mark_read, in order (undefined when the request had none). */
  markReadUpTo: (string | undefined)[] = [];
  /** Ids the REST catch-up answered with, per request. */
  catchUps: string[][] = [];
  /** Runs once a subscribe is acknowledged: the room is joined, the catch-up not yet asked. */
  afterSubscribe: (() => void) | null = null;
  /** Runs once a catch-up answer is built, before the session sees it. */
  afterCatchUp: (() => void) | null = null;
  validTokens = new Set<string>();
  /** When set, send_message acks never come (the message may still be stored). */
  loseAcks = false;
  /** Echo new_message before the ack, as the server's room broadcast can. */
  echoBeforeAck = true;
  pageSize = 50;

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const method = init?.method ?? 'GET';
    const auth = new Headers(init?.headers).get('Authorization') ?? '';
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    if (!this.validTokens.has(auth.replace(/^Bearer /, ''))) return json(401, { statusCode: 401 });
    if (method === 'GET' && url.pathname === '/api/support_chat') {
      const before = url.searchParams.get('before');
      const limit = Number(url.searchParams.get('limit') ?? this.pageSize);
      const end = before ? this.messages.findIndex((m) => m.id === before) : this.messages.length;
      const start = Math.max(0, end - limit);
      return json(200, { id: this.chatId, messages: this.messages.slice(start, end), has_more: start > 0 });
    }
    if (method === 'GET' && url.pathname === '/api/support_chat/messages') {
      const after = url.searchParams.get('after');
      const index = this.messages.findIndex((m) => m.id === after);
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const missed = this.messages.slice(index + 1, index + 1 + limit);
      this.catchUps.push(missed.map((m) => m.id));
      this.afterCatchUp?.();
      return json(200, missed);
    }
    if (method === 'PATCH' && url.pathname === '/api/support_chat/mark_read') {
      this.markReadCalls++;
      const body = (init?.body ? JSON.parse(String(init.body)) : {}) as { up_to?: string };
      this.markReadUpTo.push(body.up_to);
      return json(200, { updated: this.markRead('user', body.up_to).length });
    }
    return json(404, { statusCode: 404 });
  };

  readonly transport: TransportFactory = (_server, token, handlers) => {
    const backend = this;
    const socket: FakeSocket = {
      handlers,
      token,
      isConnected: false,
      closed: false,
      get connected() {
        return this.isConnected;
      },
      async subscribe(chatId): Promise<Ack> {
        if (!socket.isConnected) throw new Error('not connected');
        backend.subscribes++;
        if (chatId !== backend.chatId) return { ok: false, error: 'forbidden' };
        const hook = backend.afterSubscribe;
        backend.afterSubscribe = null;
        hook?.();
        return { ok: true };
      },
      typing(payload) {
        if (socket.isConnected) backend.typingSent.push(payload.typing);
      },
      async send(payload) {
        if (!socket.isConnected) throw new Error('not connected');
        if (payload.chat_id !== backend.chatId) return { ok: false, error: 'forbidden' };
        backend.sends.push({ content: payload.content, client_id: payload.client_id });
        const message = backend.store(payload.content, 'user', payload.client_id);
        if (backend.loseAcks) throw new Error('ack timeout');
        if (backend.echoBeforeAck) backend.broadcast((h) => h.newMessage({ type: 'new_message', chat_id: backend.chatId, message }));
        const ack: Ack<{ message: RoomMessage }> = { ok: true, message };
        if (!backend.echoBeforeAck) queueMicrotask(() => backend.broadcast((h) => h.newMessage({ type: 'new_message', chat_id: backend.chatId, message })));
        return ack;
      },
      close() {
        socket.closed = true;
        socket.isConnected = false;
      },
    };
    this.sockets.push(socket);
    return socket;
  };

  /** The user's chat is deleted (an erase, retention): the next one starts empty, with a new id. */
  replaceChat(): void {
    this.chatId = id();
    this.messages = [];
  }

  /** A token for `sub` that this backend accepts. */
  userToken(sub: string, extra: Record<string, unknown> = {}): string {
    const token = fakeJwt({ sub, email: `${sub}@example.com`, ...extra });
    this.validTokens.add(token);
    return token;
  }

  get socket(): FakeSocket {
    const open = this.sockets.filter((s) => !s.closed);
    return open[open.length - 1];
  }

  /** Completes the handshake, or refuses it like the server does for a bad token. */
  connect(): void {
    const socket = this.socket;
    if (!this.validTokens.has(socket.token)) {
      socket.handlers.unauthorized();
      return;
    }
    socket.isConnected = true;
    socket.handlers.connect();
  }

  disconnect(): void {
    const socket = this.socket;
    socket.isConnected = false;
    socket.handlers.disconnect();
  }

  /** Stores a message the way the server does: idempotent per client_id. */
  store(
    content: string,
    sender: SupportMessage['sender_type'],
    clientId: string | null = null,
    agentName: string | null = 'Ana',
  ): RoomMessage {
    const existing = clientId ? this.messages.find((m) => m.client_id === clientId) : undefined;
    if (existing) return existing;
    const message: RoomMessage = {
      id: id(),
      chat_id: this.chatId,
      content,
      sender_type: sender,
      read_at: null,
      created_at: now(),
      client_id: clientId,
      sender_name: sender === 'admin' ? agentName : null,
      admin_id: sender === 'admin' ? 'agent-ana' : null,
      private: false,
    };
    this.messages.push(message);
    return message;
  }

  /** An agent reply, stored and pushed to connected sockets; `agentName` null for a reply with no name. */
  reply(content: string, agentName: string | null = 'Ana'): RoomMessage {
    const message = this.store(content, 'admin', null, agentName);
    this.push(message);
    return message;
  }

  /** Sends a stored message to the connected sockets as new_message (again, if it went before). */
  push(message: RoomMessage): void {
    this.broadcast((h) => h.newMessage({ type: 'new_message', chat_id: this.chatId, message }));
  }

  /**
   * Marks the other side's unread messages read, like the server: all of them, or only those up to
   * `upTo` (by created_at) when given; broadcasts messages_read with exactly the ids it marked.
   */
  markRead(reader: SupportMessage['sender_type'], upTo?: string): string[] {
    const written = reader === 'user' ? 'admin' : 'user';
    const bound = upTo === undefined ? undefined : this.messages.find((m) => m.id === upTo);
    if (upTo !== undefined && !bound) throw new Error(`up_to ${upTo} is not a message of this chat`);
    const at = now();
    const ids: string[] = [];
    this.messages = this.messages.map((m) => {
      if (m.sender_type !== written || m.read_at || (bound && m.created_at > bound.created_at)) return m;
      ids.push(m.id);
      return { ...m, read_at: at };
    });
    if (ids.length > 0) {
      this.broadcast((h) =>
        h.messagesRead({ type: 'messages_read', chat_id: this.chatId, reader, read_at: at, message_ids: ids }),
      );
    }
    return ids;
  }

  /** An agent's typing signal, as the server relays it. */
  agentTyping(typing: boolean, agentName: string | null = 'Ana'): void {
    this.broadcast((h) => h.typing({ type: 'typing', chat_id: this.chatId, sender_type: 'admin', sender_name: agentName, typing }));
  }

  private broadcast(fn: (handlers: TransportHandlers) => void): void {
    for (const s of this.sockets) if (s.isConnected && !s.closed) fn(s.handlers);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** Lets every pending promise and zero-delay task run, to check that nothing more happens. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

export class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

/** A token the session can read claims from (the fake backend checks it by value). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}.sig`;
}
