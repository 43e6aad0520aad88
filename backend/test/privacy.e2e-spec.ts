import { request } from 'node:http';
import Redis from 'ioredis';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { DataSource } from 'typeorm';
import { ChatEvents, type ChatEvent } from '../src/common/chat-events';
import { UserDataRegistry } from '../src/common/user-data';
import type { CreatedApiKey, SupportChat, SupportLabel, SupportMessage } from '../src/contracts/wire';
import { NotifyScheduler } from '../src/notifications/notify-scheduler.service';
import { ReplyNotifier } from '../src/notifications/reply-notifier.service';
import { RedisTraces } from '../src/privacy/redis-traces';
import { addAgent } from './support/agents';
import { TestSmtp } from './support/smtp';
import { emitAck, nextEvent, startTestApp, type TestApp } from './support/test-app';

/** Every place in Postgres (any table, any text, json, uuid or array column) holding one of `needles`. */
async function dbTraces(db: DataSource, needles: string[]): Promise<string[]> {
  const columns: { table_name: string; column_name: string }[] = await db.query(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
       AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'uuid', 'ARRAY', 'tsvector')`,
  );
  expect(columns.length).toBeGreaterThan(30);
  const found: string[] = [];
  for (const { table_name, column_name } of columns) {
    const hits: { n: string }[] = await db.query(
      `SELECT n FROM unnest($1::text[]) n WHERE EXISTS (SELECT 1 FROM "${table_name}" WHERE position(lower(n) IN lower("${column_name}"::text)) > 0)`,
      [needles],
    );
    for (const { n } of hits) found.push(`${table_name}.${column_name} has ${n}`);
  }
  return found;
}

/** Every Redis key under the app's prefix whose name or value (string, hash, list, set, zset, stream) holds one of `needles`. */
async function redisTraces(redis: Redis, prefix: string, needles: string[]): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  const found: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    const values: string[] =
      type === 'string' ? [(await redis.get(key)) ?? '']
      : type === 'hash' ? Object.entries(await redis.hgetall(key)).flat()
      : type === 'list' ? await redis.lrange(key, 0, -1)
      : type === 'set' ? await redis.smembers(key)
      : type === 'zset' ? await redis.zrange(key, 0, -1)
      : type === 'stream' ? (await redis.xrange(key, '-', '+')).flatMap(([, fields]) => fields)
      : [];
    for (const n of needles) {
      if (key.includes(n)) found.push(`key ${key} names ${n}`);
      if (values.some((v) => v.includes(n))) found.push(`${type} ${key} holds ${n}`);
    }
  }
  return found;
}

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };
/** The export document, as far as these tests read it. */
type UserExport = {
  format: string;
  exported_at: string;
  external_id: string;
  profile: unknown[];
  chat: { activity: unknown[] }[];
  messages: { sender_type: string; content: string; private: boolean }[];
  email_notifications: unknown[];
  ratings: unknown[];
};

describe('export and erase (e2e)', () => {
  const smtp = new TestSmtp();
  let t: TestApp;
  let db: DataSource;
  let redis: Redis;
  let admin: string;
  let ana: Awaited<ReturnType<typeof addAgent>>;
  let privacy: CreatedApiKey;

  beforeAll(async () => {
    t = await startTestApp({ SMTP_URL: await smtp.start(), NOTIFY_DELAY_MS: '60000' });
    db = t.app.get(DataSource);
    redis = new Redis(t.config.redisUrl);
    admin = await t.adminToken();
    ana = await addAgent(t, admin, 'Ana');
    privacy = (await t.http<CreatedApiKey>('/api/admin/api-keys', { method: 'POST', token: admin, body: { name: 'Privacy desk', scopes: ['privacy'] } })).body;
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
    await smtp.stop();
  });

  const erase = <T = unknown>(sub: string) => t.http<T>(`/api/server/users/${encodeURIComponent(sub)}`, { method: 'DELETE', token: privacy.key });
  const exportOf = (sub: string) => t.http<UserExport>(`/api/server/users/${encodeURIComponent(sub)}/export`, { token: privacy.key });
  const agentPost = (chatId: string, content: string, note = false) =>
    t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: ana.token, body: { content, private: note } });

  /**
   * A user with everything the product keeps about one: messages, a note, a label, an
   * assignment, an email sent and one queued, a rating, rate-limit counts and broadcasts.
   */
  async function richUser() {
    const sub = `person-${Math.random().toString(36).slice(2, 10)}`;
    const email = `grace.${sub}@example.org`;
    const token = t.userToken({ sub, email, name: 'Grace Hopper', return_url: 'https://app.example.org/help' });
    const first = await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content: 'My invoice is wrong' } });
    const chatId = first.body.chat_id;
    const socket = await t.connect(token);
    expect(await emitAck(socket, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: 'It says 40 instead of 4' } });
    const label = await t.http<SupportLabel>('/api/admin/labels', {
      method: 'POST',
      token: admin,
      body: { name: `billing-${Math.random().toString(36).slice(2, 8)}` },
    });
    expect((await t.http(`/api/admin/chats/${chatId}/labels`, { method: 'POST', token: ana.token, body: { label_id: label.body.id } })).status).toBe(200);
    expect((await t.http(`/api/admin/chats/${chatId}/assign`, { method: 'POST', token: admin, body: { agent_id: ana.id } })).status).toBe(200);
    expect((await agentPost(chatId, `${email} was double-charged`, true)).status).toBe(201);
    const reply = await agentPost(chatId, 'Fixing it now');
    // The first reply is overdue, so its email goes out; the second waits in Bull.
    expect(reply.status).toBe(201);
    await db.query(`UPDATE support_messages SET created_at = created_at - interval '5 minutes' WHERE chat_id = $1`, [chatId]);
    expect(await t.app.get(ReplyNotifier).process(chatId, false)).toEqual({ kind: 'sent' });
    const rating = nextEvent(socket, 'rating_requested');
    expect((await agentPost(chatId, 'Done, refunded')).status).toBe(201);
    await t.app.get(NotifyScheduler).scheduleFor(chatId);
    expect((await t.http(`/api/admin/chats/${chatId}/archive`, { method: 'POST', token: ana.token })).status).toBe(200);
    await rating;
    expect((await t.http('/api/support_chat/rating', { method: 'POST', token, body: { score: 4, comment: 'Quick, thanks Grace' } })).status).toBe(201);
    socket.disconnect();
    const [user]: { id: string }[] = await db.query(`SELECT id FROM users WHERE external_id = $1`, [sub]);
    return { sub, email, token, chatId, userId: user.id };
  }

  it('exports profile, chat, messages with notes flagged, ratings and emails sent', async () => {
    const u = await richUser();
    const res = await exportOf(u.sub);
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['format', 'exported_at', 'external_id', 'profile', 'chat', 'messages', 'email_notifications', 'ratings']));
    expect(doc.external_id).toBe(u.sub);
    expect(doc.profile).toEqual([expect.objectContaining({ id: u.userId, external_id: u.sub, email: u.email, name: 'Grace Hopper', return_url: 'https://app.example.org/help' })]);
    expect(doc.chat).toEqual([expect.objectContaining({ id: u.chatId, labels: [expect.stringMatching(/^billing-/)], archived_at: expect.any(String) })]);
    expect(doc.chat[0].activity).toEqual([expect.objectContaining({ kind: 'assigned', assignee_name: 'Ana' })]);
    expect(doc.messages.map((m) => [m.sender_type, m.private, m.content])).toEqual([
      ['user', false, 'My invoice is wrong'],
      ['user', false, 'It says 40 instead of 4'],
      ['admin', true, `${u.email} was double-charged`],
      ['admin', false, 'Fixing it now'],
      ['admin', false, 'Done, refunded'],
    ]);
    expect(doc.ratings).toEqual([expect.objectContaining({ score: 4, comment: 'Quick, thanks Grace' })]);
    expect(doc.email_notifications).toEqual([expect.objectContaining({ recipient: u.email, status: 'sent' })]);
    expect(smtp.mails.some((m) => m.text?.includes('Fixing it now'))).toBe(true);

    expect((await exportOf('nobody-at-all')).status).toBe(404);
    expect((await exportOf('nobody-at-all')).body).toEqual({ statusCode: 404, message: 'No user with this external_id', error: 'Not Found' });
  });

  it('streams a 5,000-message export in chunks, reading messages in keyset pages, and erases it in pages', async () => {
    const sub = `long-${Date.now()}`;
    const token = t.userToken({ sub });
    const chatId = (await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content: 'first' } })).body.chat_id;
    await db.query(
      `INSERT INTO support_messages (chat_id, content, sender_type, created_at, updated_at)
       SELECT $1, 'message ' || g, 'user', now() + g * interval '1 millisecond', now() FROM generate_series(1, 5000) g`,
      [chatId],
    );
    const query = jest.spyOn(db, 'query');
    const { headers, chunks, body } = await new Promise<{ headers: Record<string, unknown>; chunks: number; body: string }>((resolve, reject) => {
      const req = request(`${t.url}/api/server/users/${sub}/export`, { headers: { authorization: `Bearer ${privacy.key}` } }, (res) => {
        let n = 0;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          n++;
          parts.push(c);
        });
        res.on('end', () => resolve({ headers: res.headers, chunks: n, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    const pages = query.mock.calls.filter(([sql]) => typeof sql === 'string' && sql.includes('FROM support_messages')).length;
    query.mockRestore();
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['content-length']).toBeUndefined();
    expect(chunks).toBeGreaterThan(1);
    const doc = JSON.parse(body);
    expect(doc.messages).toHaveLength(5001);
    expect(doc.messages[0].content).toBe('first');
    expect(doc.messages[5000].content).toBe('message 5000');
    expect(new Set(doc.messages.map((m: { id: string }) => m.id)).size).toBe(5001);
    // 5,001 messages in pages of 500: eleven reads, never one for the whole history.
    expect(pages).toBe(11);

    // Its erase deletes the history a page of 5,000 at a time.
    const erasing = jest.spyOn(db, 'query');
    expect((await erase(sub)).status).toBe(204);
    const deletes = erasing.mock.calls.filter(([sql]) => typeof sql === 'string' && sql.startsWith('DELETE FROM support_messages')).length;
    erasing.mockRestore();
    expect(deletes).toBe(2);
    expect(await db.query(`SELECT count(*)::int AS n FROM support_messages WHERE chat_id = $1`, [chatId])).toEqual([{ n: 0 }]);
  });

  it('erases a user, leaving no row, job or Redis key that names them, and a token for them starts afresh', async () => {
    const u = await richUser();
    const needles = [u.userId, u.email, u.sub, u.chatId];
    // Positive controls: the scans see the user where they are before the erase.
    const before = await dbTraces(db, needles);
    for (const where of ['users.external_id', 'support_messages.content', 'support_email_notifications.recipient', 'support_chat_ratings.chat_id']) {
      expect(before.join('\n')).toContain(where);
    }
    const inRedis = await redisTraces(redis, t.config.redisPrefix, needles);
    expect(inRedis.some((l) => l.includes(':bull:notifications:reply:'))).toBe(true);
    expect(inRedis.some((l) => l.includes(`:rl:msg:user:${u.sub}`))).toBe(true);
    expect(inRedis.some((l) => l.startsWith('stream') && l.endsWith(u.email))).toBe(true);

    const earlier = (await db.query(`SELECT id FROM support_erasures`)).map((r: { id: string }) => r.id);
    // A socket the user has open through the erase.
    const stale = await t.connect(u.token);
    expect(await emitAck(stale, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });
    const erased = firstValueFrom(
      t.app.get(ChatEvents).events$.pipe(
        filter((e): e is Extract<ChatEvent, { kind: 'user_erased' }> => e.kind === 'user_erased' && e.externalId === u.sub),
        timeout(5000),
      ),
    );
    // Consoles drop the chat's card: the agents' room hears it is gone.
    const console = await t.connect(await t.adminToken());
    expect(await emitAck(console, 'subscribe_admin', {})).toEqual({ ok: true });
    const removed = nextEvent<{ chat_ids: string[] }>(console, 'chat_removed');
    const res = await erase(u.sub);
    expect(res.status).toBe(204);
    expect(await erased).toEqual({ kind: 'user_erased', externalId: u.sub });
    expect(await removed).toEqual({ type: 'chat_removed', chat_ids: [u.chatId] });
    console.disconnect();

    expect(await dbTraces(db, needles)).toEqual([]);
    expect(await redisTraces(redis, t.config.redisPrefix, needles)).toEqual([]);
    const audit: Record<string, unknown>[] = await db.query(`SELECT * FROM support_erasures WHERE NOT (id = ANY($1::uuid[]))`, [earlier]);
    expect(audit).toEqual([
      { id: expect.any(String), user_id: null, chat_id: null, api_key_id: privacy.api_key.id, started_at: expect.any(Date), finished_at: expect.any(Date), attempts: 1 },
    ]);
    // Finished: the user is unknown now, as anyone never seen.
    expect((await erase(u.sub)).status).toBe(404);

    // The open socket keeps the old chat until it reconnects: nothing it sends is stored.
    expect(await emitAck(stale, 'send_message', { chat_id: u.chatId, content: 'still there?' })).toEqual({ ok: false, error: 'not_found' });
    stale.disconnect();
    expect(await dbTraces(db, needles)).toEqual([]);

    // The widget still holding their token starts an empty chat, over REST and the socket.
    const fresh = await t.http<SupportChat>('/api/support_chat', { token: u.token });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toEqual({ id: expect.any(String), messages: [], has_more: false });
    expect(fresh.body.id).not.toBe(u.chatId);
    const socket = await t.connect(u.token);
    expect(await emitAck(socket, 'subscribe', { chat_id: fresh.body.id })).toEqual({ ok: true });
    expect(await emitAck(socket, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: false, error: 'forbidden' });
    const sent = await emitAck<{ message: { chat_id: string } }>(socket, 'send_message', { chat_id: fresh.body.id, content: 'Hello again' });
    expect(sent).toMatchObject({ ok: true, message: { chat_id: fresh.body.id } });
  });

  it('finishes an erase that crashed halfway when asked again', async () => {
    const u = await richUser();
    const needles = [u.userId, u.email, u.sub, u.chatId];
    const [{ n: erasuresBefore }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM support_erasures`);
    let crashes = 1;
    t.app.get(UserDataRegistry).register({
      name: 'crash-probe',
      erase: async () => {
        if (crashes-- > 0) throw new Error('the process died here');
      },
    });
    // First attempt: dies in the features' parts, before anything core is gone.
    const first = await erase(u.sub);
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({ statusCode: 500, message: 'Internal server error' });
    expect(first.text).not.toMatch(/died|stack|at \w+ \(/);
    const running = () => db.query(`SELECT user_id, chat_id, attempts FROM support_erasures WHERE finished_at IS NULL`);
    expect(await running()).toEqual([{ user_id: u.userId, chat_id: u.chatId, attempts: 1 }]);
    expect((await exportOf(u.sub)).status).toBe(200);

    // Second attempt: dies after the chat went, with the user row still there.
    const spy = jest.spyOn(t.app.get(RedisTraces), 'removeRateLimits').mockRejectedValueOnce(new Error('Redis went away'));
    expect((await erase(u.sub)).status).toBe(500);
    spy.mockRestore();
    expect(await db.query(`SELECT id FROM support_chats WHERE id = $1`, [u.chatId])).toEqual([]);
    expect(await db.query(`SELECT id FROM users WHERE id = $1`, [u.userId])).toHaveLength(1);
    expect(await running()).toEqual([{ user_id: u.userId, chat_id: u.chatId, attempts: 2 }]);

    // The retry finishes it, clearing what the chat's id still named in Redis.
    expect((await erase(u.sub)).status).toBe(204);
    expect(await running()).toEqual([]);
    expect(await dbTraces(db, needles)).toEqual([]);
    expect(await redisTraces(redis, t.config.redisPrefix, needles)).toEqual([]);
    const [{ n: erasuresAfter }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM support_erasures`);
    expect(erasuresAfter).toBe(erasuresBefore + 1);
    expect(await db.query(`SELECT attempts FROM support_erasures ORDER BY started_at DESC LIMIT 1`)).toEqual([{ attempts: 3 }]);
  });

  it('answers 404 to the erase of an unknown user and changes nothing', async () => {
    const tables: { table_name: string }[] = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const counts = async () => {
      const out: Record<string, number> = {};
      for (const { table_name } of tables) out[table_name] = (await db.query(`SELECT count(*)::int AS n FROM "${table_name}"`))[0].n;
      return out;
    };
    const before = await counts();
    expect(before.users).toBeGreaterThan(0);
    const res = await erase<ErrorBody>('never-seen-anyone');
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('No user with this external_id');
    expect(await counts()).toEqual(before);
    expect((await erase('x'.repeat(256))).status).toBe(400);
  });

  it('reports a retention policy that keeps everything when RETENTION_DAYS is unset', async () => {
    const res = await t.http('/api/admin/retention', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retention_days: null, next_run_at: null, would_delete: null, batch_size: 500, last_run: null });
    expect((await t.http('/api/admin/retention', { token: ana.token })).status).toBe(403);
  });
});
