import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import type { NewMessageEvent, SupportMessage } from '../../src/contracts/wire';
import { waitFor } from '../support/instances';
import { emitAck, nextEvent, startTestApp, type TestApp, type TestSocket } from '../support/test-app';
import { agentSays, person, sendOver, snapshot, userSays, type Person } from './hostile-support';

/** JSON values an attacker puts where an id, a cursor, a flag or a text goes. */
const JSON_VALUES: [string, unknown][] = [
  ['an object', { a: 1 }],
  ['an operator object', { $gt: '' }],
  ['an array', ['x']],
  ['an empty array', []],
  ['a number', 42],
  ['a negative number', -1],
  ['a fraction', 1.5],
  ['true', true],
  ['null', null],
  ['an empty string', ''],
  ['a very long string', 'a'.repeat(60_000)],
  ['a NUL inside text', 'a\u0000b'],
  ['a lone surrogate', '\uD800'],
  ['text with a lone surrogate', 'ok \uDC00 then'],
  ['SQL', "' OR 1=1 --"],
  ['a stacked SQL statement', "x'); DROP TABLE support_messages; --"],
  ['an operator as text', '{"$gt":""}'],
  ['a prototype name', '__proto__'],
];

/** The same, as an attacker writes them into a query string or a path. */
const RAW_QUERY_VALUES: [string, (key: string) => string][] = [
  ['an operator key', (k) => `${k}[$gt]=`],
  ['an array', (k) => `${k}=a&${k}=b`],
  ['an empty value', (k) => `${k}=`],
  ['SQL', (k) => `${k}=${encodeURIComponent("' OR 1=1 --")}`],
  ['an operator as text', (k) => `${k}=${encodeURIComponent('{"$gt":""}')}`],
  ['a NUL', (k) => `${k}=%00`],
  ['an encoded lone surrogate', (k) => `${k}=%ED%A0%80`],
  ['a broken escape', (k) => `${k}=%`],
  ['a very long value', (k) => `${k}=${'9'.repeat(10_000)}`],
  ['null', (k) => `${k}=null`],
  ['minus one', (k) => `${k}=-1`],
  ['an overflowing number', (k) => `${k}=1e999`],
  ['a prototype name', (k) => `${k}=__proto__`],
];

const RAW_PATH_VALUES: [string, string][] = [
  ['SQL', encodeURIComponent("' OR 1=1 --")],
  ['an operator as text', encodeURIComponent('{"$gt":""}')],
  ['a NUL', '%00'],
  ['an encoded lone surrogate', '%ED%A0%80'],
  ['a broken escape', '%'],
  ['a very long value', 'f'.repeat(10_000)],
  ['null', 'null'],
  ['a prototype name', '__proto__'],
  ['an uppercase-less uuid missing a digit', randomUUID().slice(1)],
];

/** Text the server must keep exactly: hostile-looking, but text. */
const VERBATIM_TEXT = ["' OR 1=1 --", "x'); DROP TABLE support_messages; --", '{"$gt":""}', '__proto__', '\u202Eevil\u202C', '👩‍💻 ok'];

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
const INVALID = { ok: false, error: 'invalid_content' };

