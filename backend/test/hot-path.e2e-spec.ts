import Redis from 'ioredis';
import { Client } from 'pg';
import type { AdminSupportChat, ChatUpdatedEvent, NewMessageEvent, SupportChat, SupportChatPage, SupportMessage } from '../src/contracts/wire';
import { MessageRateLimiter } from '../src/messages/message-rate-limiter';
import { waitFor } from './support/instances';
import { emitAck, nextEvent, PG, startTestApp, type TestApp, type TestSocket } from './support/test-app';

type SendAck = { ok: true; message: SupportMessage } | { ok: false; error: string };

/**
 * The message path's budget, counted rather than timed: what a send costs Postgres, that a
 * resend is never refused, that an agent's view is atomic, and that the allowance is shared by
 * instances without a Redis round trip per message.
 */
describe('the hot path (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp({ MESSAGE_RATE_LIMIT: '5', MESSAGE_RATE_WINDOW_MS: '3600000' });
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  async function userSocket() {
    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const socket = await t.connect(token);
    expect(await emitAck(socket, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    return { token, chatId, socket };
  }
  const send = (socket: TestSocket, chatId: string, content: string, client_id?: string) =>
    emitAck(socket, 'send_message', { chat_id: chatId, content, client_id }) as Promise<SendAck>;

  /** Every statement this process sends to Postgres while `work` runs, whoever sends it. */
  async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      await work();
      return spy.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text));
    } finally {
      spy.mockRestore();
    }
  }

  it('stores a socket message in at most two statements, and relays it with none', async () => {
    const user = await userSocket();
    const agent = await t.connect(admin);
    expect(await emitAck(agent, 'subscribe_admin', {})).toEqual({ ok: true });
    expect(await emitAck(agent, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    await send(user.socket, user.chatId, 'warm up', 'warm-1');

    let relayed!: NewMessageEvent;
    let updated!: ChatUpdatedEvent;
    const statements = await statementsDuring(async () => {
      const live = nextEvent<NewMessageEvent>(agent, 'new_message', (e) => e.message.content === 'counted');
      const listed = nextEvent<ChatUpdatedEvent>(agent, 'chat_updated', (e) => e.chat.last_message_preview === 'counted');
      const ack = await send(user.socket, user.chatId, 'counted', 'counted-1');
      expect(ack.ok).toBe(true);
      [relayed, updated] = await Promise.all([live, listed]);
    });
    expect(statements.length).toBeLessThanOrEqual(2);
    expect(statements).toEqual([expect.stringContaining('support_send_message')]);
    expect(relayed.message.content).toBe('counted');
    // The list item comes from what the send returned, and says what the list would.
    const fromList = (await t.http<SupportChatPage>('/api/admin/chats?limit=200', { token: admin })).body.items.find(
      (c) => c.id === user.chatId,
    );
    expect(updated.chat).toEqual(fromList);
    expect(updated.chat).toMatchObject({ message_count: 2, unread: true, last_message_sender: 'user', archived: false });
  });

  it("stores an agent's socket reply in one statement", async () => {
    const user = await userSocket();
    const agent = await t.connect(admin);
    const statements = await statementsDuring(() => send(agent, user.chatId, 'on it', 'agent-1'));
    expect(statements.filter((s) => s.includes('support_send_message'))).toHaveLength(1);
    // The unread-reply email is scheduled after the ack; nothing else is on the send's way.
    expect(statements.filter((s) => !s.includes('support_send_message')).every((s) => /notification|support_messages/.test(s))).toBe(true);
  });

  it('never refuses nor counts a resend of a stored client_id, over the socket and REST', async () => {
    const user = await userSocket();
    const first = await send(user.socket, user.chatId, 'kept', 'keep-1');
    expect(first.ok).toBe(true);
    // Resends beyond the allowance of five: each answers the stored message and counts nothing.
    for (let i = 0; i < 7; i++) expect(await send(user.socket, user.chatId, 'kept', 'keep-1')).toEqual(first);
    const rest = await t.http('/api/support_chat/messages', { method: 'POST', token: user.token, body: { content: 'kept', client_id: 'keep-1' } });
    expect(rest.status).toBe(201);
    const { admin_id: _agent, private: _note, ...asUserSeesIt } = (first as unknown as { message: SupportMessage & { admin_id: null; private: false } })
      .message;
    expect(rest.body).toEqual(asUserSeesIt);
    for (const n of [2, 3, 4, 5]) expect((await send(user.socket, user.chatId, `new ${n}`, `keep-${n}`)).ok).toBe(true);
    expect(await send(user.socket, user.chatId, 'one too many', 'keep-6')).toEqual({ ok: false, error: 'rate_limited' });
    // Spent allowance or not, the outbox's resend after a lost ack still gets its message back.
    expect(await send(user.socket, user.chatId, 'kept', 'keep-1')).toEqual(first);
    const refusedRest = await t.http('/api/support_chat/messages', { method: 'POST', token: user.token, body: { content: 'x', client_id: 'keep-7' } });
    expect(refusedRest.status).toBe(429);
    const stored = (await t.http<SupportChat>('/api/support_chat', { token: user.token })).body.messages;
    expect(stored.map((m) => m.content)).toEqual(['kept', 'new 2', 'new 3', 'new 4', 'new 5']);
  });

  it('records an agent view in one statement, and GET ?view=false records none', async () => {
    const user = await userSocket();
    await send(user.socket, user.chatId, 'look at me', 'look-1');
    const unread = async () =>
      (await t.http<SupportChatPage>('/api/admin/chats?limit=200', { token: admin })).body.items.find(
        (c) => c.id === user.chatId,
      )?.unread;

    const peek = await t.http<AdminSupportChat>(`/api/admin/chats/${user.chatId}?view=false`, { token: admin });
    expect(peek.status).toBe(200);
    expect(peek.body.messages.map((m) => m.read_at)).toEqual([null]);
    expect(await unread()).toBe(true);
    expect((await t.http(`/api/admin/chats/${user.chatId}?view=maybe`, { token: admin })).status).toBe(400);

    const agent = await t.connect(admin);
    const statements = await statementsDuring(() => emitAck(agent, 'mark_read', { chat_id: user.chatId }));
    expect(statements.filter((s) => /support_messages|support_chats|support_record_view/.test(s) && !s.startsWith('\n  SELECT c.id, c.user_id'))).toEqual([
      expect.stringContaining('support_record_view'),
    ]);
    expect(await unread()).toBe(false);
  });

  describe('against a send that holds the chat', () => {
    let pg: Client;
    beforeAll(async () => {
      pg = new Client({ connectionString: `${PG}/${t.database}` });
      await pg.connect();
    });
    afterAll(() => pg.end());

    /** Resolves once some other session waits on a lock: the request under test is blocked. */
    const someoneWaitsOnALock = () =>
      waitFor('a session waiting on the chat lock', async () => {
        const { rows } = await pg.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n > 0;
      });

    it('keeps a view consistent with a message committed while it waits: seen and read together', async () => {
      const user = await userSocket();
      const holder = new Client({ connectionString: `${PG}/${t.database}` });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        const { rows } = await holder.query(`SELECT id FROM support_send_message($1, 'user', NULL, NULL, 'in flight', NULL)`, [user.chatId]);
        const view = t.http(`/api/admin/chats/${user.chatId}`, { token: admin });
        await someoneWaitsOnALock();
        await holder.query('COMMIT');
        expect((await view).status).toBe(200);
        const { rows: state } = await pg.query(
          `SELECT m.read_at IS NOT NULL AS read, m.created_at <= c.admin_viewed_at AS seen
           FROM support_messages m JOIN support_chats c ON c.id = m.chat_id WHERE m.id = $1`,
          [rows[0].id],
        );
        expect(state[0]).toEqual({ read: true, seen: true });
      } finally {
        await holder.end();
      }
    });

    it('never leaves a user message read while its chat shows unread, under concurrent sends and views', async () => {
      const user = await userSocket();
      const agent = await t.connect(admin);
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        work.push(t.http('/api/support_chat/messages', { method: 'POST', token: t.userToken({ sub: `storm-${i}` }), body: { content: 'x' } }));
        work.push(send(user.socket, user.chatId, `storm ${i}`, `storm-${i}`).catch(() => undefined));
        work.push(emitAck(agent, 'mark_read', { chat_id: user.chatId }));
      }
      await Promise.all(work);
      const { rows } = await pg.query(
        `SELECT count(*)::int AS n FROM support_messages m JOIN support_chats c ON c.id = m.chat_id
         WHERE m.chat_id = $1 AND m.sender_type = 'user'
           AND (m.read_at IS NOT NULL) <> (m.created_at <= COALESCE(c.admin_viewed_at, '-infinity'))`,
        [user.chatId],
      );
      expect(rows[0].n).toBe(0);
    });

    it('lets a client asking ?after= an earlier message get one that committed late, in commit order', async () => {
      const user = await userSocket();
      const first = (await send(user.socket, user.chatId, 'first', 'late-0')) as { message: SupportMessage };
      const holder = new Client({ connectionString: `${PG}/${t.database}` });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        const { rows } = await holder.query(`SELECT id FROM support_send_message($1, 'user', NULL, NULL, 'late', NULL)`, [user.chatId]);
        // Not yet committed: nobody sees it, and it cannot be skipped by what comes next.
        expect((await t.http(`/api/support_chat/messages?after=${first.message.id}`, { token: user.token })).body).toEqual([]);
        const next = t.http(`/api/admin/chats/${user.chatId}/messages`, { method: 'POST', token: admin, body: { content: 'after it' } });
        await someoneWaitsOnALock();
        await holder.query('COMMIT');
        expect((await next).status).toBe(201);
        const caught = (await t.http(`/api/support_chat/messages?after=${first.message.id}`, { token: user.token })).body as SupportMessage[];
        expect(caught.map((m) => m.content)).toEqual(['late', 'after it']);
        expect(caught[0].id).toBe(rows[0].id);
        expect(Date.parse(caught[0].created_at)).toBeLessThan(Date.parse(caught[1].created_at));
      } finally {
        await holder.end();
      }
    });
  });
});

