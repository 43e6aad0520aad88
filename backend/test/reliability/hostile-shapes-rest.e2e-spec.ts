import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AgentView, SupportChat, SupportMessage } from '../../src/contracts/wire';
import { startTestApp, type TestApp } from '../support/test-app';
import { agentSays, person, snapshot, userSays, type Person } from './hostile-support';
import { absentOk, JSON_VALUES, RAW_PATH_VALUES, RAW_QUERY_VALUES, VERBATIM_TEXT } from './hostile-values';

const BAD_REQUEST = { statusCode: 400, message: expect.anything(), error: 'Bad Request' };

/**
 * An answer in one line, so a table of them diffs readably: a Nest error body is its status
 * and reason, anything else is shown whole.
 */
function answer(res: { status: number; body: unknown; text?: string }): string {
  const body = res.body as { statusCode?: unknown; error?: unknown; message?: unknown } | undefined;
  const nestShape =
    body && body.statusCode === res.status && typeof body.error === 'string' && (typeof body.message === 'string' || Array.isArray(body.message));
  return nestShape ? `${res.status} ${String(body.error)}` : `${res.status} ${(res.text ?? JSON.stringify(res.body)).slice(0, 300)}`;
}

describe('hostile shapes over REST (e2e)', () => {
  let t: TestApp;
  let agentToken: string;
  let u: Person;
  let own: SupportMessage;

  beforeAll(async () => {
    t = await startTestApp();
    agentToken = await t.adminToken();
    u = await person(t);
    own = await userSays(t, u, 'first');
    await agentSays(t, u.chatId, 'reply');
  });
  afterAll(() => t.close());

  const bodySlots: { name: string; optional: boolean; send: (v: unknown) => Promise<{ status: number; body: unknown }> }[] = [
    {
      name: 'POST /api/support_chat/messages content',
      optional: false,
      send: (v) => t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: v } }),
    },
    {
      name: 'POST /api/support_chat/messages client_id',
      optional: true,
      send: (v) => t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'x', client_id: v } }),
    },
    {
      name: 'PATCH /api/support_chat/mark_read up_to',
      optional: true,
      send: (v) => t.http('/api/support_chat/mark_read', { method: 'PATCH', token: u.token, body: { up_to: v } }),
    },
    {
      name: 'POST /api/admin/chats/:id/messages content',
      optional: false,
      send: (v) => t.http(`/api/admin/chats/${u.chatId}/messages`, { method: 'POST', token: agentToken, body: { content: v } }),
    },
    {
      name: 'POST /api/admin/chats/:id/messages client_id',
      optional: true,
      send: (v) =>
        t.http(`/api/admin/chats/${u.chatId}/messages`, { method: 'POST', token: agentToken, body: { content: 'x', client_id: v } }),
    },
    {
      name: 'POST /api/auth/login email',
      optional: false,
      send: (v) => t.http('/api/auth/login', { method: 'POST', body: { email: v, password: 'admin' } }),
    },
    {
      name: 'POST /api/auth/login password',
      optional: false,
      send: (v) => t.http('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: v } }),
    },
    {
      name: 'POST /api/demo/token email',
      optional: false,
      send: (v) => t.http('/api/demo/token', { method: 'POST', body: { email: v } }),
    },
  ];

  it.each(bodySlots.map((s) => [s.name, s] as const))('refuses every hostile value in %s with 400 and changes nothing', async (_n, slot) => {
    const before = await snapshot(t);
    const answers: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const [name, value] of JSON_VALUES) {
      // Text that only looks hostile is legitimate content, kept verbatim (tested below).
      if (slot.name.endsWith('content') && typeof value === 'string' && VERBATIM_TEXT.includes(value)) continue;
      if (absentOk(value, slot.optional)) continue;
      if (slot.name.includes('password') && typeof value === 'string' && value.length > 0 && value.length <= 1024) continue;
      // Letters, digits and _ . : - make a valid idempotency key, whatever it spells.
      if (slot.name.endsWith('client_id') && value === '__proto__') continue;
      answers[name] = answer(await slot.send(value));
      expected[name] = '400 Bad Request';
    }
    expect(answers).toEqual(expected);
    expect(await snapshot(t)).toEqual(before);
  });

  describe('the agents’ management and assignment', () => {
    let helperId: string;
    beforeAll(async () => {
      const made = await t.http<{ agent: AgentView }>('/api/admin/agents', {
        method: 'POST',
        token: agentToken,
        body: { email: 'helper@example.com', name: 'Helper', password: 'a long enough passphrase' },
      });
      expect(made.status).toBeLessThan(300);
      helperId = made.body.agent.id;
    });

    const isStorableLong = (v: unknown, min: number) => typeof v === 'string' && v.length >= min && v.length <= 1024 && !/[\u0000\p{Surrogate}]/u.test(v);
    // Hostile-looking names are names: kept verbatim, like message text.
    const isName = (v: unknown) => typeof v === 'string' && VERBATIM_TEXT.includes(v);
    const slots: { name: string; legit: (v: unknown) => boolean; send: (v: unknown) => Promise<{ status: number; body: unknown; text: string }> }[] = [
      {
        name: 'POST /api/admin/agents email',
        legit: () => false,
        send: (v) => t.http('/api/admin/agents', { method: 'POST', token: agentToken, body: { email: v, name: 'New' } }),
      },
      {
        name: 'POST /api/admin/agents name',
        legit: isName,
        send: (v) => t.http('/api/admin/agents', { method: 'POST', token: agentToken, body: { email: 'new-1@example.com', name: v } }),
      },
      {
        name: 'POST /api/admin/agents role',
        legit: (v) => v === null,
        send: (v) => t.http('/api/admin/agents', { method: 'POST', token: agentToken, body: { email: 'new-2@example.com', name: 'New', role: v } }),
      },
      {
        name: 'POST /api/admin/agents password',
        legit: (v) => v === null || isStorableLong(v, 12),
        send: (v) => t.http('/api/admin/agents', { method: 'POST', token: agentToken, body: { email: 'new-3@example.com', name: 'New', password: v } }),
      },
      {
        name: 'PATCH /api/admin/agents/:id name',
        legit: (v) => v === null || isName(v),
        send: (v) => t.http(`/api/admin/agents/${helperId}`, { method: 'PATCH', token: agentToken, body: { name: v } }),
      },
      {
        name: 'PATCH /api/admin/agents/:id role',
        legit: (v) => v === null,
        send: (v) => t.http(`/api/admin/agents/${helperId}`, { method: 'PATCH', token: agentToken, body: { role: v } }),
      },
      {
        name: 'PATCH /api/admin/me name',
        legit: isName,
        send: (v) => t.http('/api/admin/me', { method: 'PATCH', token: agentToken, body: { name: v } }),
      },
      {
        name: 'POST /api/admin/chats/:id/assign agent_id',
        legit: (v) => v === null,
        send: (v) => t.http(`/api/admin/chats/${u.chatId}/assign`, { method: 'POST', token: agentToken, body: { agent_id: v } }),
      },
      {
        name: 'PATCH /api/admin/settings/assignment auto_assign',
        legit: (v) => v === null || v === true,
        send: (v) => t.http('/api/admin/settings/assignment', { method: 'PATCH', token: agentToken, body: { auto_assign: v } }),
      },
      {
        name: 'PATCH /api/admin/settings/assignment max_open_per_agent',
        legit: (v) => v === null || v === 42,
        send: (v) => t.http('/api/admin/settings/assignment', { method: 'PATCH', token: agentToken, body: { max_open_per_agent: v } }),
      },
      {
        name: 'POST /api/auth/set-password token',
        legit: (v) => isStorableLong(v, 20),
        send: (v) => t.http('/api/auth/set-password', { method: 'POST', body: { token: v, password: 'a long enough passphrase' } }),
      },
    ];

    it.each(slots.map((s) => [s.name, s] as const))('refuses every hostile value in %s with 400 and changes nothing', async (_n, slot) => {
      const before = await snapshot(t);
      const answers: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      for (const [name, value] of JSON_VALUES) {
        if (slot.legit(value)) continue;
        answers[name] = answer(await slot.send(value));
        expected[name] = '400 Bad Request';
      }
      expect(answers).toEqual(expected);
      expect(await snapshot(t)).toEqual(before);
    });

    it.each(['', '/deactivate', '/reactivate', '/password'])('refuses every malformed agent id in /api/admin/agents/:id%s with 400', async (suffix) => {
      const before = await snapshot(t);
      const method = suffix === '' ? 'PATCH' : 'POST';
      const answers: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      for (const [name, raw] of RAW_PATH_VALUES) {
        answers[name] = answer(await t.http(`/api/admin/agents/${raw}${suffix}`, { method, token: agentToken, body: suffix === '' ? { name: 'x' } : {} }));
        expected[name] = '400 Bad Request';
      }
      expect(answers).toEqual(expected);
      const assign = await t.http(`/api/admin/chats/${encodeURIComponent("' OR 1=1 --")}/assign`, { method: 'POST', token: agentToken, body: { agent_id: null } });
      expect(answer(assign)).toBe('400 Bad Request');
      expect(await snapshot(t)).toEqual(before);
    });
  });

  it('answers a wrong password of any storable text with 401, and text Postgres cannot keep with 400', async () => {
    for (const [name, value] of JSON_VALUES) {
      if (typeof value !== 'string' || value.length === 0 || value.length > 1024) continue;
      const res = await t.http('/api/auth/login', { method: 'POST', body: { email: 'nobody@example.com', password: value } });
      expect({ name, status: res.status }).toEqual({ name, status: /[\u0000\p{Surrogate}]/u.test(value) ? 400 : 401 });
    }
  }, 60_000);

  it.each([
    ['an array', ['x']],
    ['a number', 42],
    ['a string', 'content'],
    ['null', null],
    ['true', true],
  ])('refuses a JSON body that is %s with 400', async (_n, body) => {
    const before = await snapshot(t);
    for (const [path, method, token] of [
      ['/api/support_chat/messages', 'POST', u.token],
      ['/api/support_chat/mark_read', 'PATCH', u.token],
      [`/api/admin/chats/${u.chatId}/messages`, 'POST', agentToken],
      ['/api/auth/login', 'POST', undefined],
    ] as const) {
      const res = await t.http(path, { method, token, body: JSON.stringify(body) });
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 400, body: BAD_REQUEST });
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses unknown fields, including prototype keys, and pollutes nothing', async () => {
    const before = await snapshot(t);
    const bodies = [
      '{"content":"hi","sender_type":"admin"}',
      '{"content":"hi","chat_id":"00000000-0000-4000-8000-000000000000"}',
      '{"content":"hi","__proto__":{"polluted":"yes"}}',
      '{"content":"hi","constructor":{"prototype":{"polluted":"yes"}}}',
      '{"content":"hi","read_at":"2020-01-01T00:00:00.000Z","id":"00000000-0000-4000-8000-000000000000"}',
    ];
    for (const body of bodies) {
      const res = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      const admin = await t.http(`/api/admin/chats/${u.chatId}/messages`, { method: 'POST', token: agentToken, body });
      expect({ body, status: admin.status }).toEqual({ body, status: 400 });
    }
    const login = await t.http('/api/auth/login', {
      method: 'POST',
      body: '{"email":"admin@example.com","password":"admin","__proto__":{"role":"admin"}}',
    });
    expect(login.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(await snapshot(t)).toEqual(before);
  });

  const querySlots: { name: string; key: string; token: () => string | undefined; path: () => string; rest?: () => string; method?: string }[] = [
    { name: 'GET /api/support_chat before', key: 'before', token: () => u.token, path: () => '/api/support_chat' },
    { name: 'GET /api/support_chat limit', key: 'limit', token: () => u.token, path: () => '/api/support_chat' },
    { name: 'GET /api/support_chat/messages after', key: 'after', token: () => u.token, path: () => '/api/support_chat/messages' },
    {
      name: 'GET /api/support_chat/messages limit',
      key: 'limit',
      token: () => u.token,
      path: () => '/api/support_chat/messages',
      rest: () => `after=${own.id}`,
    },
    { name: 'GET /api/admin/chats archived', key: 'archived', token: () => agentToken, path: () => '/api/admin/chats' },
    { name: 'GET /api/admin/chats limit', key: 'limit', token: () => agentToken, path: () => '/api/admin/chats' },
    { name: 'GET /api/admin/chats cursor', key: 'cursor', token: () => agentToken, path: () => '/api/admin/chats' },
    { name: 'GET /api/admin/chats/:id before', key: 'before', token: () => agentToken, path: () => `/api/admin/chats/${u.chatId}`, rest: () => 'view=false' },
    { name: 'GET /api/admin/chats/:id limit', key: 'limit', token: () => agentToken, path: () => `/api/admin/chats/${u.chatId}`, rest: () => 'view=false' },
    { name: 'GET /api/admin/chats/:id view', key: 'view', token: () => agentToken, path: () => `/api/admin/chats/${u.chatId}` },
    { name: 'GET /api/admin/chats/:id/messages after', key: 'after', token: () => agentToken, path: () => `/api/admin/chats/${u.chatId}/messages` },
    { name: 'GET /api/unsubscribe token', key: 'token', token: () => undefined, path: () => '/api/unsubscribe' },
    { name: 'POST /api/unsubscribe token', key: 'token', token: () => undefined, path: () => '/api/unsubscribe', method: 'POST' },
  ];

  it.each(querySlots.map((s) => [s.name, s] as const))('refuses every hostile value in the query of %s with 400', async (_n, slot) => {
    const before = await snapshot(t);
    const answers: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const [name, fragment] of RAW_QUERY_VALUES) {
      // An empty cursor is no cursor: the first page, as documented for a missing one.
      if (slot.key === 'cursor' && name === 'an empty value') continue;
      const query = [slot.rest?.(), fragment(slot.key)].filter(Boolean).join('&');
      answers[name] = answer(await t.http(`${slot.path()}?${query}`, { token: slot.token(), method: slot.method }));
      expected[name] = '400 Bad Request';
    }
    expect(answers).toEqual(expected);
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses prototype-shaped query keys on every GET', async () => {
    for (const path of ['/api/support_chat', `/api/admin/chats`, `/api/admin/chats/${u.chatId}?view=false`]) {
      const token = path.startsWith('/api/admin') ? agentToken : u.token;
      for (const q of ['__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes']) {
        const res = await t.http(`${path}${path.includes('?') ? '&' : '?'}${q}`, { token });
        expect({ path, q, status: res.status }).toEqual({ path, q, status: 400 });
      }
      // Bare prototype keys never reach the object the validators see: dropped, not refused.
      for (const q of ['__proto__=x', 'constructor=x']) {
        const res = await t.http(`${path}${path.includes('?') ? '&' : '?'}${q}`, { token });
        expect({ path, q, status: res.status }).toEqual({ path, q, status: 200 });
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['', '/messages', '/archive', '/unarchive'])('refuses every malformed chat id in /api/admin/chats/:id%s with 400', async (suffix) => {
    const before = await snapshot(t);
    const method = suffix === '' || suffix === '/messages' ? 'GET' : 'POST';
    const answers: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const [name, raw] of RAW_PATH_VALUES) {
      const q = suffix === '/messages' ? `?after=${own.id}` : '';
      answers[name] = answer(await t.http(`/api/admin/chats/${raw}${suffix}${q}`, { method, token: agentToken }));
      expected[name] = '400 Bad Request';
    }
    expect(answers).toEqual(expected);
    const post = await t.http(`/api/admin/chats/${encodeURIComponent("' OR 1=1 --")}/messages`, {
      method: 'POST',
      token: agentToken,
      body: { content: 'x' },
    });
    expect(post).toMatchObject({ status: 400, body: BAD_REQUEST });
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses JSON nested as deep as a body allows with 400, in a field, an unknown field or the whole body', async () => {
    const before = await snapshot(t);
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const deepObject = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
    const bodies = [`{"content":${deep}}`, `{"content":"x","client_id":${deepObject}}`, `{"content":"x","extra":${deep}}`, deep];
    for (const body of bodies) {
      for (const [path, method, token] of [
        ['/api/support_chat/messages', 'POST', u.token],
        [`/api/admin/chats/${u.chatId}/messages`, 'POST', agentToken],
        ['/api/support_chat/mark_read', 'PATCH', u.token],
        ['/api/auth/login', 'POST', undefined],
      ] as const) {
        const res = await t.http(path, { method, token, body });
        expect({ path, body: body.slice(0, 30), answer: answer(res) }).toEqual({ path, body: body.slice(0, 30), answer: '400 Bad Request' });
      }
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses a made-up cursor whose time Date.parse takes but Postgres would not, with 400', async () => {
    const id = randomUUID();
    for (const time of ['2022', 'Tue Mar 01 2022', '0000-01-01T00:00:00.000Z', '2022-02-31T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']) {
      const cursor = Buffer.from(JSON.stringify({ t: time, id })).toString('base64url');
      const res = await t.http(`/api/admin/chats?cursor=${cursor}`, { token: agentToken });
      expect({ time, answer: answer(res) }).toEqual({ time, answer: '400 Bad Request' });
    }
    const real = await t.http('/api/admin/chats?limit=1', { token: agentToken });
    expect(real.status).toBe(200);
  });

  it('stores hostile-looking text verbatim and returns it verbatim in JSON', async () => {
    const p = await person(t);
    for (const content of VERBATIM_TEXT) {
      const res = await t.http('/api/support_chat/messages', { method: 'POST', token: p.token, body: { content } });
      expect(res).toMatchObject({ status: 201, body: { content } });
    }
    const [{ n }]: { n: number }[] = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM support_messages');
    expect(n).toBeGreaterThan(VERBATIM_TEXT.length);
    const history = await t.http<SupportChat>('/api/support_chat', { token: p.token });
    expect(history.body.messages.map((m) => m.content)).toEqual(VERBATIM_TEXT);
  });

  it('answers 413 to a 100 KB body and stores nothing', async () => {
    const before = await snapshot(t);
    const res = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'z'.repeat(100 * 1024) } });
    expect(res).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
    expect(await snapshot(t)).toEqual(before);
  });
});
