import { sign } from 'jsonwebtoken';
import { DEV_ADMIN_SECRET, DEV_WIDGET_SECRET } from '../src/config/app-config';
import type { SupportChat, SupportChatPage } from '../src/contracts/wire';
import { startTestApp, type TestApp } from './support/test-app';

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

const NEW_KEY = 'rotated-widget-key-2026-11-abcdefghijklmnop';

describe('auth (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The host rolls its secret: tokens signed with the new kid and old kid-less tokens both work.
    t = await startTestApp({ WIDGET_JWT_SECRET: `2026-11:${NEW_KEY},${DEV_WIDGET_SECRET}` });
  });
  afterAll(() => t.close());

  const unsigned = (payload: object) =>
    `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify(payload),
    ).toString('base64url')}.`;

  it('accepts a host-signed user token and upserts the user by sub', async () => {
    const token = t.userToken({ sub: 'host-42', email: 'ada@example.com', name: 'Ada' });
    const res = await t.http<SupportChat>('/api/support_chat', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.any(String), messages: [], has_more: false });
    const again = await t.http<SupportChat>('/api/support_chat', { token: t.userToken({ sub: 'host-42', email: 'ada@new.example.com' }) });
    expect(again.body.id).toBe(res.body.id);
    const list = await t.http<SupportChatPage>('/api/admin/chats', { token: await t.adminToken() });
    const item = list.body.items.find((c) => c.id === res.body.id);
    expect(item!.user_email).toBe('ada@new.example.com');
  });

  it.each([
    ['no token', undefined],
    ['garbage', 'not.a.jwt'],
    ['a forged signature', () => t.userToken({}, { secret: 'someone-elses-secret-0123456789abcdef' })],
    ['alg none', () => unsigned({ sub: 'x', email: 'x@example.com', aud: 'support-widget', exp: Math.floor(Date.now() / 1000) + 600 })],
    ['an expired token', () => t.userToken({}, { expiresIn: -10 })],
    ['a wrong audience', () => t.userToken({}, { audience: 'someone-else' })],
    ['no exp', () => sign({ email: 'a@example.com' }, DEV_WIDGET_SECRET, { audience: 'support-widget', subject: 'a' })],
    ['no email', () => sign({}, DEV_WIDGET_SECRET, { audience: 'support-widget', subject: 'a', expiresIn: 60 })],
    ['an unknown kid', () => t.userToken({}, { keyid: 'nope' })],
    ['HS384', () => t.userToken({}, { algorithm: 'HS384' })],
  ])('refuses %s with 401 on REST and unauthorized on the socket', async (_name, make) => {
    const token = typeof make === 'function' ? make() : make;
    const res = await t.http('/api/support_chat', { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, message: expect.any(String), error: 'Unauthorized' });
    await expect(t.connect(token)).rejects.toThrow('unauthorized');
  });

  it('accepts tokens under the rotated key by kid', async () => {
    const token = t.userToken({ sub: 'rot-1' }, { secret: NEW_KEY, keyid: '2026-11' });
    expect((await t.http('/api/support_chat', { token })).status).toBe(200);
    const socket = await t.connect(token);
    expect(socket.connected).toBe(true);
    // The new key is bound to its kid: without it the token is checked against the old key.
    expect((await t.http('/api/support_chat', { token: t.userToken({}, { secret: NEW_KEY }) })).status).toBe(401);
  });

  it('logs an agent in and refuses a wrong pair', async () => {
    const ok = await t.http('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: 'admin' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      access_token: expect.any(String),
      expires_in: expect.any(Number),
      admin: { id: expect.any(String), email: 'admin@example.com', name: null, role: 'admin' },
    });
    const wrong = await t.http('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('password_hash');
    const unknown = await t.http('/api/auth/login', { method: 'POST', body: { email: 'who@example.com', password: 'admin' } });
    expect(unknown.status).toBe(401);
    const malformed = await t.http('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com' } });
    expect(malformed.status).toBe(400);
  });

  it('never takes a user token for an agent, nor the reverse (403)', async () => {
    const user = t.userToken();
    const agent = await t.adminToken();
    expect((await t.http('/api/admin/chats', { token: user })).status).toBe(403);
    expect((await t.http('/api/support_chat', { token: agent })).status).toBe(403);
    // A console token signed with the widget key is forged, not merely misplaced.
    const forged = sign({ email: 'x@example.com' }, DEV_WIDGET_SECRET, {
      audience: 'support-console',
      subject: '00000000-0000-4000-8000-000000000000',
      expiresIn: 60,
    });
    expect((await t.http('/api/admin/chats', { token: forged })).status).toBe(401);
    // Signed with the console key but for nobody on the team: refused too.
    const stranger = sign({ email: 'x@example.com', sv: 0 }, DEV_ADMIN_SECRET, {
      audience: 'support-console',
      subject: '00000000-0000-4000-8000-000000000000',
      expiresIn: 60,
    });
    expect((await t.http('/api/admin/chats', { token: stranger })).status).toBe(401);
    const me = (await t.http('/api/admin/me', { token: agent })).body as { id: string };
    const real = sign({ email: 'admin@example.com', sv: 0 }, DEV_ADMIN_SECRET, { audience: 'support-console', subject: me.id, expiresIn: 60 });
    expect((await t.http('/api/admin/chats', { token: real })).status).toBe(200);
  });

  it('slows down password guessing per account with a growing delay, without locking out others', async () => {
    const attempt = (email: string) =>
      t.http('/api/auth/login', { method: 'POST', body: { email, password: 'wrong' } }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await attempt('victim@example.com'));
    // Five free failures, a sixth that starts a one-second delay, then refusals until it passes.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const refused = await t.http<ErrorBody>('/api/auth/login', { method: 'POST', body: { email: 'victim@example.com', password: 'wrong' } });
    expect(refused.body.message).toMatch(/try again in \d+ s/);
    expect(await attempt('someone-else@example.com')).toBe(401);
  });

  it('disconnects a socket when its token expires', async () => {
    const socket = await t.connect(t.userToken({}, { expiresIn: 2 }));
    const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
  });
});
