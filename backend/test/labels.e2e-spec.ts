import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import type { AdminSupportChat, ChatUpdatedEvent, LabelsChangedEvent, SupportChatListItem, SupportLabel, SupportMessage } from '../src/contracts/wire';
import { addAgent } from './support/agents';
import { emitAck, nextEvent, startTestApp, type TestApp } from './support/test-app';

async function chatWithMessage(t: TestApp, text = 'hello') {
  const token = t.userToken();
  const res = await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content: text } });
  return { token, chatId: res.body.chat_id };
}

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };
type Page = { items: SupportChatListItem[]; next_cursor: string | null };

describe('labels (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let agent: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    agent = (await addAgent(t, admin, 'Ana')).token;
  });
  afterAll(() => t.close());

  const create = <T = SupportLabel>(name: string, color?: string, token = admin) =>
    t.http<T>('/api/admin/labels', { method: 'POST', token, body: color ? { name, color } : { name } });
  const label = async (name: string, color?: string) => {
    const res = await create(name, color);
    if (res.status !== 201) throw new Error(`creating ${name} answered ${res.status}`);
    return res.body as SupportLabel;
  };
  const tag = (chatId: string, labelId: string, token = agent) =>
    t.http<SupportChatListItem>(`/api/admin/chats/${chatId}/labels`, { method: 'POST', token, body: { label_id: labelId } });
  const untag = (chatId: string, labelId: string, token = agent) =>
    t.http<SupportChatListItem>(`/api/admin/chats/${chatId}/labels/${labelId}`, { method: 'DELETE', token });
  const pageOf = async (query: string) => (await t.http(`/api/admin/chats?${query}`, { token: agent })).body as Page;

  it('lets admins define labels and agents read them; names unique whatever their case', async () => {
    const res = await create('Refunds', '#1F7AEC');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: 'Refunds', color: '#1f7aec', chat_count: 0 });
    const list = await t.http('/api/admin/labels', { token: agent });
    expect(list.status).toBe(200);
    expect(list.body).toContainEqual(res.body);

    const dup = await create('  rEFUNDS ');
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ statusCode: 409, message: 'A label named "rEFUNDS" already exists', error: 'Conflict' });
  });

  it('refuses bad labels with a clear 4xx and never a 500', async () => {
    const long = await create<ErrorBody>('x'.repeat(51));
    expect(long.status).toBe(400);
    expect(long.body.message).toEqual(['name must be 1 to 50 characters, not blank']);
    expect((await create('y'.repeat(50))).status).toBe(201);
    const l = await label('Shipping');
    const cases: [string, string, unknown, number][] = [
      ['POST', '/api/admin/labels', { name: '   ' }, 400],
      ['POST', '/api/admin/labels', { name: 'ok', color: 'red' }, 400],
      ['POST', '/api/admin/labels', { name: 'bell\u0007' }, 400],
      ['POST', '/api/admin/labels', { name: 42 }, 400],
      ['POST', '/api/admin/labels', { name: 'extra', admin: true }, 400],
      ['PATCH', '/api/admin/labels/not-an-id', { name: 'x' }, 400],
      ['PATCH', '/api/admin/labels/00000000-0000-4000-8000-000000000000', { name: 'x' }, 404],
      ['PATCH', `/api/admin/labels/${l.id}`, { name: 'z'.repeat(51) }, 400],
      ['PATCH', `/api/admin/labels/${l.id}`, { name: 'refunds' }, 409],
      ['DELETE', '/api/admin/labels/1%27%20OR%201=1', undefined, 400],
      ['DELETE', '/api/admin/labels/00000000-0000-4000-8000-000000000000', undefined, 404],
      ['POST', '/api/admin/chats/not-a-chat/labels', { label_id: l.id }, 400],
      ['POST', `/api/admin/chats/00000000-0000-4000-8000-000000000000/labels`, { label_id: l.id }, 404],
      ['DELETE', `/api/admin/chats/00000000-0000-4000-8000-000000000000/labels/nope`, undefined, 400],
      ['GET', `/api/admin/chats?label=${'q'.repeat(51)}`, undefined, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await t.http(path, { method, token: admin, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(res.text).not.toMatch(/stack|QueryFailed|at \w+ \(/);
    }
    const { chatId } = await chatWithMessage(t);
    expect((await tag(chatId, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await tag(chatId, 'x')).status).toBe(400);
    // Agents manage the labels on chats, not the catalogue.
    expect((await create('Mine', undefined, agent)).status).toBe(403);
    expect((await t.http(`/api/admin/labels/${l.id}`, { method: 'DELETE', token: agent })).status).toBe(403);
    // A valid user token is the wrong right here, as on every agent route.
    expect((await t.http('/api/admin/labels', { token: t.userToken() })).status).toBe(403);
  });

  it('puts labels on a chat and takes them off, live on every console, and a new message keeps them', async () => {
    const vip = await label('VIP', '#aa00aa');
    const billing = await label('billing');
    const { token, chatId } = await chatWithMessage(t);
    const console = await t.connect(agent);
    expect(await emitAck(console, 'subscribe_admin', {})).toEqual({ ok: true });

    const live = nextEvent<ChatUpdatedEvent>(console, 'chat_updated', (e) => e.chat.id === chatId && e.chat.labels.length === 2);
    expect((await tag(chatId, vip.id)).body.labels).toEqual(['VIP']);
    const both = await tag(chatId, billing.id);
    expect(both.status).toBe(200);
    expect(both.body.labels).toEqual(['billing', 'VIP']);
    expect((await live).chat.labels).toEqual(['billing', 'VIP']);
    expect((await tag(chatId, billing.id)).body.labels).toEqual(['billing', 'VIP']);

    const open = (await t.http(`/api/admin/chats/${chatId}?view=false`, { token: agent })).body as AdminSupportChat;
    expect(open.labels).toEqual(['billing', 'VIP']);

    // The list item a message broadcasts carries them too.
    const onMessage = nextEvent<ChatUpdatedEvent>(console, 'chat_updated', (e) => e.chat.id === chatId && e.chat.last_message_preview === 'again');
    await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: 'again' } });
    expect((await onMessage).chat.labels).toEqual(['billing', 'VIP']);

    const off = nextEvent<ChatUpdatedEvent>(console, 'chat_updated', (e) => e.chat.id === chatId && e.chat.labels.length === 1);
    expect((await untag(chatId, vip.id)).body.labels).toEqual(['billing']);
    expect((await off).chat.labels).toEqual(['billing']);
    expect((await untag(chatId, vip.id)).status).toBe(200);
    // Users never see labels.
    expect((await t.http('/api/support_chat', { token })).body).not.toHaveProperty('labels');
  });

  it('filters the list by label, any case, keyset-paged, one statement a page', async () => {
    const urgent = await label('Urgent');
    const chats: string[] = [];
    for (let i = 0; i < 5; i++) chats.push((await chatWithMessage(t, `label filter ${i}`)).chatId);
    for (const id of [chats[0], chats[2], chats[4]]) await tag(id, urgent.id);

    const first = await pageOf('label=urgent&limit=2');
    expect(first.items.map((c) => c.id)).toEqual([chats[4], chats[2]]);
    expect(first.items.every((c) => c.labels.includes('Urgent'))).toBe(true);
    const second = await pageOf(`label=URGENT&limit=2&cursor=${first.next_cursor}`);
    expect(second.items.map((c) => c.id)).toEqual([chats[0]]);
    expect(second.next_cursor).toBeNull();
    expect((await pageOf('label=nobody-uses-this')).items).toEqual([]);

    // With the other filters: archived and assignee narrow it further.
    await t.http(`/api/admin/chats/${chats[2]}/archive`, { method: 'POST', token: agent });
    expect((await pageOf('label=Urgent')).items.map((c) => c.id)).toEqual([chats[4], chats[0]]);
    expect((await pageOf('label=Urgent&archived=true')).items.map((c) => c.id)).toEqual([chats[2]]);
    await t.http(`/api/admin/chats/${chats[0]}/assign`, { method: 'POST', token: agent, body: { agent_id: null } });
    expect((await pageOf('label=Urgent&assignee=none')).items.map((c) => c.id)).toEqual([chats[4], chats[0]]);
    expect((await pageOf('label=Urgent&assignee=me')).items).toEqual([]);

    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    try {
      for (const query of ['label=Urgent&limit=1', `label=Urgent&limit=1&cursor=${first.next_cursor}`, 'label=Urgent&assignee=me&archived=true']) {
        spy.mockClear();
        await pageOf(query);
        expect({ query, statements: spy.mock.calls.length }).toEqual({ query, statements: 1 });
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('renames, recolours and deletes a label, telling every console', async () => {
    const old = await label('Bugs');
    const { chatId } = await chatWithMessage(t);
    await tag(chatId, old.id);
    const console = await t.connect(agent);
    expect(await emitAck(console, 'subscribe_admin', {})).toEqual({ ok: true });

    const renamed = nextEvent<LabelsChangedEvent>(console, 'labels_changed', (e) => e.renamed?.from === 'Bugs');
    const res = await t.http(`/api/admin/labels/${old.id}`, { method: 'PATCH', token: admin, body: { name: 'Defects', color: '#00AA00' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: old.id, name: 'Defects', color: '#00aa00', chat_count: 1 });
    const event = await renamed;
    expect(event.renamed).toEqual({ from: 'Bugs', to: 'Defects' });
    expect(event.labels).toContainEqual(res.body);
    expect((await pageOf('label=defects')).items.map((c) => c.labels)).toEqual([['Defects']]);

    // Renaming to the same name in another case is allowed: it is the same label.
    expect((await t.http(`/api/admin/labels/${old.id}`, { method: 'PATCH', token: admin, body: { name: 'DEFECTS' } })).status).toBe(200);

    const deleted = nextEvent<LabelsChangedEvent>(console, 'labels_changed', (e) => e.deleted === 'DEFECTS');
    expect((await t.http(`/api/admin/labels/${old.id}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await deleted).labels.some((l) => l.id === old.id)).toBe(false);
    const after = (await t.http(`/api/admin/chats/${chatId}?view=false`, { token: agent })).body as AdminSupportChat;
    expect(after.labels).toEqual([]);
  });
});
