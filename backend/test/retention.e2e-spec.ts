import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { UserDataRegistry, type DataSubject } from '../src/common/user-data';
import type { RetentionStatus, SupportMessage } from '../src/contracts/wire';
import { NotifyScheduler } from '../src/notifications/notify-scheduler.service';
import { RetentionService } from '../src/retention/retention.service';
import { addAgent } from './support/agents';
import { waitFor } from './support/instances';
import { emitAck, record, startTestApp, type TestApp } from './support/test-app';

describe('retention (e2e)', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  const erased: DataSubject[] = [];

  beforeAll(async () => {
    t = await startTestApp({ RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '2', NOTIFY_DELAY_MS: '60000' });
    db = t.app.get(DataSource);
    admin = await t.adminToken();
    t.app.get(UserDataRegistry).register({ name: 'retention-probe', erase: async (s) => void erased.push(s) });
  });
  afterAll(() => t.close());

  /** Watches every statement the app sends, through any of its query runners (a pass runs each batch in a transaction of its own). */
  function watchStatements() {
    const runner = db.createQueryRunner();
    const proto = Object.getPrototypeOf(runner) as { query: (sql: string, params?: unknown[]) => Promise<unknown> };
    void runner.release();
    return jest.spyOn(proto, 'query');
  }

  /** A chat with a user message and a reply, archived or not, its last message `daysAgo` old. */
  async function chat(archived: boolean, daysAgo: number) {
    const sub = `ret-${Math.random().toString(36).slice(2, 10)}`;
    const token = t.userToken({ sub });
    const chatId = (await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content: 'hello' } })).body.chat_id;
    expect((await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: admin, body: { content: 'hi there' } })).status).toBe(201);
    await t.app.get(NotifyScheduler).scheduleFor(chatId);
    if (archived) expect((await t.http(`/api/admin/chats/${chatId}/archive`, { method: 'POST', token: admin })).status).toBe(200);
    await db.query(
      `UPDATE support_chats SET last_message_at = now() - make_interval(days => $2), created_at = now() - make_interval(days => $2 + 1) WHERE id = $1`,
      [chatId, daysAgo],
    );
    await db.query(`UPDATE support_messages SET created_at = now() - make_interval(days => $2) WHERE chat_id = $1`, [chatId, daysAgo]);
    return { sub, chatId };
  }

  it('shows admins the next run and how many chats it would delete, then deletes exactly the expired archived chats in bounded batches', async () => {
    const expired = [await chat(true, 400), await chat(true, 31), await chat(true, 45), await chat(true, 90), await chat(true, 200)];
    const recentArchived = await chat(true, 5);
    const oldOpen = await chat(false, 400);
    const recentOpen = await chat(false, 1);
    const kept = [recentArchived, oldOpen, recentOpen];

    const status = await t.http('/api/admin/retention', { token: admin });
    expect(status.status).toBe(200);
    const s = status.body as RetentionStatus;
    expect(s).toEqual({ retention_days: 30, next_run_at: expect.any(String), would_delete: 5, batch_size: 2, last_run: null });
    const next = new Date(s.next_run_at!);
    expect(next.getUTCHours()).toBe(3);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    const agent = await addAgent(t, admin, 'Ana');
    expect((await t.http('/api/admin/retention', { token: agent.token })).status).toBe(403);

    // The dry run's count is what a run now deletes.
    const service = t.app.get(RetentionService);
    expect(await service.count(new Date(Date.now() - 30 * 86_400_000))).toBe(5);
    const console = await t.connect(admin);
    expect(await emitAck(console, 'subscribe_admin', {})).toEqual({ ok: true });
    const removed = record<{ chat_ids: string[] }>(console, 'chat_removed');
    const queries = watchStatements();
    const run = await service.run();
    const deletes = queries.mock.calls.filter(([sql]) => typeof sql === 'string' && /^\s*DELETE FROM support_chats/.test(sql)).length;
    queries.mockRestore();
    expect(run).toEqual({ deleted: 5, batches: [2, 2, 1] });
    expect(deletes).toBe(3);
    // Consoles hear of each batch, and drop those cards.
    const announced = () => removed.flatMap((e) => e.chat_ids).sort();
    await waitFor('consoles to hear of every deleted chat', () => announced().length === 5);
    expect(announced()).toEqual(expired.map((c) => c.chatId).sort());
    console.disconnect();

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
    const left = ids(await db.query(`SELECT id FROM support_chats WHERE id = ANY($1::uuid[])`, [[...expired, ...kept].map((c) => c.chatId)]));
    expect(left).toEqual(kept.map((c) => c.chatId).sort());
    expect(await db.query(`SELECT id FROM support_messages WHERE chat_id = ANY($1::uuid[])`, [expired.map((c) => c.chatId)])).toEqual([]);
    // Each deleted chat went through the features' erase parts, and its queued emails went too.
    expect(erased.map((e) => e.chatId).sort()).toEqual(expired.map((c) => c.chatId).sort());
    expect(erased.find((e) => e.chatId === expired[0].chatId)).toMatchObject({ externalId: expired[0].sub, email: `${expired[0].sub}@example.com` });
    const redis = new Redis(t.config.redisUrl);
    try {
      for (const c of expired) expect(await redis.keys(`${t.config.redisPrefix}:bull:notifications:reply:${c.chatId}:*`)).toEqual([]);
      // Positive control: a kept chat's job is still queued.
      expect((await redis.keys(`${t.config.redisPrefix}:bull:notifications:reply:${recentArchived.chatId}:*`)).length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    // The users stay; a returning one starts a new chat.
    const back = await t.http('/api/support_chat', { token: t.userToken({ sub: expired[0].sub }) });
    expect(back.body).toEqual({ id: expect.any(String), messages: [], has_more: false });

    const after = (await t.http('/api/admin/retention', { token: admin })).body as RetentionStatus;
    expect(after.would_delete).toBe(0);
    expect(after.last_run).toEqual({ finished_at: expect.any(String), deleted: 5 });
    expect(await service.run()).toEqual({ deleted: 0, batches: [] });
  });

  it('lets a user whose chat retention deleted carry on in a new chat, on the same connection', async () => {
    const old = await chat(true, 100);
    const token = t.userToken({ sub: old.sub });
    const socket = await t.connect(token);
    expect(await emitAck(socket, 'subscribe', { chat_id: old.chatId })).toEqual({ ok: true });
    await t.app.get(RetentionService).run();
    // What the widget does: its send finds the chat gone, it fetches the user's chat (a new,
    // empty one), joins it and sends there.
    expect(await emitAck(socket, 'send_message', { chat_id: old.chatId, content: 'still there?', client_id: 'after-1' })).toEqual({
      ok: false,
      error: 'not_found',
    });
    const fresh = (await t.http<{ id: string; messages: unknown[] }>('/api/support_chat', { token })).body;
    expect(fresh.id).not.toBe(old.chatId);
    expect(fresh.messages).toEqual([]);
    expect(await emitAck(socket, 'subscribe', { chat_id: fresh.id })).toEqual({ ok: true });
    expect(await emitAck(socket, 'send_message', { chat_id: fresh.id, content: 'still there?', client_id: 'after-1' })).toMatchObject({ ok: true });
    socket.disconnect();
  });

  it("finds expired chats through the retention index, whatever the table's size", async () => {
    // The statements a pass sends to find expired chats, as it sends them.
    const spy = watchStatements();
    await t.app.get(RetentionService).run();
    const finds = spy.mock.calls.filter(([sql]) => typeof sql === 'string' && /^\s*SELECT/.test(sql) && sql.includes('archived_at IS NOT NULL'));
    spy.mockRestore();
    expect(finds.length).toBeGreaterThanOrEqual(2);
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // With sequential scans priced out, a plan still scanning the table would mean the index cannot serve the query.
      await runner.query(`SET LOCAL enable_seqscan = off`);
      for (const [sql, params] of finds) {
        const plan = (await runner.query(`EXPLAIN ${sql}`, params as unknown[])).map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain('idx_support_chats_retention');
        expect(plan).not.toMatch(/Seq Scan|Sort/);
      }
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('skips a chat someone holds until the next pass, and runs each day once whichever instance asks', async () => {
    const held = await chat(true, 100);
    const other = await chat(true, 100);
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT id FROM support_chats WHERE id = $1 FOR UPDATE`, [held.chatId]);
      const partsBefore = erased.length;
      expect(await t.app.get(RetentionService).run()).toEqual({ deleted: 1, batches: [1] });
      // The features' parts ran for the chat that went, not for the one that stays: its other
      // records (ratings, deliveries) are whole when it is reopened.
      expect(erased.slice(partsBefore).map((s) => s.chatId)).toEqual([other.chatId]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await db.query(`SELECT id FROM support_chats WHERE id = ANY($1::uuid[])`, [[held.chatId, other.chatId]])).toEqual([{ id: held.chatId }]);
    expect(await t.app.get(RetentionService).run()).toEqual({ deleted: 1, batches: [1] });

    // Two instances waking for the same day: the first to claim it runs, the other does nothing.
    const day = new Date();
    const late = await chat(true, 60);
    const service = t.app.get(RetentionService);
    const [a, b] = await Promise.all([service.runDaily(day), service.runDaily(day)]);
    expect([a, b].filter((r) => r === null)).toHaveLength(1);
    expect([a, b].find((r) => r !== null)).toMatchObject({ deleted: 1 });
    expect(await db.query(`SELECT id FROM support_chats WHERE id = $1`, [late.chatId])).toEqual([]);
    expect(await service.runDaily(day)).toBeNull();
  });
});
