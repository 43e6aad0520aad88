import { generateKeyPairSync } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { io } from 'socket.io-client';
import { DataSource } from 'typeorm';
import type { LoginResult } from '../../src/auth/auth.service';
import { DEV_ADMIN_SECRET } from '../../src/config/app-config';
import { emitAck, startTestApp, type TestApp } from '../support/test-app';
import { craftToken, nowSeconds, person, snapshot, unsignedToken, type Person } from './hostile-support';

// Two widget keys: the bare one serves tokens without a kid, the other only tokens naming it.
const KEY = 'reliability-widget-key-0123456789abcdef';
const OTHER_KEY = 'reliability-widget-key-2-abcdef0123456789';
const OTHER_KID = 'k2';

const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' };
const FORBIDDEN = { statusCode: 403, message: 'Forbidden', error: 'Forbidden' };

describe('hostile tokens (e2e)', () => {
  let t: TestApp;
  let agent: { token: string; id: string };
  let victim: Person;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { privateKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  beforeAll(async () => {
    t = await startTestApp({ WIDGET_JWT_SECRET: `${KEY},${OTHER_KID}:${OTHER_KEY}` });
    const login = await t.http<LoginResult>('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: 'admin' } });
    agent = { token: login.body.access_token, id: login.body.admin.id };
    victim = await person(t, { sub: 'victim' }, KEY);
  }, 60_000);
  afterAll(() => t.close());

  const exp = () => nowSeconds() + 600;
  const userClaims = (sub: string) => ({ sub, email: `${sub}@example.com`, aud: 'support-widget', exp: exp() });
  const agentClaims = () => ({ sub: agent.id, email: 'admin@example.com', aud: 'support-console', exp: exp() });
  const hs = (payload: object, secret = KEY, opts: object = {}) => sign(payload, secret, { algorithm: 'HS256', ...opts });

  /** Every end-user route, each of which would write something if it let the caller in. */
  const userRoutes = () => [
    { method: 'GET', path: '/api/support_chat' },
    { method: 'GET', path: `/api/support_chat/messages?after=00000000-0000-4000-8000-000000000000` },
    { method: 'POST', path: '/api/support_chat/messages', body: { content: 'let me in' } },
    { method: 'PATCH', path: '/api/support_chat/mark_read', body: {} },
  ];
  const agentRoutes = () => [
    { method: 'GET', path: '/api/admin/chats' },
    { method: 'GET', path: `/api/admin/chats/${victim.chatId}` },
    { method: 'GET', path: `/api/admin/chats/${victim.chatId}/messages?after=00000000-0000-4000-8000-000000000000` },
    { method: 'POST', path: `/api/admin/chats/${victim.chatId}/messages`, body: { content: 'let me in' } },
    { method: 'POST', path: `/api/admin/chats/${victim.chatId}/archive` },
  ];

  async function refusedEverywhere(token: string | undefined, routes: { method: string; path: string; body?: unknown }[], expected: object) {
    for (const route of routes) {
      const res = await t.http(route.path, { method: route.method, token, body: route.body });
      expect({ route: `${route.method} ${route.path}`, status: res.status, body: res.body }).toEqual({
        route: `${route.method} ${route.path}`,
        status: (expected as { statusCode: number }).statusCode,
        body: expected,
      });
    }
  }

  async function handshakeRefused(auth: Record<string, unknown>, query?: Record<string, string>) {
    const socket = io(`${t.url}/support`, { auth, query, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (err) => resolve(err.message));
      });
      expect(outcome).toBe('unauthorized');
    } finally {
      socket.close();
    }
  }

  describe('user tokens', () => {
    const bad: [string, () => string][] = [
      ['a forged signature', () => hs(userClaims('forged'), 'not-the-key-0123456789abcdefghijkl')],
      ['alg none, no signature', () => unsignedToken({ alg: 'none', typ: 'JWT' }, userClaims('none-1'))],
      ['alg None with the real signature kept', () => unsignedToken({ alg: 'None' }, userClaims('none-2'), hs(userClaims('none-2')).split('.')[2])],
      ['alg NONE', () => unsignedToken({ alg: 'NONE' }, userClaims('none-3'))],
      ['no alg at all', () => craftToken({ typ: 'JWT' }, userClaims('no-alg'), KEY)],
      ['a header claiming RS256, HMAC-signed with the secret', () => craftToken({ alg: 'RS256', typ: 'JWT' }, userClaims('rs-hmac'), KEY)],
      ['a header claiming ES256, HMAC-signed with the secret', () => craftToken({ alg: 'ES256', typ: 'JWT' }, userClaims('es-hmac'), KEY)],
      ['a real RS256 token from the attacker’s key', () => sign(userClaims('rs-real'), privateKey, { algorithm: 'RS256' })],
      [
        'RS256 carrying its own public key (jwk header)',
        () => sign(userClaims('rs-jwk'), privateKey, { algorithm: 'RS256', header: { alg: 'RS256', jwk: publicKey.export({ format: 'jwk' }) } as never }),
      ],
      ['a real ES256 token', () => sign(userClaims('es-real'), ecKey, { algorithm: 'ES256' })],
      ['HS512 with the right secret', () => sign(userClaims('hs512'), KEY, { algorithm: 'HS512' })],
      ['an empty secret', () => craftToken({ alg: 'HS256' }, userClaims('empty-secret'), '')],
      ['expired', () => hs({ ...userClaims('expired'), exp: nowSeconds() - 5 })],
      ['not yet valid (nbf in the future)', () => hs({ ...userClaims('nbf'), nbf: nowSeconds() + 300 })],
      ['a wrong audience', () => hs({ ...userClaims('aud'), aud: 'someone-else' })],
      ['the console audience', () => hs({ ...userClaims('aud-console'), aud: 'support-console' })],
      ['no audience', () => hs({ sub: 'no-aud', email: 'no-aud@example.com', exp: exp() })],
      ['no sub', () => hs({ email: 'nosub@example.com', aud: 'support-widget', exp: exp() })],
      ['an empty sub', () => hs({ ...userClaims('x'), sub: '' })],
      ['a numeric sub', () => hs({ ...userClaims('x'), sub: 42 })],
      ['a sub over 255 characters', () => hs({ ...userClaims('x'), sub: 's'.repeat(256) })],
      ['no email', () => hs({ sub: 'noemail', aud: 'support-widget', exp: exp() })],
      ['an email that is not one', () => hs({ ...userClaims('bademail'), email: 'not an email' })],
      ['an email that is an object', () => hs({ ...userClaims('objemail'), email: { $ne: '' } })],
      ['no exp', () => hs({ sub: 'noexp', email: 'noexp@example.com', aud: 'support-widget' })],
      ['an exp that is a string', () => craftToken({ alg: 'HS256' }, { ...userClaims('strexp'), exp: '99999999999' }, KEY)],
      ['another key’s kid', () => hs(userClaims('kid-swap'), KEY, { keyid: OTHER_KID })],
      ['the other key without its kid', () => hs(userClaims('kid-missing'), OTHER_KEY)],
      ['an unknown kid', () => hs(userClaims('kid-unknown'), KEY, { keyid: 'nope' })],
      ['a kid that is an object', () => craftToken({ alg: 'HS256', kid: { $ne: '' } }, userClaims('kid-obj'), KEY)],
      ['a kid naming a prototype member', () => craftToken({ alg: 'HS256', kid: '__proto__' }, userClaims('kid-proto'), KEY)],
      ['a kid that is a path', () => craftToken({ alg: 'HS256', kid: '../../../../dev/null' }, userClaims('kid-path'), '')],
      ['a NUL in the sub', () => hs({ ...userClaims('x'), sub: 'nul\u0000sub' })],
      ['an unpaired surrogate in the sub', () => hs({ ...userClaims('x'), sub: 'victim\uD800' })],
      ['a NUL in the email', () => hs({ ...userClaims('nul-email'), email: 'nul\u0000@example.com' })],
      ['a NUL in the name', () => hs({ ...userClaims('nul-name'), name: 'Eve\u0000' })],
      ['an unpaired surrogate in the name', () => hs({ ...userClaims('lone-name'), name: 'Eve\uDC00' })],
      ['a NUL in the return_url', () => hs({ ...userClaims('nul-url'), return_url: 'https://app.example.com/\u0000' })],
      ['a token of four parts', () => `${hs(userClaims('parts'))}.extra`],
      ['a token over 8 KB', () => hs({ ...userClaims('huge'), pad: 'p'.repeat(9000) })],
      ['garbage', () => 'not.a.jwt'],
      ['SQL in place of a token', () => "' OR 1=1 --"],
    ];

    // Refusals change nothing, so every case is compared with the data as it was before them all.
    let before: Awaited<ReturnType<typeof snapshot>>;
    beforeAll(async () => {
      before = await snapshot(t);
    });

    it.each(bad)('refuses %s: 401 on every user route, unauthorized at the handshake, nothing stored', async (_name, make) => {
      const token = make();
      await refusedEverywhere(token, userRoutes(), UNAUTHORIZED);
      await handshakeRefused({ token });
      expect(await snapshot(t)).toEqual(before);
    });

    it('stores nothing for any refused subject, while a good token on the same routes does (positive control)', async () => {
      const refusedSubs = ['forged', 'none-1', 'rs-hmac', 'rs-real', 'rs-jwk', 'expired', 'nbf', 'aud', 'kid-swap', 'kid-missing'];
      const [{ n }]: { n: number }[] = await t.app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM users WHERE external_id = ANY($1)', [refusedSubs]);
      expect(n).toBe(0);
      const good = hs(userClaims('good-one'));
      expect((await t.http('/api/support_chat/messages', { method: 'POST', token: good, body: { content: 'let me in' } })).status).toBe(201);
      const rotated = hs(userClaims('good-rotated'), OTHER_KEY, { keyid: OTHER_KID });
      expect((await t.http('/api/support_chat', { token: rotated })).status).toBe(200);
      const socket = await t.connect(good);
      expect(socket.connected).toBe(true);
    });

    it.each([
      ['a token in the query string instead of auth', {}, { token: 'QUERY' }],
      ['a token that is an object', { token: { $ne: null } }, undefined],
      ['a token that is an array', { token: ['QUERY'] }, undefined],
      ['a number', { token: 12345 }, undefined],
    ] as [string, Record<string, unknown>, Record<string, string> | undefined][])(
      'refuses %s at the handshake',
      async (_name, auth, query) => {
        const good = hs(userClaims('query-token'));
        const fill = (o: Record<string, unknown> | undefined) =>
          o && JSON.parse(JSON.stringify(o).replace('QUERY', good));
        await handshakeRefused(fill(auth) as Record<string, unknown>, fill(query) as Record<string, string> | undefined);
      },
    );

    it('refuses a token sent any other way than Authorization: Bearer', async () => {
      const good = hs(userClaims('other-ways'));
      const before = await snapshot(t);
      const elsewhere: Record<string, string>[] = [
        { authorization: `Basic ${good}` },
        { authorization: good },
        { 'x-access-token': good },
        { cookie: `token=${good}` },
      ];
      for (const headers of elsewhere) {
        const res = await t.http('/api/support_chat', { headers });
        expect(res).toMatchObject({ status: 401, body: UNAUTHORIZED });
      }
      expect((await t.http(`/api/support_chat?access_token=${good}`)).status).toBe(401);
      expect(await snapshot(t)).toEqual(before);
    });
  });

  describe('console tokens', () => {
    const bad: [string, () => string][] = [
      ['a forged signature', () => hs(agentClaims(), 'not-the-admin-key-0123456789abcdef')],
      ['one signed with the widget key', () => hs(agentClaims(), KEY)],
      ['alg none', () => unsignedToken({ alg: 'none' }, agentClaims())],
      ['a header claiming RS256, HMAC-signed with the admin secret', () => craftToken({ alg: 'RS256' }, agentClaims(), DEV_ADMIN_SECRET)],
      ['a real RS256 token', () => sign(agentClaims(), privateKey, { algorithm: 'RS256' })],
      ['expired', () => hs({ ...agentClaims(), exp: nowSeconds() - 5 }, DEV_ADMIN_SECRET)],
      ['not yet valid', () => hs({ ...agentClaims(), nbf: nowSeconds() + 300 }, DEV_ADMIN_SECRET)],
      ['a wrong audience', () => hs({ ...agentClaims(), aud: 'support-console-x' }, DEV_ADMIN_SECRET)],
      ['a sub that is not an agent id', () => hs({ ...agentClaims(), sub: "' OR 1=1 --" }, DEV_ADMIN_SECRET)],
      ['no sub', () => hs({ email: 'admin@example.com', aud: 'support-console', exp: exp() }, DEV_ADMIN_SECRET)],
      ['no email', () => hs({ sub: agent.id, aud: 'support-console', exp: exp() }, DEV_ADMIN_SECRET)],
      ['no exp', () => hs({ sub: agent.id, email: 'admin@example.com', aud: 'support-console' }, DEV_ADMIN_SECRET)],
    ];

    let before: Awaited<ReturnType<typeof snapshot>>;
    beforeAll(async () => {
      before = await snapshot(t);
    });

    it.each(bad)('refuses %s: 401 on every agent route, unauthorized at the handshake, nothing changed', async (_name, make) => {
      const token = make();
      await refusedEverywhere(token, agentRoutes(), UNAUTHORIZED);
      await handshakeRefused({ token });
      expect(await snapshot(t)).toEqual(before);
    });

    it('the real console token passes the same routes (positive control)', async () => {
      expect((await t.http('/api/admin/chats', { token: agent.token })).status).toBe(200);
      expect((await t.http(`/api/admin/chats/${victim.chatId}?view=false`, { token: agent.token })).status).toBe(200);
    });
  });

  describe('each kind of token in the other’s place', () => {
    it('answers 403 to a console token on every user route and changes nothing', async () => {
      const before = await snapshot(t);
      await refusedEverywhere(agent.token, userRoutes(), FORBIDDEN);
      expect(await snapshot(t)).toEqual(before);
    });

    it('answers 403 to a user token on every agent route and changes nothing', async () => {
      const user = hs(userClaims('crossing-user'));
      expect((await t.http('/api/support_chat', { token: user })).status).toBe(200);
      const before = await snapshot(t);
      await refusedEverywhere(user, agentRoutes(), FORBIDDEN);
      expect(await snapshot(t)).toEqual(before);
    });

    it('answers forbidden to a user socket asking for the agents’ room, and lets an agent in (positive control)', async () => {
      const userSocket = await t.connect(hs(userClaims('room-crasher')));
      expect(await emitAck(userSocket, 'subscribe_admin', {})).toEqual({ ok: false, error: 'forbidden' });
      const agentSocket = await t.connect(agent.token);
      expect(await emitAck(agentSocket, 'subscribe_admin', {})).toEqual({ ok: true });
    });
  });
});
