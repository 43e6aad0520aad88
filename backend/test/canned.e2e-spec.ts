import type { CannedExpansion, CannedReply, SupportChat } from '../src/contracts/wire';
import { addAgent } from './support/agents';
import { startTestApp, type TestApp } from './support/test-app';

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

describe('canned replies (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let ben: { id: string; token: string };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    ben = await addAgent(t, admin, 'Ben Okafor');
  });
  afterAll(() => t.close());

  const add = <T = CannedReply>(body: unknown, token = admin) => t.http<T>('/api/admin/canned', { method: 'POST', token, body });
  const expand = <T = CannedExpansion>(chatId: string, shortcut: unknown, token = ben.token) =>
    t.http<T>(`/api/admin/chats/${chatId}/canned/expand`, { method: 'POST', token, body: { shortcut } });
  async function chatOf(claims: { name?: string; email?: string } = {}) {
    const token = t.userToken(claims);
    return (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
  }

  it('lets admins keep the library and agents search it', async () => {
    const created = await add({ title: 'Refund policy', shortcut: '/Refund', content: 'Hi {{user.name}}, refunds take 5 days. {{agent.name}}' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      title: 'Refund policy',
      shortcut: '/refund',
      content: 'Hi {{user.name}}, refunds take 5 days. {{agent.name}}',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await add({ title: 'Shipping times', shortcut: 'shipping', content: 'We ship in 2 days.' })).body.shortcut).toBe('/shipping');
    expect((await add({ title: '100% sure', shortcut: '/sure', content: 'Quite.' })).status).toBe(201);

    const all = (await t.http('/api/admin/canned', { token: ben.token })).body as CannedReply[];
    expect(all.map((c) => c.shortcut)).toEqual(['/refund', '/shipping', '/sure']);
    const found = (q: string) => t.http(`/api/admin/canned?q=${encodeURIComponent(q)}`, { token: ben.token }).then((r) => (r.body as CannedReply[]).map((c) => c.shortcut));
    expect(await found('ship')).toEqual(['/shipping']);
    expect(await found('REFUNDS days')).toEqual(['/refund']);
    expect(await found('100%')).toEqual(['/sure']);
    expect(await found('%')).toEqual(['/sure']);
    expect(await found('nothing like it')).toEqual([]);

    const changed = await t.http(`/api/admin/canned/${created.body.id}`, { method: 'PATCH', token: admin, body: { title: 'Refunds' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ title: 'Refunds', shortcut: '/refund' });
    const gone = await add({ title: 'Temp', shortcut: '/temp', content: 'x' });
    expect((await t.http(`/api/admin/canned/${gone.body.id}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await t.http(`/api/admin/canned/${gone.body.id}`, { method: 'DELETE', token: admin })).status).toBe(404);
  });

  it('refuses a bad or duplicate reply with the reason, and agents may not change the library', async () => {
    const dup = await add({ title: 'Again', shortcut: '/DUP', content: 'a' });
    expect(dup.status).toBe(201);
    const again = await add<ErrorBody>({ title: 'Again 2', shortcut: 'dup', content: 'b' });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Another canned reply already has the shortcut /dup');
    const cases: [unknown, number][] = [
      [{ title: 'x', shortcut: '/a b', content: 'c' }, 400],
      [{ title: 'x', shortcut: '/', content: 'c' }, 400],
      [{ title: 'x', shortcut: 42, content: 'c' }, 400],
      [{ title: ' ', shortcut: '/blank', content: 'c' }, 400],
      [{ title: 'x', shortcut: '/long', content: 'c'.repeat(5001) }, 400],
      [{ title: 'x', shortcut: '/empty', content: '   ' }, 400],
      [{ title: 'x', shortcut: '/extra', content: 'c', admin: true }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await add(body);
      expect({ body, status: res.status }).toEqual({ body, status });
    }
    expect((await add({ title: 'Mine', shortcut: '/mine', content: 'x' }, ben.token)).status).toBe(403);
    expect((await t.http(`/api/admin/canned/${dup.body.id}`, { method: 'PATCH', token: ben.token, body: { title: 'y' } })).status).toBe(403);
    expect((await t.http('/api/admin/canned/not-an-id', { method: 'PATCH', token: admin, body: { title: 'y' } })).status).toBe(400);
    expect((await t.http(`/api/admin/canned/${dup.body.id}`, { method: 'PATCH', token: admin, body: { shortcut: '/refund' } })).status).toBe(409);
  });

  it('fills the variables from the chat and the agent, leaving unknown ones visible', async () => {
    await add({ title: 'Order', shortcut: '/order', content: 'Hi {{user.name}} <{{ user.email }}>: order {{order.id}} is on its way. {{agent.name}}' });
    const chatId = await chatOf({ name: 'Ana Lima', email: 'ana@example.com' });
    const res = await expand(chatId, 'ORDER');
    expect(res.status).toBe(200);
    expect(res.body as CannedExpansion).toEqual({
      id: expect.any(String),
      title: 'Order',
      shortcut: '/order',
      content: 'Hi Ana Lima <ana@example.com>: order {{order.id}} is on its way. Ben Okafor',
      unfilled: ['{{order.id}}'],
    });
    // A user who gave no name: the variable stays for the agent to fill, never blank.
    const nameless = await expand(await chatOf({ email: 'x@example.com' }), '/order');
    expect(nameless.body.content).toBe('Hi {{user.name}} <x@example.com>: order {{order.id}} is on its way. Ben Okafor');
    expect(nameless.body.unfilled).toEqual(['{{user.name}}', '{{order.id}}']);
  });

  it('refuses an unknown shortcut, an unknown chat and a reply over 5,000 characters once filled in, with the reason', async () => {
    const chatId = await chatOf({ name: 'N'.repeat(100) });
    const unknown = await expand<ErrorBody>(chatId, '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('No canned reply has the shortcut /nope');
    expect((await expand('00000000-0000-4000-8000-000000000000', '/order')).status).toBe(404);
    expect((await expand('nope', '/order')).status).toBe(400);
    expect((await expand(chatId, 12)).status).toBe(400);
    expect((await expand(chatId, 'x'.repeat(500))).status).toBe(400);

    // 4,950 characters as written, 5,030 once the name is in.
    expect((await add({ title: 'Long', shortcut: '/long', content: `${'a'.repeat(4935)} {{user.name}}` })).status).toBe(201);
    const long = await expand<ErrorBody>(chatId, '/long');
    expect(long.status).toBe(400);
    expect(long.body.message).toBe('/long is 5036 characters once filled in; a message may have at most 5000');
    expect(long.text).not.toMatch(/stack|QueryFailed/);
  });
});
