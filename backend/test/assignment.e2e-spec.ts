import { Client } from 'pg';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { AssignmentService } from '../src/assignment/assignment.service';
import type { AdminSupportChat, AgentView, ChatActivityEvent, ChatUpdatedEvent, SupportChatListItem, SupportMessage } from '../src/contracts/wire';
import { addAgent } from './support/agents';
import { waitFor } from './support/instances';
import { emitAck, nextEvent, PG, startTestApp, type TestApp } from './support/test-app';

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

async function chatWithMessage(t: TestApp, text = 'hello') {
  const token = t.userToken();
  const res = await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content: text } });
  return { token, chatId: res.body.chat_id };
}

describe('assignment (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let me: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    me = (await t.http<AgentView>('/api/admin/me', { token: admin })).body.id;
  });
  afterAll(() => t.close());

  const assign = <T = SupportChatListItem>(chatId: string, agent_id: string | null, token = admin) =>
    t.http<T>(`/api/admin/chats/${chatId}/assign`, { method: 'POST', token, body: { agent_id } });

  it('assigns to me, to a colleague and to nobody, with a line for each, live on every console', async () => {
    const ben = await addAgent(t, admin, 'Ben');
    const { chatId } = await chatWithMessage(t);
    const console = await t.connect(ben.token);
    expect(await emitAck(console, 'subscribe_admin', {})).toEqual({ ok: true });

    const line = nextEvent<ChatActivityEvent>(console, 'chat_activity', (e) => e.activity.chat_id === chatId);
    const updated = nextEvent<ChatUpdatedEvent>(console, 'chat_updated', (e) => e.chat.id === chatId && e.chat.assignee?.id === me);
    const mine = await assign(chatId, me);
    expect(mine.status).toBe(200);
    expect(mine.body.assignee).toEqual({ id: me, name: 'admin' });
    expect((await line).activity.text).toBe('admin took this');
    await updated;

    expect((await assign(chatId, ben.id)).body.assignee).toEqual({ id: ben.id, name: 'Ben' });
    expect((await assign(chatId, ben.id)).status).toBe(200);
    expect((await assign(chatId, null, ben.token)).body.assignee).toBeNull();

    const chat = (await t.http(`/api/admin/chats/${chatId}`, { token: admin })).body as AdminSupportChat;
    expect(chat.assignee).toBeNull();
    expect(chat.activity.map((a) => a.text)).toEqual(['admin took this', 'admin assigned this to Ben', 'Ben let this go']);
    // Users never see assignment lines.
    const asUser = await t.http('/api/support_chat', { token: (await chatWithMessage(t)).token });
    expect(asUser.body).not.toHaveProperty('activity');
  });

  it('refuses what cannot be assigned with a clear 4xx, and changes nothing', async () => {
    const { chatId } = await chatWithMessage(t);
    const gone = await addAgent(t, admin, 'Gone');
    await t.http(`/api/admin/agents/${gone.id}/deactivate`, { method: 'POST', token: admin });
    const cases: [string, unknown, number][] = [
      [chatId, { agent_id: '00000000-0000-4000-8000-000000000000' }, 404],
      [chatId, { agent_id: gone.id }, 400],
      [chatId, { agent_id: 'ben' }, 400],
      [chatId, {}, 400],
      ['00000000-0000-4000-8000-000000000000', { agent_id: me }, 404],
      ['not-a-chat', { agent_id: me }, 400],
    ];
    for (const [id, body, status] of cases) {
      const res = await t.http(`/api/admin/chats/${id}/assign`, { method: 'POST', token: admin, body });
      expect({ id, body, status: res.status }).toEqual({ id, body, status });
    }
    await t.http(`/api/admin/chats/${chatId}/archive`, { method: 'POST', token: admin });
    const archived = await assign<ErrorBody>(chatId, me);
    expect(archived.status).toBe(400);
    expect(archived.body.message).toContain('archived');
    const chat = (await t.http(`/api/admin/chats/${chatId}?view=false`, { token: admin })).body as AdminSupportChat;
    expect(chat.assignee).toBeNull();
    expect(chat.activity).toEqual([]);
  });

  it('filters the list by Mine, Unassigned and an agent, keyset-paged, one statement a page', async () => {
    const cleo = await addAgent(t, admin, 'Cleo');
    const chats: string[] = [];
    for (let i = 0; i < 5; i++) chats.push((await chatWithMessage(t, `filter ${i}`)).chatId);
    for (const id of chats.slice(0, 3)) await assign(id, me);
    await assign(chats[3], cleo.id);

    const pageOf = async (query: string) => (await t.http(`/api/admin/chats?${query}`, { token: admin })).body as { items: SupportChatListItem[]; next_cursor: string | null };
    const first = await pageOf('assignee=me&limit=2');
    expect(first.items.map((c) => c.id)).toEqual([chats[2], chats[1]]);
    const second = await pageOf(`assignee=me&limit=2&cursor=${first.next_cursor}`);
    expect(second.items.map((c) => c.id)).toEqual([chats[0]]);
    expect(second.next_cursor).toBeNull();
    expect((await pageOf(`assignee=${cleo.id}`)).items.map((c) => c.id)).toEqual([chats[3]]);
    const unassigned = (await pageOf('assignee=none&limit=200')).items.map((c) => c.id);
    expect(unassigned).toContain(chats[4]);
    expect(unassigned.some((id) => chats.slice(0, 4).includes(id))).toBe(false);
    expect((await pageOf('limit=200')).items.filter((c) => chats.includes(c.id))).toHaveLength(5);
    expect((await t.http('/api/admin/chats?assignee=everyone', { token: admin })).status).toBe(400);

    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    try {
      for (const query of ['assignee=me&limit=1', 'assignee=me&limit=200', 'assignee=none&limit=200', `assignee=${cleo.id}&archived=true`]) {
        spy.mockClear();
        await pageOf(query);
        expect({ query, statements: spy.mock.calls.length }).toEqual({ query, statements: 1 });
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('auto-assignment across two instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: string;
  let db: Client;
  beforeAll(async () => {
    a = await startTestApp({ ASSIGNMENT_GRACE_MS: '1000' });
    b = await startTestApp({ DATABASE_URL: `${PG}/${a.database}`, REDIS_PREFIX: a.config.redisPrefix, ASSIGNMENT_GRACE_MS: '1000' });
    admin = await a.adminToken();
    db = new Client({ connectionString: `${PG}/${a.database}` });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await b.app.close();
    await a.close();
  });

  const openCounts = async () => {
    const { rows } = await db.query(
      `SELECT assignee_id, count(*)::int AS n FROM support_chats WHERE archived_at IS NULL AND message_count > 0 GROUP BY assignee_id`,
    );
    return Object.fromEntries(rows.map((r: { assignee_id: string | null; n: number }) => [r.assignee_id ?? 'waiting', r.n]));
  };

  it('gives 3 agents with a cap of 2 two chats each of 7 arriving at once, and the 7th as soon as one has room', async () => {
    const settings = await a.http('/api/admin/settings/assignment', { method: 'PATCH', token: admin, body: { auto_assign: true, max_open_per_agent: 2 } });
    expect(settings.body).toEqual({ auto_assign: true, max_open_per_agent: 2 });
    const agents = [await addAgent(a, admin, 'Ana'), await addAgent(a, admin, 'Ben'), await addAgent(a, admin, 'Cleo')];
    const sockets = [await a.connect(agents[0].token), await a.connect(agents[1].token), await b.connect(agents[2].token)];
    await waitFor('the three agents to be online', async () => {
      const list = (await a.http('/api/admin/presence', { token: admin })).body as { agent_id: string; status: string }[];
      return agents.every((ag) => list.find((p) => p.agent_id === ag.id)?.status === 'online');
    });

    // Seven users write at once, on both instances.
    const arrivals = await Promise.all(Array.from({ length: 7 }, (_, i) => chatWithMessage(i % 2 ? a : b, `arrival ${i}`)));
    await waitFor('six chats to be assigned', async () => Object.values(await openCounts()).reduce((s, n) => s + n, 0) === 7 && (await openCounts()).waiting === 1);
    const counts = await openCounts();
    expect(agents.map((ag) => counts[ag.id])).toEqual([2, 2, 2]);
    expect(counts.waiting).toBe(1);
    // No chat was handed out twice.
    const { rows: lines } = await db.query(`SELECT chat_id, count(*)::int AS n FROM support_chat_activity WHERE kind = 'assigned' GROUP BY chat_id`);
    expect(lines.every((l: { n: number }) => l.n === 1)).toBe(true);
    expect(lines).toHaveLength(6);

    // An archive frees a place: the waiting chat goes to that agent.
    const { rows: [waiting] } = await db.query(`SELECT id FROM support_chats WHERE assignee_id IS NULL AND archived_at IS NULL AND message_count > 0`);
    const { rows: [done] } = await db.query(`SELECT id, assignee_id FROM support_chats WHERE assignee_id = $1 LIMIT 1`, [agents[2].id]);
    expect(arrivals.some((c) => c.chatId === waiting.id)).toBe(true);
    await b.http(`/api/admin/chats/${done.id}/archive`, { method: 'POST', token: admin });
    await waitFor('the waiting chat to be assigned', async () => {
      const { rows } = await db.query('SELECT assignee_id FROM support_chats WHERE id = $1', [waiting.id]);
      return rows[0].assignee_id === agents[2].id;
    });
    const chat = (await a.http(`/api/admin/chats/${waiting.id}?view=false`, { token: admin })).body as AdminSupportChat;
    expect(chat.activity.map((l) => l.text)).toEqual(['Assigned to Cleo automatically']);

    // An agent offline past the grace period gives their chats back to the queue.
    sockets[0].disconnect();
    await waitFor('Ana to be offline', async () => {
      const list = (await a.http('/api/admin/presence', { token: admin })).body as { agent_id: string; status: string }[];
      return list.find((p) => p.agent_id === agents[0].id)?.status === 'offline';
    });
    const service = a.app.get(AssignmentService);
    await waitFor('the grace period to pass', async () => (await service.releaseAbsent()) === 2, 10_000);
    const after = await openCounts();
    expect(after[agents[0].id]).toBeUndefined();
    // Ben and Cleo are full, so Ana's two wait.
    expect(after.waiting).toBe(2);
    sockets.forEach((s) => s.disconnect());
  }, 60_000);
});
