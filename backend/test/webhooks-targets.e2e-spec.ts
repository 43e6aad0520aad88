import { DataSource } from 'typeorm';
import type { LoginResult } from '../src/auth/auth.service';
import type { WebhookDelivery, WebhookDeliveryPage, WebhookEndpointView, WebhookEndpointWithSecret } from '../src/contracts/wire';
import { WebhookDeliverer } from '../src/webhooks/webhook-deliverer.service';
import { WebhookEndpointCache } from '../src/webhooks/webhook-endpoint-cache';
import { waitFor } from './support/instances';
import { startTestApp, type TestApp } from './support/test-app';
import { startReceiver, verifies } from './support/webhook-receiver';

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

describe('webhooks: refused targets (e2e, production, private addresses not allowed)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp({
      NODE_ENV: 'production',
      WIDGET_JWT_SECRET: 'w'.repeat(40),
      ADMIN_JWT_SECRET: 'a'.repeat(40),
      ADMIN_EMAIL: 'root@example.com',
      ADMIN_PASSWORD: 'a long enough password',
    });
    const login = await t.http<LoginResult>('/api/auth/login', { method: 'POST', body: { email: 'root@example.com', password: 'a long enough password' } });
    admin = login.body.access_token;
  });
  afterAll(() => t.close());

  it.each([
    ['https://127.0.0.1/hook', /127\.0\.0\.1, a loopback address/],
    ['https://10.1.2.3/hook', /10\.1\.2\.3, a private address/],
    ['https://169.254.169.254/latest/meta-data', /169\.254\.169\.254, a link-local address/],
    ['https://[::1]/hook', /::1, a loopback address/],
    ['https://[::ffff:192.168.0.1]/hook', /a private address/],
    ['https://100.64.0.7/hook', /shared \(CGNAT\)/],
    ['https://0.0.0.0/hook', /unspecified/],
    ['https://localhost/hook', /^localhost resolves to .*, a loopback address/],
    ['http://93.184.215.14/hook', /must use https in production/],
    ['not a url', /absolute http\(s\) URL/],
    ['https://user:pw@93.184.215.14/hook', /user name or password/],
  ])('refuses %s with 400 and the reason', async (url, reason) => {
    const res = await t.http<ErrorBody>('/api/admin/webhooks', { method: 'POST', token: admin, body: { url, event_types: ['chat.created'] } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(reason);
    expect((await t.http('/api/admin/webhooks', { token: admin })).body).toEqual([]);
  });

  it('checks the address again when sending: a host that now resolves inward is refused, not called', async () => {
    // As if the endpoint's DNS changed after it was registered: the row is written directly.
    const db = t.app.get(DataSource);
    const [row] = await db.query(
      `INSERT INTO webhook_endpoints (url, event_types) VALUES ('https://localhost:9/hook', '{message.created}') RETURNING id`,
    );
    await db.query(`INSERT INTO webhook_secrets (endpoint_id, secret) VALUES ($1, 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0')`, [row.id]);
    await t.app.get(WebhookEndpointCache).reload();
    const token = t.userToken({}, { secret: 'w'.repeat(40) });
    expect((await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: 'rebinding' } })).status).toBe(201);
    let d: WebhookDelivery | undefined;
    await waitFor('the delivery refused', async () => {
      d = ((await t.http(`/api/admin/webhooks/${row.id as string}/deliveries`, { token: admin })).body as WebhookDeliveryPage).items[0];
      return d?.status === 'failed';
    });
    expect(d).toMatchObject({ attempts: 1, response_code: null, next_attempt_at: null });
    expect(d?.last_error).toMatch(/^refused: localhost resolves to .*, a loopback address/);
    await t.http(`/api/admin/webhooks/${row.id as string}`, { method: 'DELETE', token: admin });
  });

  it('accepts a public https address (positive control), and refuses moving it to a private one', async () => {
    const ok = await t.http('/api/admin/webhooks', { method: 'POST', token: admin, body: { url: 'https://93.184.215.14/hook', event_types: ['chat.created'] } });
    expect(ok.status).toBe(201);
    const id = (ok.body as WebhookEndpointWithSecret).endpoint.id;
    const moved = await t.http<ErrorBody>(`/api/admin/webhooks/${id}`, { method: 'PATCH', token: admin, body: { url: 'https://192.168.1.1/' } });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toMatch(/192\.168\.1\.1, a private address/);
    expect(((await t.http(`/api/admin/webhooks/${id}`, { token: admin })).body as WebhookEndpointView).url).toBe('https://93.184.215.14/hook');
  });
});

describe('webhooks with ROLE=api and ROLE=worker (e2e)', () => {
  it('queues on the API instance and sends from the worker', async () => {
    const rx = await startReceiver();
    const api = await startTestApp({ ROLE: 'api', WEBHOOK_ALLOW_PRIVATE: 'true' });
    const worker = await startTestApp({ ROLE: 'worker', DATABASE_URL: api.config.databaseUrl, REDIS_PREFIX: api.config.redisPrefix, WEBHOOK_ALLOW_PRIVATE: 'true' });
    try {
      // (The API role has no deliverer at all: asking Nest for a missing provider ends the process.)
      expect(worker.app.get(WebhookDeliverer)).toBeInstanceOf(WebhookDeliverer);
      const admin = await api.adminToken();
      const made = await api.http('/api/admin/webhooks', { method: 'POST', token: admin, body: { url: `${rx.base}/split`, event_types: ['message.created'] } });
      expect(made.status).toBe(201);
      expect((await api.http('/api/support_chat/messages', { method: 'POST', token: api.userToken(), body: { content: 'split roles' } })).status).toBe(201);
      const [r] = await rx.until('/split', (rs) => rs.length >= 1);
      expect(verifies((made.body as WebhookEndpointWithSecret).secret, r)).toEqual([true]);
    } finally {
      await worker.app.close();
      await api.close();
      await rx.close();
    }
  });
});

describe('webhooks: a delivery whose job Redis lost (e2e)', () => {
  it('is queued again by the sweep and delivered', async () => {
    const rx = await startReceiver();
    const t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    try {
      const admin = await t.adminToken();
      const made = await t.http('/api/admin/webhooks', { method: 'POST', token: admin, body: { url: `${rx.base}/lost`, event_types: ['message.created'] } });
      const { endpoint, secret } = made.body as WebhookEndpointWithSecret;
      // A pending delivery overdue by two minutes with no job: as after a Redis flush.
      const body = JSON.stringify({ type: 'message.created', timestamp: new Date().toISOString(), data: { lost: true } });
      const db = t.app.get(DataSource);
      const [row] = await db.query(
        `INSERT INTO webhook_deliveries (endpoint_id, event_type, body, next_attempt_at, retry_until)
         VALUES ($1, 'message.created', $2, now() - interval '2 minutes', now() + interval '1 hour') RETURNING id`,
        [endpoint.id, body],
      );
      const deliverer = t.app.get(WebhookDeliverer);
      expect(await deliverer.sweep()).toBe(1);
      const [r] = await rx.until('/lost', (rs) => rs.length >= 1);
      expect(r.body).toBe(body);
      expect(verifies(secret, r)).toEqual([true]);
      await waitFor('the delivery recorded', async () => {
        const page = (await t.http(`/api/admin/webhooks/${endpoint.id}/deliveries`, { token: admin })).body as WebhookDeliveryPage;
        return page.items.some((d) => d.id === row.id && d.status === 'succeeded');
      });
      // Nothing overdue any more: a second sweep queues nothing.
      expect(await deliverer.sweep()).toBe(0);
    } finally {
      await t.close();
      await rx.close();
    }
  });
});
