import { getQueueToken } from '@nestjs/bull';
import { Logger, type LoggerService } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Queue } from 'bull';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type {
  AgentSupportMessage,
  CreatedApiKey,
  SupportChat,
  SupportMessage,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhookPayload,
} from '../src/contracts/wire';
import { WebhookEndpointCache } from '../src/webhooks/webhook-endpoint-cache';
import { WebhookSecretSealer } from '../src/webhooks/webhook-secret-sealer';
import { WEBHOOK_QUEUE, WebhookQueue } from '../src/webhooks/webhook-queue';
import { addAgent } from './support/agents';
import { waitFor } from './support/instances';
import { startReceiver, verifies, type Received, type Receiver } from './support/webhook-receiver';
import { emitAck, startTestApp, type TestApp } from './support/test-app';

/** Every line the server logs while the suite runs. */
class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  private keep = (...args: unknown[]) => void this.lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  log = this.keep;
  error = this.keep;
  warn = this.keep;
  debug = this.keep;
  verbose = this.keep;
  fatal = this.keep;
}

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

describe('webhooks (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let rx: Receiver;
  const log = new CapturedLog();
  const secrets: string[] = [];
  beforeAll(async () => {
    rx = await startReceiver();
    t = await startTestApp({
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_BASE_MS: '50',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RETRY_FOR_MS: '60000',
      WEBHOOK_DISABLE_AFTER_MS: '3000',
    });
    Logger.overrideLogger(log);
    admin = await t.adminToken();
  });
  afterEach(async () => {
    for (const e of (await t.http('/api/admin/webhooks', { token: admin })).body as WebhookEndpointView[]) {
      await t.http(`/api/admin/webhooks/${e.id}`, { method: 'DELETE', token: admin });
    }
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  const register = async (path: string, event_types: string[], extra: Record<string, unknown> = {}) => {
    const res = await t.http('/api/admin/webhooks', { method: 'POST', token: admin, body: { url: rx.base + path, event_types, ...extra } });
    if (res.status !== 201) throw new Error(`registering ${path} answered ${res.status}: ${res.text}`);
    const created = res.body as WebhookEndpointWithSecret;
    secrets.push(created.secret);
    return created;
  };
  const userSays = async (content: string, token = t.userToken()) => {
    const res = await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content } });
    return { token, chatId: res.body.chat_id, messageId: res.body.id };
  };
  const deliveries = async (endpointId: string) =>
    ((await t.http(`/api/admin/webhooks/${endpointId}/deliveries`, { token: admin })).body as WebhookDeliveryPage).items;
  const settled = (endpointId: string, n = 1) =>
    waitFor(`${n} settled deliveries`, async () => (await deliveries(endpointId)).filter((d) => d.status !== 'pending').length >= n);

  it('retries 503, 503 then 200 with one webhook-id, every attempt signed with the secret', async () => {
    rx.script('/flaky', [{ status: 503 }, { status: 503 }]);
    const { endpoint, secret } = await register('/flaky', ['message.created']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const { chatId } = await userSays('three tries');
    const got = await rx.until('/flaky', (rs) => rs.length >= 3);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(got[0].headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    for (const r of got) {
      expect(verifies(secret, r)).toEqual([true]);
      expect(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(verifies(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, got[0])).toEqual([false]);
    expect(got[0].payload).toMatchObject({ type: 'message.created', data: { chat_id: chatId, message: { content: 'three tries', sender_type: 'user' } } });
    await settled(endpoint.id);
    const [d] = await deliveries(endpoint.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3, response_code: 200, last_error: null, next_attempt_at: null, webhook_id: got[0].headers['webhook-id'] });
    expect(d.latency_ms).toEqual(expect.any(Number));
  });

  it('signs with the old and the new secret while one rotates', async () => {
    const { endpoint, secret: old } = await register('/rotating', ['message.created']);
    const rotated = await t.http(`/api/admin/webhooks/${endpoint.id}/rotate`, { method: 'POST', token: admin });
    expect(rotated.status).toBe(200);
    const fresh = (rotated.body as WebhookEndpointWithSecret).secret;
    secrets.push(fresh);
    expect(fresh).not.toBe(old);
    const ends = Date.parse((rotated.body as WebhookEndpointWithSecret).endpoint.rotation_ends_at ?? '');
    expect(ends - Date.now()).toBeGreaterThan(23 * 3600_000);
    await userSays('rotating');
    const [r] = await rx.until('/rotating', (rs) => rs.length >= 1);
    expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const byOld = verifies(old, r);
    const byNew = verifies(fresh, r);
    expect(byOld.filter(Boolean)).toHaveLength(1);
    expect(byNew.filter(Boolean)).toHaveLength(1);
    expect(byOld.indexOf(true)).not.toBe(byNew.indexOf(true));
    // Secrets are shown once: never in a listing or a read.
    const listed = await t.http('/api/admin/webhooks', { token: admin });
    const read = await t.http(`/api/admin/webhooks/${endpoint.id}`, { token: admin });
    for (const text of [listed.text, read.text]) for (const s of [old, fresh]) expect(text).not.toContain(s.slice(6, 30));
  });

  it('keeps signing secrets sealed at rest, and seals one stored before sealing without breaking its signatures', async () => {
    const db = t.app.get(DataSource);
    const { endpoint, secret } = await register('/sealed', ['message.created']);
    const stored = async () =>
      ((await db.query(`SELECT secret FROM webhook_secrets WHERE endpoint_id = $1`, [endpoint.id])) as { secret: string }[]).map((r) => r.secret);
    const [sealed] = await stored();
    expect(sealed).toMatch(/^sb1\./);
    expect(sealed).not.toContain(secret.slice(6, 30));

    // As a row written before sealing was: the plain secret. It still signs, and start-up seals it.
    await db.query(`UPDATE webhook_secrets SET secret = $2 WHERE endpoint_id = $1`, [endpoint.id, secret]);
    await userSays('signed with a plain row');
    const [plainRow] = await rx.until('/sealed', (rs) => rs.length >= 1);
    expect(verifies(secret, plainRow)).toEqual([true]);
    expect(await t.app.get(WebhookSecretSealer).reseal()).toBeGreaterThanOrEqual(1);
    const [resealed] = await stored();
    expect(resealed).toMatch(/^sb1\./);
    expect(resealed).not.toContain(secret.slice(6, 30));
    await userSays('signed with the resealed row');
    const [, after] = await rx.until('/sealed', (rs) => rs.length >= 2);
    expect(verifies(secret, after)).toEqual([true]);
  });

  it('waits at least as long as Retry-After says, in seconds and as an HTTP date', async () => {
    const date = new Date(Date.now() + 3000).toUTCString();
    rx.script('/later', [{ status: 429, headers: { 'retry-after': '1' } }, { status: 503, headers: { 'retry-after': date } }]);
    await register('/later', ['message.created']);
    await userSays('not yet');
    const [first, second, third] = await rx.until('/later', (rs) => rs.length >= 3);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1000);
    expect(third.at).toBeGreaterThanOrEqual(Date.parse(date));
    expect(third.headers['webhook-id']).toBe(first.headers['webhook-id']);
  });

  it('does not retry a 400, and a later event still goes out (positive control)', async () => {
    rx.script('/picky', [{ status: 400 }]);
    const { endpoint } = await register('/picky', ['message.created']);
    await userSays('refused once');
    const [refused] = await rx.until('/picky', (rs) => rs.length >= 1);
    await settled(endpoint.id);
    await userSays('accepted');
    const all = await rx.until('/picky', (rs) => rs.some((r) => r.payload.type === 'message.created' && r.body.includes('accepted')));
    await settled(endpoint.id, 2);
    expect(all.filter((r) => r.headers['webhook-id'] === refused.headers['webhook-id'])).toHaveLength(1);
    const first = (await deliveries(endpoint.id)).find((d) => d.webhook_id === refused.headers['webhook-id']);
    expect(first).toMatchObject({ status: 'failed', attempts: 1, response_code: 400, last_error: 'HTTP 400', next_attempt_at: null });
  });

  it('disables an endpoint that fails for the whole window, says why, and resends once re-enabled', async () => {
    rx.script('/down', Array.from({ length: 200 }, () => ({ status: 500 })));
    const { endpoint } = await register('/down', ['message.created']);
    await userSays('into the void');
    await waitFor('the endpoint disabled', async () => !((await t.http(`/api/admin/webhooks/${endpoint.id}`, { token: admin })).body as WebhookEndpointView).enabled, 25_000);
    const seen = (await t.http(`/api/admin/webhooks/${endpoint.id}`, { token: admin })).body as WebhookEndpointView;
    expect(seen.disabled_reason).toMatch(/^Disabled automatically: every delivery failed for 3 s since .* \(last error: HTTP 500\)$/);
    expect(rx.at('/down').length).toBeGreaterThanOrEqual(2);
    const listed = (await t.http('/api/admin/webhooks', { token: admin })).body as WebhookEndpointView[];
    expect(listed.find((e) => e.id === endpoint.id)).toMatchObject({ enabled: false, disabled_reason: seen.disabled_reason });
    await settled(endpoint.id);
    const [d] = await deliveries(endpoint.id);
    expect(d.status).toBe('failed');
    expect((await t.http(`/api/admin/webhooks/${endpoint.id}/deliveries/${d.id}/resend`, { method: 'POST', token: admin })).status).toBe(409);

    rx.script('/down', []);
    const enabled = await t.http(`/api/admin/webhooks/${endpoint.id}`, { method: 'PATCH', token: admin, body: { enabled: true } });
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    const before = rx.at('/down').length;
    const resent = await t.http(`/api/admin/webhooks/${endpoint.id}/deliveries/${d.id}/resend`, { method: 'POST', token: admin });
    expect(resent.status).toBe(200);
    const after = await rx.until('/down', (rs) => rs.length > before);
    expect(after[after.length - 1].headers['webhook-id']).toBe(d.webhook_id);
    await waitFor('the resend recorded', async () => (await deliveries(endpoint.id))[0].status === 'succeeded');
  });

  it('settles the pending deliveries of an endpoint an admin disables at once, not at their next attempt', async () => {
    // Answered "come back in 30 s": the delivery waits, pending, for an attempt far away.
    rx.script('/paused', [{ status: 503, headers: { 'retry-after': '30' } }]);
    const { endpoint } = await register('/paused', ['message.created']);
    await userSays('waiting a while');
    await rx.until('/paused', (rs) => rs.length >= 1);
    await waitFor('the attempt recorded', async () => (await deliveries(endpoint.id))[0]?.attempts === 1);
    expect((await deliveries(endpoint.id))[0]).toMatchObject({ status: 'pending', next_attempt_at: expect.any(String) });

    const disabled = await t.http(`/api/admin/webhooks/${endpoint.id}`, { method: 'PATCH', token: admin, body: { enabled: false } });
    expect(disabled.status).toBe(200);
    const [d] = await deliveries(endpoint.id);
    expect(d).toMatchObject({ status: 'failed', last_error: 'the endpoint is disabled', next_attempt_at: null });

    // Enabled again, the delivery may be resent, and it goes.
    rx.script('/paused', []);
    expect((await t.http(`/api/admin/webhooks/${endpoint.id}`, { method: 'PATCH', token: admin, body: { enabled: true } })).status).toBe(200);
    expect((await t.http(`/api/admin/webhooks/${endpoint.id}/deliveries/${d.id}/resend`, { method: 'POST', token: admin })).status).toBe(200);
    await waitFor('the resend delivered', async () => (await deliveries(endpoint.id))[0].status === 'succeeded');
  });

  it('sends internal notes only to endpoints that include them', async () => {
    const withNotes = await register('/notes', ['message.created'], { include_private: true });
    const without = await register('/public', ['message.created']);
    const { chatId } = await userSays('about my order');
    await rx.until('/public', (rs) => rs.length >= 1);
    const note = await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: admin, body: { content: 'VIP customer', private: true } });
    expect(note.status).toBe(201);
    const reply = await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: admin, body: { content: 'On its way' } });
    expect(reply.status).toBe(201);
    const notes = await rx.until('/notes', (rs) => rs.length >= 3);
    expect(notes.map((r) => (r.payload as WebhookPayload<'message.created'>).data.message.content).sort()).toEqual(['On its way', 'VIP customer', 'about my order']);
    expect(notes.find((r) => r.body.includes('VIP customer'))?.payload).toMatchObject({ data: { message: { private: true } } });
    // Positive control: the reply sent after the note reached the endpoint without notes.
    const pub = await rx.until('/public', (rs) => rs.some((r) => r.body.includes('On its way')));
    await settled(without.endpoint.id, 2);
    expect(pub.some((r) => r.body.includes('VIP customer'))).toBe(false);
    expect(await deliveries(without.endpoint.id)).toHaveLength(2);
    expect(await deliveries(withNotes.endpoint.id)).toHaveLength(3);
  });

  it('delivers every event type from a real conversation, and an erase takes its deliveries along', async () => {
    const all = ['chat.created', 'message.created', 'message.read', 'chat.assigned', 'chat.archived', 'chat.unarchived', 'rating.created', 'user.erased'];
    const { endpoint } = await register('/all', all);
    const me = (await t.http('/api/admin/me', { token: admin })).body as { id: string };
    const sub = `webhook-flow-${Date.now()}`;
    const token = t.userToken({ sub, email: `${sub}@example.com` });
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const socket = await t.connect(token);
    expect(await emitAck(socket, 'send_message', { chat_id: chatId, content: 'hello over the socket' })).toMatchObject({ ok: true });
    const reply = await t.http<AgentSupportMessage>(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: admin, body: { content: 'hello from us' } });
    expect((await t.http('/api/support_chat/mark_read', { method: 'PATCH', token })).body).toEqual({ updated: 1 });
    expect((await t.http(`/api/admin/chats/${chatId}/assign`, { method: 'POST', token: admin, body: { agent_id: me.id } })).status).toBe(200);
    expect((await t.http(`/api/admin/chats/${chatId}/archive`, { method: 'POST', token: admin })).status).toBe(200);
    expect((await t.http('/api/support_chat/rating', { method: 'POST', token, body: { score: 5, comment: 'quick' } })).status).toBe(201);
    expect((await t.http(`/api/admin/chats/${chatId}/unarchive`, { method: 'POST', token: admin })).status).toBe(200);
    expect((await t.http(`/api/admin/chats/${chatId}/archive`, { method: 'POST', token: admin })).status).toBe(200);
    expect(await emitAck(socket, 'send_message', { chat_id: chatId, content: 'one more thing' })).toMatchObject({ ok: true });

    const types = (rs: Received[]) => rs.map((r) => r.payload.type);
    const got = await rx.until(
      '/all',
      (rs) =>
        all.slice(0, 7).every((type) => types(rs).includes(type as WebhookPayload['type'])) &&
        types(rs).filter((type) => type === 'chat.unarchived').length === 2 &&
        rs.some((r) => r.payload.type === 'message.created' && (r.payload as WebhookPayload<'message.created'>).data.message.content === 'one more thing'),
    );
    const of = <T extends WebhookPayload['type']>(type: T) => got.filter((r) => r.payload.type === type).map((r) => r.payload as WebhookPayload<T>);
    expect(of('chat.created')[0].data.chat).toMatchObject({ id: chatId, user_email: `${sub}@example.com` });
    expect(of('message.created').map((p) => p.data.message.content)).toEqual(expect.arrayContaining(['hello over the socket', 'hello from us', 'one more thing']));
    expect(of('message.read').find((p) => p.data.reader === 'user')?.data).toMatchObject({ chat_id: chatId, reader: 'user', message_ids: [reply.body.id] });
    expect(of('chat.assigned')[0].data.activity).toMatchObject({ chat_id: chatId, kind: 'assigned', assignee: { id: me.id } });
    expect(of('chat.archived')[0].data).toMatchObject({ chat: { id: chatId, archived: true }, agent_id: me.id });
    expect(of('rating.created')[0].data).toMatchObject({ chat_id: chatId, rating: { score: 5, comment: 'quick' } });
    expect(of('chat.unarchived').map((p) => p.data.agent_id).sort()).toEqual([me.id, null].sort());
    for (const r of got) expect(Date.parse(r.payload.timestamp)).toBeGreaterThan(Date.now() - 60_000);

    const key = await t.http<CreatedApiKey>('/api/admin/api-keys', { method: 'POST', token: admin, body: { name: 'privacy', scopes: ['privacy'] } });
    expect(key.status).toBe(201);
    await settled(endpoint.id, got.length);
    const erased = await t.http(`/api/server/users/${sub}`, { method: 'DELETE', headers: { authorization: `Bearer ${key.body.key}` } });
    expect(erased.status).toBe(204);
    const done = await rx.until('/all', (rs) => rs.some((r) => r.payload.type === 'user.erased'));
    expect(done.find((r) => r.payload.type === 'user.erased')?.payload.data).toEqual({ external_id: sub });
    await waitFor('the user.erased delivery settled', async () => (await deliveries(endpoint.id)).some((d) => d.event_type === 'user.erased' && d.status === 'succeeded'));
    const db = t.app.get(DataSource);
    const [left] = await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE chat_id = $1 OR body LIKE '%' || $2 || '%'`, [chatId, sub]);
    expect(left.n).toBe(0);
    expect(await deliveries(endpoint.id)).toEqual([expect.objectContaining({ event_type: 'user.erased', status: 'succeeded' })]);
  });

  it('erase removes pending deliveries and their queued retries', async () => {
    rx.script('/slow', [{ status: 503, headers: { 'retry-after': '30' } }]);
    const { endpoint } = await register('/slow', ['message.created']);
    const sub = `webhook-erase-${Date.now()}`;
    await userSays('pending', t.userToken({ sub }));
    await rx.until('/slow', (rs) => rs.length >= 1);
    let d!: WebhookDelivery;
    await waitFor('the retry scheduled', async () => ((d = (await deliveries(endpoint.id))[0]), d.attempts === 1 && d.next_attempt_at !== null));
    const queue = t.app.get<Queue>(getQueueToken(WEBHOOK_QUEUE));
    expect(await queue.getJob(`wh:${d.id}:1`)).not.toBeNull();
    const key = await t.http<CreatedApiKey>('/api/admin/api-keys', { method: 'POST', token: admin, body: { name: 'erase', scopes: ['privacy'] } });
    expect((await t.http(`/api/server/users/${sub}`, { method: 'DELETE', headers: { authorization: `Bearer ${key.body.key}` } })).status).toBe(204);
    expect(await deliveries(endpoint.id)).toEqual([]);
    expect(await queue.getJob(`wh:${d.id}:1`)).toBeNull();
  });

  it('costs a message nothing when no endpoint wants it: no statement, no job', async () => {
    const cache = t.app.get(WebhookEndpointCache);
    const queue = t.app.get(WebhookQueue);
    const measure = async (content: string, arrived: () => Promise<unknown>) => {
      const sql = jest.spyOn(Client.prototype, 'query');
      const jobs = jest.spyOn(queue, 'enqueue');
      const looked = jest.spyOn(cache, 'targets');
      try {
        await userSays(content, token);
        await arrived();
        const statements = sql.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text));
        return { webhookSql: statements.filter((s) => /webhook_/.test(s)).length, jobs: jobs.mock.calls.length, looked: looked.mock.results.map((r) => r.value as string[]) };
      } finally {
        [sql, jobs, looked].forEach((s) => s.mockRestore());
      }
    };
    await register('/other', ['chat.archived']);
    // The user's first message also makes their chat (chat_created); the measured one is a later one.
    const token = t.userToken();
    await userSays('warm up', token);
    const idle = await measure('nobody listens', async () => undefined);
    expect(idle.looked).toEqual([[]]);
    expect(idle).toMatchObject({ webhookSql: 0, jobs: 0 });
    // Positive control: the same send with an endpoint that wants it writes a row and queues a job.
    await register('/counted', ['message.created']);
    const busy = await measure('somebody listens', () => rx.until('/counted', (rs) => rs.length >= 1));
    expect(busy.looked[0]).toHaveLength(1);
    expect(busy.webhookSql).toBeGreaterThanOrEqual(1);
    expect(busy.jobs).toBe(1);
  });

  it('lets only admins manage webhooks, and answers bad input with 400 and a reason', async () => {
    const agent = await addAgent(t, admin, 'Wanda');
    const { endpoint } = await register('/admins', ['chat.created']);
    for (const [method, path] of [
      ['GET', '/api/admin/webhooks'],
      ['POST', '/api/admin/webhooks'],
      ['GET', `/api/admin/webhooks/${endpoint.id}`],
      ['POST', `/api/admin/webhooks/${endpoint.id}/rotate`],
      ['GET', `/api/admin/webhooks/${endpoint.id}/deliveries`],
      ['DELETE', `/api/admin/webhooks/${endpoint.id}`],
    ]) {
      const res = await t.http(path, { method, token: agent.token, body: method === 'POST' ? { url: `${rx.base}/x`, event_types: ['chat.created'] } : undefined });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
    }
    expect((await t.http('/api/admin/webhooks', { token: t.userToken() })).status).toBe(403);
    const docs = await t.http<OpenAPIObject>('/api/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/admin/webhooks', '/api/admin/webhooks/{id}/rotate', '/api/admin/webhooks/{id}/deliveries/{deliveryId}/resend']),
    );
    expect(docs.text).toContain('`user.erased` {external_id}');
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/api/admin/webhooks', { url: 'not a url', event_types: ['chat.created'] }, 400, /absolute http\(s\) URL/],
      ['POST', '/api/admin/webhooks', { url: 'ftp://example.com/x', event_types: ['chat.created'] }, 400, /https:\/\/ or http:\/\//],
      ['POST', '/api/admin/webhooks', { url: `${rx.base}/x`, event_types: ['chat.exploded'] }, 400, /event_types must name events among/],
      ['POST', '/api/admin/webhooks', { url: `${rx.base}/x`, event_types: [] }, 400, /event_types/],
      ['POST', '/api/admin/webhooks', { url: 42, event_types: ['chat.created'] }, 400, /url must be a URL/],
      ['PATCH', '/api/admin/webhooks/not-an-id', { enabled: true }, 400, /uuid/],
      ['PATCH', '/api/admin/webhooks/00000000-0000-4000-8000-000000000000', { enabled: true }, 404, /No such webhook endpoint/],
      ['GET', `/api/admin/webhooks/${endpoint.id}/deliveries?cursor=nope`, undefined, 400, /cursor/],
      ['POST', `/api/admin/webhooks/${endpoint.id}/deliveries/00000000-0000-4000-8000-000000000000/resend`, undefined, 404, /No such delivery/],
    ];
    for (const [method, path, body, status, reason] of cases) {
      const res = await t.http<ErrorBody>(path, { method, token: admin, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(JSON.stringify(res.body.message)).toMatch(reason);
      expect(res.text).not.toMatch(/stack|QueryFailed|at \w+ \(/);
    }
  });

  it('keeps every instance’s endpoint list current through Redis, well before the 30 s backstop', async () => {
    // A second instance of the same deployment: same database, same Redis prefix.
    const b = await startTestApp({
      DATABASE_URL: t.config.databaseUrl,
      REDIS_PREFIX: t.config.redisPrefix,
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    Logger.overrideLogger(log);
    try {
      const other = b.app.get(WebhookEndpointCache);
      expect(other.targets('message.created', false)).toEqual([]);
      const { endpoint } = await register('/elsewhere', ['message.created']);
      await waitFor('the other instance to hear of the endpoint', () => other.targets('message.created', false).includes(endpoint.id), 5_000);
      const res = await b.http('/api/support_chat/messages', { method: 'POST', token: t.userToken(), body: { content: 'via b' } });
      expect(res.status).toBe(201);
      await rx.until('/elsewhere', (rs) => rs.some((r) => r.body.includes('via b')));
      await t.http(`/api/admin/webhooks/${endpoint.id}`, { method: 'PATCH', token: admin, body: { enabled: false } });
      await waitFor('the other instance to drop it', () => other.targets('message.created', false).length === 0, 5_000);
    } finally {
      // Only the app: the database and Redis keys are the first instance's to drop.
      await b.app.close();
    }
  });

  it('keeps every secret out of the server log', () => {
    // Positive control: the log does record the deliveries' failures.
    expect(log.lines.some((l) => /webhook delivery .* attempt 1: HTTP 503/.test(l))).toBe(true);
    expect(secrets.length).toBeGreaterThan(5);
    for (const s of secrets) {
      expect(log.lines.filter((l) => l.includes(s) || l.includes(s.slice(6)))).toEqual([]);
    }
  });
});
