import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AgentSupportMessage, ApiKeyScope, ApiKeyView, CreatedApiKey, NewMessageEvent, ServerUserChat, SupportChat } from '../src/contracts/wire';
import { addAgent } from './support/agents';
import { emitAck, nextEvent, startTestApp, type TestApp } from './support/test-app';

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };
type ApiDocs = {
  paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown> };
};

describe('server API (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let ana: Awaited<ReturnType<typeof addAgent>>;
  const keys: Partial<Record<ApiKeyScope | 'all' | 'revoked', CreatedApiKey>> = {};

  const makeKey = async (name: string, scopes: ApiKeyScope[]) => {
    const res = await t.http('/api/admin/api-keys', { method: 'POST', token: admin, body: { name, scopes } });
    if (res.status !== 201) throw new Error(`creating a key answered ${res.status}`);
    return res.body as CreatedApiKey;
  };
  const server = <T = unknown>(path: string, key: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    t.http<T>(`/api/server${path}`, { ...init, token: key });
  /** A user who has written once, so they and their chat exist. */
  const user = async (text = 'hello from the widget') => {
    const sub = `ext-${Math.random().toString(36).slice(2, 10)}`;
    const token = t.userToken({ sub, name: 'Ada' });
    const res = await t.http<AgentSupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content: text } });
    return { sub, token, chatId: res.body.chat_id };
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    ana = await addAgent(t, admin, 'Ana');
    keys.read = await makeKey('Reader', ['read']);
    keys.write = await makeKey('Billing sync', ['write']);
    keys.privacy = await makeKey('Privacy desk', ['privacy']);
    keys.all = await makeKey('Everything', ['read', 'write', 'privacy']);
    keys.revoked = await makeKey('Old CRM', ['read', 'write', 'privacy']);
    expect((await t.http(`/api/admin/api-keys/${keys.revoked.api_key.id}/revoke`, { method: 'POST', token: admin })).status).toBe(200);
  });
  afterAll(() => t.close());

  it('shows a key once, keeps only its hash, and lists it without the secret', async () => {
    const created = keys.all!;
    expect(created.key).toMatch(/^sck_[A-Za-z0-9_-]{43}$/);
    expect(created.api_key).toEqual({
      id: expect.any(String),
      name: 'Everything',
      scopes: ['privacy', 'read', 'write'],
      last4: created.key.slice(-4),
      created_at: expect.any(String),
      created_by: { id: expect.any(String), name: expect.any(String) },
      last_used_at: null,
      revoked_at: null,
    });
    const list = await t.http('/api/admin/api-keys', { token: admin });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(created.key.slice(4, 20));
    expect((list.body as ApiKeyView[]).map((k) => k.name)).toEqual(expect.arrayContaining(['Reader', 'Billing sync', 'Old CRM']));
    // Live keys first; the revoked one last, with its time.
    const names = (list.body as ApiKeyView[]).map((k) => k.name);
    expect(names[names.length - 1]).toBe('Old CRM');
    expect((list.body as ApiKeyView[]).find((k) => k.name === 'Old CRM')!.revoked_at).toEqual(expect.any(String));
    const stored: { key_hash: Buffer }[] = await t.app.get(DataSource).query(`SELECT key_hash FROM support_api_keys WHERE id = $1`, [created.api_key.id]);
    expect(stored[0].key_hash.toString('hex')).toBe(createHash('sha256').update(created.key).digest('hex'));
  });

  it('lets only admins manage keys, and refuses bad input with reasons', async () => {
    expect((await t.http('/api/admin/api-keys', { token: ana.token })).status).toBe(403);
    expect((await t.http('/api/admin/api-keys', { method: 'POST', token: ana.token, body: { name: 'x', scopes: ['read'] } })).status).toBe(403);
    expect((await t.http('/api/admin/api-keys')).status).toBe(401);
    const cases: [unknown, string][] = [
      [{ name: 'x', scopes: ['admin'] }, 'scopes must each be read, write or privacy'],
      [{ name: 'x', scopes: [] }, 'scopes must name at least one of read, write, privacy'],
      [{ name: 'x', scopes: 'read' }, 'scopes must be a list of read, write, privacy'],
      [{ name: '  ', scopes: ['read'] }, 'name must be 1 to 80 characters, not blank'],
      [{ scopes: ['read'] }, 'name must be 1 to 80 characters, not blank'],
    ];
    for (const [body, reason] of cases) {
      const res = await t.http<ErrorBody>('/api/admin/api-keys', { method: 'POST', token: admin, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.message).toContain(reason);
    }
    expect((await t.http('/api/admin/api-keys/nope/revoke', { method: 'POST', token: admin })).status).toBe(400);
    expect((await t.http('/api/admin/api-keys/00000000-0000-4000-8000-000000000000/revoke', { method: 'POST', token: admin })).status).toBe(404);
  });

  it('answers 401 to no key, a wrong or revoked key and any token, and 403 to a key without the scope', async () => {
    const u = await user();
    const routes: [string, string, ApiKeyScope, unknown][] = [
      ['GET', `/users/${u.sub}/chat`, 'read', undefined],
      ['POST', `/users/${u.sub}/messages`, 'write', { content: 'hi' }],
      ['GET', `/users/${u.sub}/export`, 'privacy', undefined],
      ['DELETE', `/users/${u.sub}`, 'privacy', undefined],
    ];
    const wrong = `sck_${'A'.repeat(43)}`;
    for (const [method, path, scope, body] of routes) {
      for (const [why, key] of [
        ['none', undefined],
        ['wrong', wrong],
        ['garbage', 'not-a-key'],
        ['revoked', keys.revoked!.key],
        ['agent token', ana.token],
        ['admin token', admin],
        ["the user's own token", u.token],
      ] as const) {
        const res = await server(path, key, { method, body });
        expect({ method, path, why, status: res.status }).toEqual({ method, path, why, status: 401 });
        expect(res.text).not.toMatch(/stack|QueryFailed|sck_A/);
      }
      const basic = await server(path, undefined, { method, body, headers: { authorization: `Basic ${keys.all!.key}` } });
      expect(basic.status).toBe(401);
      for (const other of (['read', 'write', 'privacy'] as const).filter((s) => s !== scope)) {
        const res = await server<ErrorBody>(path, keys[other]!.key, { method, body });
        expect({ method, path, other, status: res.status }).toEqual({ method, path, other, status: 403 });
        expect(res.body.message).toBe(`This API key lacks the "${scope}" scope`);
      }
    }
    // The user was never touched by any of these.
    expect((await server<ServerUserChat>(`/users/${u.sub}/chat`, keys.read!.key)).body.messages).toHaveLength(1);
  });

  it('opens nothing else: an API key is no token for the user or agent routes', async () => {
    for (const path of ['/api/support_chat', '/api/admin/chats', '/api/admin/api-keys', '/api/admin/me']) {
      const res = await t.http(path, { token: keys.all!.key });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
  });

  it("reads a user's chat as agents see it, notes flagged, without marking anything read", async () => {
    const u = await user('Where is my refund?');
    const note = await t.http(`/api/admin/chats/${u.chatId}/messages`, { method: 'POST', token: ana.token, body: { content: 'Checked with finance', private: true } });
    expect(note.status).toBe(201);
    const res = await server(`/users/${encodeURIComponent(u.sub)}/chat`, keys.read!.key);
    expect(res.status).toBe(200);
    const chat = res.body as ServerUserChat;
    expect(chat).toMatchObject({ id: u.chatId, external_id: u.sub, user_email: `${u.sub}@example.com`, user_name: 'Ada', archived: false, has_more: false });
    expect(chat.messages.map((m) => [m.sender_type, m.content, m.private])).toEqual([
      ['user', 'Where is my refund?', false],
      ['admin', 'Checked with finance', true],
    ]);
    expect(chat.messages[0].read_at).toBeNull();
    const viewed = () => t.app.get(DataSource).query(`SELECT admin_viewed_at FROM support_chats WHERE id = $1`, [u.chatId]);
    const before = await viewed();
    const paged = await server<ServerUserChat>(`/users/${u.sub}/chat?before=${chat.messages[1].id}&limit=1`, keys.read!.key);
    expect(paged.body.messages.map((m) => m.content)).toEqual(['Where is my refund?']);
    // The API recorded no agent's view and marked nothing read.
    expect(await viewed()).toEqual(before);
    expect((await server<ServerUserChat>(`/users/${u.sub}/chat`, keys.read!.key)).body.messages[0].read_at).toBeNull();

    expect((await server('/users/nobody-here/chat', keys.read!.key)).status).toBe(404);
    expect((await server(`/users/${'x'.repeat(256)}/chat`, keys.read!.key)).status).toBe(400);
    expect((await server(`/users/${u.sub}/chat?before=nope`, keys.read!.key)).status).toBe(400);
  });

  it("posts as an agent and as a named bot, live on the user's socket, once per client_id", async () => {
    const u = await user();
    const socket = await t.connect(u.token);
    expect(await emitAck(socket, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });

    const asAgent = nextEvent<NewMessageEvent>(socket, 'new_message', (e) => e.message.content === 'Ana here, via the CRM');
    const posted = await server<AgentSupportMessage>(`/users/${u.sub}/messages`, keys.write!.key, {
      method: 'POST',
      body: { content: '  Ana here, via the CRM ', agent_id: ana.id, client_id: 'crm-1' },
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ chat_id: u.chatId, sender_type: 'admin', admin_id: ana.id, sender_name: 'Ana', private: false, client_id: 'crm-1' });
    const live = await asAgent;
    expect(live.message).toMatchObject({ id: posted.body.id, sender_type: 'admin', sender_name: 'Ana' });

    const asBot = nextEvent<NewMessageEvent>(socket, 'new_message', (e) => e.message.content === 'Your refund was issued');
    const bot = await server(`/users/${u.sub}/messages`, keys.write!.key, {
      method: 'POST',
      body: { content: 'Your refund was issued', sender_name: 'Refund bot' },
    });
    expect(bot.status).toBe(201);
    expect(bot.body).toMatchObject({ sender_type: 'admin', admin_id: null, sender_name: 'Refund bot' });
    expect((await asBot).message.sender_name).toBe('Refund bot');

    // Without a name the bot is called after its key.
    const unnamed = await server<AgentSupportMessage>(`/users/${u.sub}/messages`, keys.write!.key, { method: 'POST', body: { content: 'Ping' } });
    expect(unnamed.body.sender_name).toBe('Billing sync');

    const again = await server<AgentSupportMessage>(`/users/${u.sub}/messages`, keys.write!.key, {
      method: 'POST',
      body: { content: 'Ana here, via the CRM', agent_id: ana.id, client_id: 'crm-1' },
    });
    expect(again.body.id).toBe(posted.body.id);
    const chat = await server<ServerUserChat>(`/users/${u.sub}/chat`, keys.read!.key);
    expect(chat.body.messages.map((m) => m.sender_name)).toEqual([null, 'Ana', 'Refund bot', 'Billing sync']);
    // The user sees them over REST too, without who wrote them.
    const own = await t.http<SupportChat>('/api/support_chat', { token: u.token });
    expect(own.body.messages.map((m) => m.content)).toEqual(['hello from the widget', 'Ana here, via the CRM', 'Your refund was issued', 'Ping']);
  });

  it('gives a user who never opened the widget a chat on the first post', async () => {
    const sub = `quiet-${Date.now()}`;
    // A socket that only looked around made the user, but no chat.
    const socket = await t.connect(t.userToken({ sub }));
    expect(await emitAck(socket, 'subscribe', { chat_id: '00000000-0000-4000-8000-000000000000' })).toEqual({ ok: false, error: 'forbidden' });
    const none = await server<ErrorBody>(`/users/${sub}/chat`, keys.read!.key);
    expect(none.status).toBe(404);
    expect(none.body.message).toBe('This user has no chat yet');
    const posted = await server<AgentSupportMessage>(`/users/${sub}/messages`, keys.write!.key, { method: 'POST', body: { content: 'Welcome aboard' } });
    expect(posted.status).toBe(201);
    const chat = await server<ServerUserChat>(`/users/${sub}/chat`, keys.read!.key);
    expect(chat.body).toMatchObject({ id: posted.body.chat_id, external_id: sub });
    expect(chat.body.messages.map((m) => m.content)).toEqual(['Welcome aboard']);
  });

  it('takes any sub the tokens carry, URL-encoded in the path', async () => {
    const sub = `auth0|5f/ü ${Date.now()}@corp`;
    const token = t.userToken({ sub, email: 'odd@example.com' });
    expect((await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: 'odd id' } })).status).toBe(201);
    const path = `/users/${encodeURIComponent(sub)}`;
    const chat = await server<ServerUserChat>(`${path}/chat`, keys.all!.key);
    expect(chat.status).toBe(200);
    expect(chat.body.external_id).toBe(sub);
    expect((await server(`${path}/messages`, keys.all!.key, { method: 'POST', body: { content: 'seen' } })).status).toBe(201);
    expect((await server<{ external_id: string }>(`${path}/export`, keys.all!.key)).body.external_id).toBe(sub);
    expect((await server(path, keys.all!.key, { method: 'DELETE' })).status).toBe(204);
    expect((await server(`${path}/chat`, keys.all!.key)).status).toBe(404);
  });

  it('refuses a post with reasons: unknown user 404, bad agent or content 400', async () => {
    const u = await user();
    const deactivated = await addAgent(t, admin, 'Gone');
    expect((await t.http(`/api/admin/agents/${deactivated.id}/deactivate`, { method: 'POST', token: admin })).status).toBe(200);
    const cases: [string, unknown, number, string | null][] = [
      [`/users/nobody-${Date.now()}/messages`, { content: 'hi' }, 404, 'No user with this external_id'],
      [`/users/${u.sub}/messages`, { content: 'hi', agent_id: deactivated.id }, 400, 'agent_id does not name an active agent'],
      [`/users/${u.sub}/messages`, { content: 'hi', agent_id: '00000000-0000-4000-8000-000000000000' }, 400, 'agent_id does not name an active agent'],
      [`/users/${u.sub}/messages`, { content: 'hi', agent_id: 'ana' }, 400, 'agent_id must be an agent id'],
      [`/users/${u.sub}/messages`, { content: '   ' }, 400, 'content must be text of 1 to 5000 characters'],
      [`/users/${u.sub}/messages`, { content: 'hi', sender_name: 'x'.repeat(51) }, 400, 'sender_name must be 1 to 50 characters, not blank'],
      [`/users/${u.sub}/messages`, { content: 'hi', sender_type: 'user' }, 400, null],
      [`/users/${u.sub}/messages`, '{"content":', 400, null],
    ];
    for (const [path, body, status, reason] of cases) {
      const res = await server<ErrorBody>(path, keys.write!.key, { method: 'POST', body });
      expect({ path, body, status: res.status }).toEqual({ path, body, status });
      if (reason) expect([res.body.message].flat()).toContain(reason);
    }
    expect((await server<ServerUserChat>(`/users/${u.sub}/chat`, keys.read!.key)).body.messages).toHaveLength(1);
  });

  it('records when a key was last used', async () => {
    const fresh = await makeKey('Usage probe', ['read']);
    const u = await user();
    expect((await server(`/users/${u.sub}/chat`, fresh.key)).status).toBe(200);
    let seen: string | null = null;
    for (let i = 0; i < 50 && !seen; i++) {
      const list = await t.http<ApiKeyView[]>('/api/admin/api-keys', { token: admin });
      seen = list.body.find((k) => k.id === fresh.api_key.id)!.last_used_at;
    }
    expect(seen).toEqual(expect.any(String));
    const revoked = await t.http<ApiKeyView>(`/api/admin/api-keys/${fresh.api_key.id}/revoke`, { method: 'POST', token: admin });
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expect((await server(`/users/${u.sub}/chat`, fresh.key)).status).toBe(401);
    // Revoking again keeps the first time.
    const twice = await t.http<ApiKeyView>(`/api/admin/api-keys/${fresh.api_key.id}/revoke`, { method: 'POST', token: admin });
    expect(twice.body.revoked_at).toBe(revoked.body.revoked_at);
  });

  it('is described in /api/docs with the API key scheme and examples', async () => {
    const docs = await t.http<ApiDocs>('/api/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.body.components.securitySchemes['api-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const paths = docs.body.paths;
    for (const [path, method] of [
      ['/api/server/users/{external_id}/chat', 'get'],
      ['/api/server/users/{external_id}/messages', 'post'],
      ['/api/server/users/{external_id}/export', 'get'],
      ['/api/server/users/{external_id}', 'delete'],
    ]) {
      expect(paths[path][method].security).toEqual([{ 'api-key': [] }]);
    }
    expect(JSON.stringify(paths['/api/server/users/{external_id}/chat'].get.responses['200'])).toContain('Checked with finance');
    expect(paths['/api/admin/api-keys'].post).toBeDefined();
  });
});
