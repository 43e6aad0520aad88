import type { SupportChat, SupportMessage } from '../src/contracts/wire';
import { HealthController } from '../src/health/health.controller';
import { ShutdownCoordinator } from '../src/lifecycle/shutdown.service';
import { emitAck, startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/instances';

/** The value of one sample in Prometheus text, e.g. `metric{kind="user"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Operations endpoints (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  it('answers readiness with Postgres, Redis, the email queue and serving up, and liveness as before', async () => {
    const ready = await t.http('/api/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' }, queue: { status: 'up' }, serving: { status: 'up' } },
    });
    const live = await t.http('/api/health');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('serves Prometheus text at /metrics, outside /api and without a token', async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE support_chat_sockets_connected gauge');
    expect(text).toContain('# TYPE support_chat_message_relay_seconds histogram');
    expect(text).toContain('# TYPE support_chat_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    for (const state of ['waiting', 'delayed', 'active', 'failed']) expect(sample(text, `support_chat_queue_jobs{state="${state}"}`)).toBe(0);
    for (const outcome of ['sent', 'failed']) expect(sample(text, `support_chat_emails_total{outcome="${outcome}"}`)).toBe(0);
    expect((await t.http('/api/metrics')).status).toBe(404);
  });

  it('counts sockets by kind, messages by sender, relay latency and HTTP latency by route', async () => {
    const before = await scrape();
    const stored = (sender: string, text: string) => sample(text, `support_chat_messages_stored_total{sender="${sender}"}`) ?? 0;
    const relayed = (text: string) => sample(text, 'support_chat_message_relay_seconds_count{sender="user"}') ?? 0;

    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const user = await t.connect(token);
    const agent = await t.connect(await t.adminToken());
    await waitFor('both sockets counted', async () => {
      const text = await scrape();
      return (
        sample(text, 'support_chat_sockets_connected{kind="user"}') === 1 &&
        sample(text, 'support_chat_sockets_connected{kind="agent"}') === 1
      );
    });

    const ack = await emitAck<{ message: SupportMessage }>(user, 'send_message', { chat_id: chatId, content: 'metrics please' });
    expect(ack.ok).toBe(true);
    expect((await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: await t.adminToken(), body: { content: 'sure' } })).status).toBe(201);

    // The agent's reply queued its delayed unread-reply email.
    await waitFor('the email job in the queue', async () => sample(await scrape(), 'support_chat_queue_jobs{state="delayed"}') === 1);
    const after = await scrape();
    expect(stored('user', after)).toBe(stored('user', before) + 1);
    expect(stored('admin', after)).toBe(stored('admin', before) + 1);
    expect(relayed(after)).toBe(relayed(before) + 1);
    // One series per route template: the chat's id never becomes a label value.
    expect(after).toMatch(/support_chat_http_request_duration_seconds_count\{method="POST",route="\/api\/admin\/chats\/:id\/messages",status="201"\} 1/);
    expect(after).not.toContain(chatId);

    user.disconnect();
    agent.disconnect();
    await waitFor('sockets uncounted', async () => sample(await scrape(), 'support_chat_sockets_connected{kind="user"}') === 0);
  });
});

describe('Metrics behind METRICS_TOKEN (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: 'scrape-me-0123456789' });
  });
  afterAll(() => t.close());

  it('wants the bearer token when one is configured', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-me-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('support_chat_sockets_connected');
  });
});

describe('Readiness during a shutdown (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('reports not ready once the drain has begun, while liveness still holds', async () => {
    const health = t.app.get(HealthController);
    await expect(health.ready()).resolves.toMatchObject({ status: 'ok' });
    // The drain closes the listener, so the check is asked in-process.
    await t.app.get(ShutdownCoordinator).drain();
    await expect(health.ready()).rejects.toMatchObject({
      response: { status: 'error', error: { serving: { status: 'down', message: 'shutting down' } } },
    });
    await expect(health.check()).resolves.toMatchObject({ status: 'ok' });
  });
});