describe('the message allowance across two instances (e2e)', () => {
  const WINDOW_MS = 600_000;
  const env = { MESSAGE_RATE_LIMIT: '4', MESSAGE_RATE_WINDOW_MS: String(WINDOW_MS) };
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp(env);
    b = await startTestApp({ ...env, DATABASE_URL: `${PG}/${a.database}`, REDIS_PREFIX: a.config.redisPrefix });
  });
  afterAll(async () => {
    await b.app.close();
    await a.close();
  });

  it('counts a sender on every instance together, reconciled through Redis', async () => {
    // Windows are aligned to the clock: start well inside one.
    await waitFor('a fresh window', () => WINDOW_MS - (Date.now() % WINDOW_MS) > 20_000, 30_000);
    const sub = `allowance-${Date.now()}`;
    const token = a.userToken({ sub });
    const chatId = (await a.http<SupportChat>('/api/support_chat', { token })).body.id;
    const onA = await a.connect(token);
    const onB = await b.connect(token);
    for (const n of [1, 2, 3]) expect((await send(onA, chatId, `a${n}`)).ok).toBe(true);
    const redis = new Redis(a.config.redisUrl);
    try {
      const key = `${a.config.redisPrefix}:rl:msg:user:${sub}:${Math.floor(Date.now() / WINDOW_MS)}`;
      await waitFor('instance A to share its count', async () => Number(await redis.get(key)) === 3);
    } finally {
      await redis.quit();
    }
    // B has never seen this sender: it admits the first message and reconciles at once.
    expect((await send(onB, chatId, 'b1')).ok).toBe(true);
    await b.app.get(MessageRateLimiter).reconcile();
    expect(await send(onB, chatId, 'b2')).toEqual({ ok: false, error: 'rate_limited' });
    // A, which watches a sender past half its allowance on every round, refuses too.
    await a.app.get(MessageRateLimiter).reconcile();
    expect(await send(onA, chatId, 'a4')).toEqual({ ok: false, error: 'rate_limited' });
    const stored = (await a.http<SupportChat>('/api/support_chat', { token })).body.messages;
    expect(stored.map((m) => m.content)).toEqual(['a1', 'a2', 'a3', 'b1']);
  }, 60_000);

  function send(socket: TestSocket, chatId: string, content: string) {
    return emitAck(socket, 'send_message', { chat_id: chatId, content }) as Promise<SendAck>;
  }
});
