import type { LoginResult } from '../src/auth/auth.service';
import type { AdminSupportChat, AgentSupportMessage, AgentView, NewMessageEvent, SupportChat, SupportChatPage } from '../src/contracts/wire';
import { addAgent, AGENT_PASSWORD } from './support/agents';
import { waitFor } from './support/instances';
import { emitAck, nextEvent, PG, startTestApp, type TestApp } from './support/test-app';


type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

/** The team: roles, agent management and its refusals, names on messages, deactivation. */
describe('agents as people (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  const login = async (email: string, password = AGENT_PASSWORD) =>
    t.http<LoginResult>('/api/auth/login', { method: 'POST', body: { email, password } });
  const newAgent = (name: string, role: 'admin' | 'agent' = 'agent') => addAgent(t, admin, name, role);
  async function userChat() {
    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    return { token, chatId };
  }

  it('answers login with the role; the first account is an admin', async () => {
    const res = await login('admin@example.com', 'admin');
    expect(res.body.admin).toMatchObject({ email: 'admin@example.com', role: 'admin' });
    const ana = await newAgent('Ana Lima');
    expect(ana).toMatchObject({ name: 'Ana Lima', initials: 'AL', role: 'agent', active: true });
    expect((await login(ana.email)).body.admin).toMatchObject({ id: ana.id, role: 'agent', name: 'Ana Lima' });
  });

  it('keeps agent management to admins: 403 for an agent, on every action', async () => {
    const ben = await newAgent('Ben');
    const other = await newAgent('Cleo');
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/admin/agents'],
      ['POST', '/api/admin/agents', { email: 'x@example.com', name: 'X', password: AGENT_PASSWORD }],
      ['PATCH', `/api/admin/agents/${other.id}`, { name: 'Renamed by Ben' }],
      ['POST', `/api/admin/agents/${other.id}/deactivate`],
      ['POST', `/api/admin/agents/${other.id}/reactivate`],
      ['POST', `/api/admin/agents/${other.id}/password`, {}],
    ];
    for (const [method, path, body] of calls) {
      const res = await t.http(path, { method, token: ben.token, body });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    // Nothing changed: Cleo is still Cleo, active, and no x@example.com exists.
    const team = (await t.http('/api/admin/agents', { token: admin })).body as AgentView[];
    expect(team.find((a) => a.id === other.id)).toMatchObject({ name: 'Cleo', active: true });
    expect(team.some((a) => a.email === 'x@example.com')).toBe(false);
    // A user token is not an agent's either.
    expect((await t.http('/api/admin/agents', { token: t.userToken() })).status).toBe(403);
  });

  it('refuses bad input with the reason and changes nothing', async () => {
    const weak = await t.http<ErrorBody>('/api/admin/agents', {
      method: 'POST',
      token: admin,
      body: { email: 'weak@example.com', name: 'W', password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body.message)).toContain('at least 12 characters');
    const dup = await t.http('/api/admin/agents', { method: 'POST', token: admin, body: { email: 'admin@example.com', name: 'Dup', password: AGENT_PASSWORD } });
    expect(dup.status).toBe(409);
    expect((await t.http('/api/admin/agents/not-a-uuid', { method: 'PATCH', token: admin, body: { name: 'x' } })).status).toBe(400);
    expect((await t.http('/api/admin/agents/00000000-0000-4000-8000-000000000000/deactivate', { method: 'POST', token: admin })).status).toBe(404);
    expect((await t.http(`/api/admin/agents/00000000-0000-4000-8000-000000000000`, { method: 'PATCH', token: admin, body: { role: 'root' } })).status).toBe(400);
    const blank = await t.http<ErrorBody>('/api/admin/me', { method: 'PATCH', token: admin, body: { name: '   ' } });
    expect(blank.status).toBe(400);
    expect(JSON.stringify(blank.body.message)).toContain('must not be blank');
    const team = (await t.http('/api/admin/agents', { token: admin })).body as AgentView[];
    expect(team.some((a) => a.email === 'weak@example.com')).toBe(false);
    expect(team.find((a) => a.email === 'admin@example.com')?.name).toBe('admin');
  });

  it('adds an agent with a one-time set-password link', async () => {
    const res = await t.http<{ agent: AgentView; set_password_url?: string }>('/api/admin/agents', {
      method: 'POST',
      token: admin,
      body: { email: 'linked@example.com', name: 'Dana' },
    });
    expect(res.status).toBe(201);
    const url = new URL(res.body.set_password_url as string);
    expect(url.pathname).toBe('/admin/set-password');
    const token = url.searchParams.get('token') as string;
    // No password until the link is used.
    expect((await login('linked@example.com', '')).status).toBe(400);
    expect((await login('linked@example.com', 'anything at all')).status).toBe(401);
    const weak = await t.http('/api/auth/set-password', { method: 'POST', body: { token, password: 'short' } });
    expect(weak.status).toBe(400);
    expect((await t.http('/api/auth/set-password', { method: 'POST', body: { token, password: AGENT_PASSWORD } })).status).toBe(204);
    expect((await login('linked@example.com')).status).toBe(200);
    // Once only.
    expect((await t.http('/api/auth/set-password', { method: 'POST', body: { token, password: `${AGENT_PASSWORD}!` } })).status).toBe(400);
    expect((await login('linked@example.com')).status).toBe(200);
  });

  it('puts the author’s name on agent messages, as it was when sent, over REST and the socket', async () => {
    const ana = await newAgent('Ana');
    const { token, chatId } = await userChat();
    const user = await t.connect(token);
    expect(await emitAck(user, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    const live = nextEvent<NewMessageEvent>(user, 'new_message', (e) => e.message.content === 'hello from Ana');
    const agentSocket = await t.connect(ana.token);
    const ack = await emitAck<{ message: AgentSupportMessage }>(agentSocket, 'send_message', { chat_id: chatId, content: 'hello from Ana' });
    expect(ack).toMatchObject({ ok: true, message: { sender_name: 'Ana', admin_id: ana.id } });
    expect((await live).message).toMatchObject({ sender_name: 'Ana' });

    const renamed = await t.http('/api/admin/me', { method: 'PATCH', token: ana.token, body: { name: 'Ana Maria' } });
    expect(renamed.body).toMatchObject({ name: 'Ana Maria', initials: 'AM' });
    const rest = await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: ana.token, body: { content: 'renamed' } });
    expect(rest.body).toMatchObject({ sender_name: 'Ana Maria', admin_id: ana.id });
    await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: 'thanks' } });

    const forAgents = (await t.http<AdminSupportChat>(`/api/admin/chats/${chatId}`, { token: admin })).body.messages;
    expect(forAgents.map((m) => [m.content, m.sender_name, m.admin_id])).toEqual([
      ['hello from Ana', 'Ana', ana.id],
      ['renamed', 'Ana Maria', ana.id],
      ['thanks', null, null],
    ]);
    const listed = (await t.http<SupportChatPage>('/api/admin/chats?limit=200', { token: admin })).body.items.find((c) => c.id === chatId);
    expect(listed).toMatchObject({ last_message_sender: 'user', last_message_admin_id: null, last_message_sender_name: null });
    const last = await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: ana.token, body: { content: 'last word' } });
    expect(last.status).toBe(201);
    const relisted = (await t.http<SupportChatPage>('/api/admin/chats?limit=200', { token: admin })).body.items.find((c) => c.id === chatId);
    expect(relisted).toMatchObject({ last_message_admin_id: ana.id, last_message_sender_name: 'Ana Maria' });
    const forUser = (await t.http<SupportChat>('/api/support_chat', { token })).body.messages.slice(0, 3);
    expect(forUser.map((m) => m.sender_name)).toEqual(['Ana', 'Ana Maria', null]);
    expect(forUser.every((m) => !('admin_id' in m))).toBe(true);
  });

  it('keeps the last active admin an admin', async () => {
    const me = (await t.http<AgentView>('/api/admin/me', { token: admin })).body;
    // Other admins exist from earlier tests? Make sure: demote every other admin first.
    const team = (await t.http('/api/admin/agents', { token: admin })).body as AgentView[];
    for (const a of team.filter((x) => x.role === 'admin' && x.id !== me.id)) {
      await t.http(`/api/admin/agents/${a.id}`, { method: 'PATCH', token: admin, body: { role: 'agent' } });
    }
    const demote = await t.http<ErrorBody>(`/api/admin/agents/${me.id}`, { method: 'PATCH', token: admin, body: { role: 'agent' } });
    expect(demote.status).toBe(409);
    expect(demote.body.message).toContain('last active admin');
    expect((await t.http(`/api/admin/agents/${me.id}/deactivate`, { method: 'POST', token: admin })).status).toBe(409);
    expect((await t.http('/api/admin/me', { token: admin })).body).toMatchObject({ role: 'admin', active: true });
    // With a second admin, the first may step down.
    const second = await newAgent('Second Admin', 'admin');
    expect((await t.http(`/api/admin/agents/${second.id}`, { method: 'PATCH', token: second.token, body: { role: 'admin' } })).status).toBe(200);
  });

  it('deactivation refuses the agent’s token at once and ends their live socket; reactivation lets them log in again', async () => {
    const eve = await newAgent('Eve');
    const socket = await t.connect(eve.token);
    expect(await emitAck(socket, 'subscribe_admin', {})).toEqual({ ok: true });
    const cut = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const res = await t.http(`/api/admin/agents/${eve.id}/deactivate`, { method: 'POST', token: admin });
    expect(res.body).toMatchObject({ id: eve.id, active: false });
    expect(await cut).toBe('io server disconnect');
    expect((await t.http('/api/admin/chats', { token: eve.token })).status).toBe(401);
    await expect(t.connect(eve.token)).rejects.toThrow('unauthorized');
    expect((await login(eve.email)).status).toBe(401);
    await t.http(`/api/admin/agents/${eve.id}/reactivate`, { method: 'POST', token: admin });
    // The old token stays dead; a new login works.
    expect((await t.http('/api/admin/chats', { token: eve.token })).status).toBe(401);
    const again = await login(eve.email);
    expect(again.status).toBe(200);
    expect((await t.http('/api/admin/chats', { token: again.body.access_token })).status).toBe(200);
  });

  it('ends an agent’s sessions when their password changes, by themselves or by an admin', async () => {
    const finn = await newAgent('Finn');
    const wrong = await t.http('/api/admin/me/password', { method: 'POST', token: finn.token, body: { current_password: 'nope', new_password: `${AGENT_PASSWORD} 2` } });
    expect(wrong.status).toBe(400);
    const changed = await t.http<{ access_token: string; expires_in: number }>('/api/admin/me/password', {
      method: 'POST',
      token: finn.token,
      body: { current_password: AGENT_PASSWORD, new_password: `${AGENT_PASSWORD} 2` },
    });
    expect(changed.status).toBe(200);
    expect((await t.http('/api/admin/chats', { token: finn.token })).status).toBe(401);
    expect((await t.http('/api/admin/chats', { token: changed.body.access_token })).status).toBe(200);
    const reset = await t.http(`/api/admin/agents/${finn.id}/password`, { method: 'POST', token: admin, body: { password: `${AGENT_PASSWORD} 3` } });
    expect(reset.status).toBe(200);
    expect((await t.http('/api/admin/chats', { token: changed.body.access_token })).status).toBe(401);
    expect((await login(finn.email, `${AGENT_PASSWORD} 3`)).status).toBe(200);
    // A reset to a link ends the old password at once: the reset may be for a leaked one.
    const linked = await t.http<{ set_password_url?: string }>(`/api/admin/agents/${finn.id}/password`, { method: 'POST', token: admin, body: {} });
    expect(linked.body.set_password_url).toContain('/admin/set-password?token=');
    expect((await login(finn.email, `${AGENT_PASSWORD} 3`)).status).toBe(401);
  });

  it('refuses a deactivated agent’s token on another instance too', async () => {
    const second = await startTestApp({ DATABASE_URL: `${PG}/${t.database}`, REDIS_PREFIX: t.config.redisPrefix });
    try {
      const gus = await newAgent('Gus');
      expect((await second.http('/api/admin/chats', { token: gus.token })).status).toBe(200);
      const socket = await second.connect(gus.token);
      const cut = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      await t.http(`/api/admin/agents/${gus.id}/deactivate`, { method: 'POST', token: admin });
      expect(await cut).toBe('io server disconnect');
      await waitFor('the other instance to refuse the token', async () => (await second.http('/api/admin/chats', { token: gus.token })).status === 401);
    } finally {
      await second.app.close();
    }
  });
});