describe('hostile shapes (e2e)', () => {
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

  /** Optional fields: `null` is their absence, not an attack. */
  const absentOk = (value: unknown, optional: boolean) => optional && value === null;

  describe('REST', () => {
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
        const made = await t.http('/api/admin/agents', {
          method: 'POST',
          token: agentToken,
          body: { email: 'helper@example.com', name: 'Helper', password: 'a long enough passphrase' },
        });
        expect(made.status).toBeLessThan(300);
        helperId = made.body.agent.id as string;
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
      const history = await t.http('/api/support_chat', { token: p.token });
      expect(history.body.messages.map((m: SupportMessage) => m.content)).toEqual(VERBATIM_TEXT);
    });

    it('answers 413 to a 100 KB body and stores nothing', async () => {
      const before = await snapshot(t);
      const res = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'z'.repeat(100 * 1024) } });
      expect(res).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
      expect(await snapshot(t)).toEqual(before);
    });
  });

  describe('Socket.IO events', () => {
    let userSocket: TestSocket;
    let agentSocket: TestSocket;

    beforeAll(async () => {
      userSocket = await t.connect(u.token);
      agentSocket = await t.connect(agentToken);
    });

    const VALUES_WITH_BINARY: [string, unknown][] = [...JSON_VALUES, ['a binary buffer', Buffer.from(randomUUID())]];

    const socketSlots: { name: string; optional: boolean; socket: () => TestSocket; event: string; payload: (v: unknown) => unknown }[] = [
      { name: 'subscribe chat_id', optional: false, socket: () => userSocket, event: 'subscribe', payload: (v) => ({ chat_id: v }) },
      { name: 'subscribe chat_id (agent)', optional: false, socket: () => agentSocket, event: 'subscribe', payload: (v) => ({ chat_id: v }) },
      { name: 'unsubscribe chat_id', optional: false, socket: () => userSocket, event: 'unsubscribe', payload: (v) => ({ chat_id: v }) },
      { name: 'subscribe_admin extra field', optional: false, socket: () => agentSocket, event: 'subscribe_admin', payload: (v) => ({ x: v }) },
      {
        name: 'send_message chat_id',
        optional: false,
        socket: () => userSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: v, content: 'x' }),
      },
      {
        name: 'send_message content',
        optional: false,
        socket: () => userSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: u.chatId, content: v }),
      },
      {
        name: 'send_message content (agent)',
        optional: false,
        socket: () => agentSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: u.chatId, content: v }),
      },
      {
        name: 'send_message client_id',
        optional: true,
        socket: () => userSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: u.chatId, content: 'x', client_id: v }),
      },
      { name: 'mark_read chat_id', optional: false, socket: () => userSocket, event: 'mark_read', payload: (v) => ({ chat_id: v }) },
      {
        name: 'mark_read up_to',
        optional: true,
        socket: () => userSocket,
        event: 'mark_read',
        payload: (v) => ({ chat_id: u.chatId, up_to: v }),
      },
      { name: 'mark_read chat_id (agent)', optional: false, socket: () => agentSocket, event: 'mark_read', payload: (v) => ({ chat_id: v }) },
    ];

    it.each(socketSlots.map((s) => [s.name, s] as const))('answers invalid_content to every hostile value in %s and changes nothing', async (_n, slot) => {
      const before = await snapshot(t);
      const answers: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      for (const [name, value] of VALUES_WITH_BINARY) {
        if (slot.name.startsWith('send_message content') && typeof value === 'string' && VERBATIM_TEXT.includes(value)) continue;
        if (absentOk(value, slot.optional)) continue;
        if (slot.name.endsWith('client_id') && value === '__proto__') continue;
        answers[name] = await emitAck(slot.socket(), slot.event, slot.payload(value));
        expected[name] = INVALID;
      }
      expect(answers).toEqual(expected);
      expect(await snapshot(t)).toEqual(before);
    });

    it.each(['subscribe', 'unsubscribe', 'send_message', 'mark_read', 'subscribe_admin'])(
      'answers invalid_content to a %s payload that is not an object',
      async (event) => {
        const before = await snapshot(t);
        for (const [name, value] of VALUES_WITH_BINARY) {
          // No payload at all is how an event without fields is sent.
          if (value === null || (event === 'subscribe_admin' && Array.isArray(value) && value.length === 0)) continue;
          if (typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && event === 'subscribe_admin') continue;
          const answer = await emitAck(agentSocket, event, value);
          expect({ name, answer }).toEqual({ name, answer: INVALID });
        }
        expect(await snapshot(t)).toEqual(before);
      },
    );

    it('refuses unknown fields and prototype keys in socket payloads', async () => {
      const before = await snapshot(t);
      const payloads = [
        { chat_id: u.chatId, content: 'hi', sender_type: 'admin' },
        { chat_id: u.chatId, content: 'hi', read_at: null },
        JSON.parse(`{"chat_id":"${u.chatId}","content":"hi","__proto__":{"polluted":"yes"}}`),
        JSON.parse(`{"chat_id":"${u.chatId}","content":"hi","constructor":{"prototype":{"polluted":"yes"}}}`),
      ];
      for (const payload of payloads) expect(await sendOver(userSocket, payload)).toEqual(INVALID);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await snapshot(t)).toEqual(before);
    });

    it('stores hostile-looking text sent over the socket verbatim', async () => {
      const p = await person(t);
      const socket = await t.connect(p.token);
      for (const content of VERBATIM_TEXT) {
        expect(await sendOver(socket, { chat_id: p.chatId, content })).toMatchObject({ ok: true, message: { content } });
      }
      const history = await t.http('/api/support_chat', { token: p.token });
      expect(history.body.messages.map((m: SupportMessage) => m.content)).toEqual(VERBATIM_TEXT);
    });

    it('closes the connection on a 100 KB frame, stores nothing, and keeps serving others', async () => {
      const p = await person(t);
      const socket = await t.connect(p.token);
      const before = await snapshot(t);
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      (socket.emit as (...args: unknown[]) => void)('send_message', { chat_id: p.chatId, content: 'x'.repeat(100 * 1024) }, () => undefined);
      expect(await closed).toMatch(/transport close|transport error/);
      expect(await snapshot(t)).toEqual(before);
      await stillServing();
    });
  });

  describe('malformed Socket.IO packets on a raw WebSocket', () => {
    /** A WebSocket that speaks Engine.IO 4 by hand, connected to /support with a real token. */
    async function rawClient(token: string) {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const frames: string[] = [];
      let closed = false;
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? '<binary>' : data.toString();
        // Answer the server's heartbeat, as a real client would.
        if (text === '2') ws.send('3');
        frames.push(text);
      });
      ws.on('close', () => (closed = true));
      ws.on('error', () => (closed = true));
      await waitFor('the Engine.IO open packet', () => frames.some((f) => f.startsWith('0{')), 5000);
      ws.send(`40/support,${JSON.stringify({ token })}`);
      await waitFor('the namespace connect', () => frames.some((f) => f.startsWith('40/support,')), 5000);
      return { ws, frames, isClosed: () => closed };
    }

    /** Whether the server closed this connection, or still answers an event on it with its ack. */
    async function outcome(client: Awaited<ReturnType<typeof rawClient>>, chatId: string): Promise<'closed' | 'still answering'> {
      const id = Math.floor(Math.random() * 1e6);
      if (!client.isClosed()) client.ws.send(`42/support,${id}["subscribe",{"chat_id":"${chatId}"}]`);
      await waitFor('the connection to close or the ack to come', () => client.isClosed() || client.frames.includes(`43/support,${id}[{"ok":true}]`), 5000);
      return client.isClosed() ? 'closed' : 'still answering';
    }

    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const GARBAGE: [string, (chatId: string) => string | Buffer][] = [
      ['truncated JSON', () => '42/support,["send_message"'],
      ['a bare message type', () => '4'],
      ['a huge packet type', () => '49999999999999999999'],
      ['an unknown Engine.IO type', () => '9'],
      ['an empty event', () => '42/support,'],
      ['an empty event array', () => '42/support,[]'],
      ['a reserved event name', () => '42/support,["disconnect"]'],
      ['an object instead of an array', () => '42/support,{"send_message":1}'],
      ['a huge ack id', (c) => `42/support,99999999999999999999999["subscribe",{"chat_id":"${c}"}]`],
      ['a negative ack id', (c) => `42/support,-1["subscribe",{"chat_id":"${c}"}]`],
      ['an unknown namespace', () => '42/nope,["subscribe",{}]'],
      ['a connect to an unknown namespace', () => '40/nope,'],
      ['a second connect with a bad token', () => '40/support,{"token":{"$ne":null}}'],
      ['too many attachments', () => '4599-/support,["send_message",{"_placeholder":true,"num":0}]'],
      ['a placeholder in a plain event', (c) => `42/support,7["send_message",{"chat_id":"${c}","content":{"_placeholder":true,"num":0}}]`],
      ['a binary frame out of nowhere', () => Buffer.from([0xde, 0xad, 0xbe, 0xef])],
      ['deeply nested arrays in a field', (c) => `42/support,8["send_message",{"chat_id":"${c}","content":${deep}}]`],
      ['deeply nested arrays as the chat id', () => `42/support,9["subscribe",{"chat_id":${deep}}]`],
    ];

    it.each(GARBAGE)('survives %s: that connection is closed or keeps working, nothing is stored, others are served', async (_n, make) => {
      const p = await person(t);
      const client = await rawClient(p.token);
      const before = await snapshot(t);
      client.ws.send(make(p.chatId));
      expect(['closed', 'still answering']).toContain(await outcome(client, p.chatId));
      client.ws.terminate();
      expect(await snapshot(t)).toEqual(before);
      await stillServing();
    });

    it('acks nesting as deep as a frame allows with invalid_content, not a failure of its own', async () => {
      const p = await person(t);
      const client = await rawClient(p.token);
      const deepObject = '{"a":'.repeat(8_000) + '1' + '}'.repeat(8_000);
      client.ws.send(`42/support,8["send_message",{"chat_id":"${p.chatId}","content":${deep}}]`);
      client.ws.send(`42/support,9["subscribe",{"chat_id":${deep}}]`);
      client.ws.send(`42/support,10["send_message",{"chat_id":"${p.chatId}","content":"x","client_id":${deepObject}}]`);
      client.ws.send(`42/support,11["mark_read",${deepObject}]`);
      const acks = [8, 9, 10, 11].map((id) => `43/support,${id}[{"ok":false,"error":"invalid_content"}]`);
      await waitFor('four invalid_content acks', () => client.isClosed() || acks.every((a) => client.frames.includes(a)), 5000);
      expect(client.frames.filter((f) => f.startsWith('43/'))).toEqual(acks);
      client.ws.terminate();
    });

    it('acks a placeholder smuggled into a plain event as invalid_content', async () => {
      const p = await person(t);
      const client = await rawClient(p.token);
      client.ws.send(`42/support,7["send_message",{"chat_id":"${p.chatId}","content":{"_placeholder":true,"num":0}}]`);
      await waitFor('the ack', () => client.frames.includes('43/support,7[{"ok":false,"error":"invalid_content"}]'), 5000);
      client.ws.terminate();
    });

    it('survives a binary event whose attachment never comes, then garbage after it', async () => {
      const p = await person(t);
      const client = await rawClient(p.token);
      client.ws.send(`451-/support,3["send_message",{"chat_id":"${p.chatId}","content":{"_placeholder":true,"num":0}}]`);
      client.ws.send('42/support,["subscribe",{}]');
      await waitFor('the server to close the connection', () => client.isClosed(), 5000);
      await stillServing();
    });
  });

  /** Positive control for every "survives": a fresh user's message is stored and relayed to the agent. */
  async function stillServing() {
    const p = await person(t);
    const watcher = await t.connect(agentToken);
    expect(await emitAck(watcher, 'subscribe', { chat_id: p.chatId })).toEqual({ ok: true });
    const socket = await t.connect(p.token);
    const relayed = nextEvent<NewMessageEvent>(watcher, 'new_message', (e) => e.chat_id === p.chatId);
    const ack = await sendOver(socket, { chat_id: p.chatId, content: 'still here?' });
    expect(ack).toMatchObject({ ok: true, message: { content: 'still here?' } });
    expect((await relayed).message.content).toBe('still here?');
    socket.disconnect();
    watcher.disconnect();
  }
});
