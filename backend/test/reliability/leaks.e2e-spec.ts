import { randomBytes } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { Client } from 'pg';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from '../support/instances';
import { emitAck, PG, type TestSocket } from '../support/test-app';
import { craftToken, nowSeconds, unsignedToken } from './hostile-support';

const secret = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const WIDGET_SECRET = secret('leak-widget-secret');
const ADMIN_SECRET = secret('leak-admin-secret');
const ADMIN_PASSWORD = secret('leak-admin-password');
const ADMIN_EMAIL = 'leak-admin@example.com';
/** Message text is private too: it must never reach the log. */
const CANARY = secret('leak-canary-content');

/** What no answer and no log line may contain, whatever was asked. */
const TELLTALES = ['at Object.', 'node_modules', 'QueryFailedError', 'SELECT ', 'INSERT ', '    at '];

/**
 * The whole log of the child server. The helper keeps only its last 20 KB; with `log: true` it
 * hands every chunk to this process's stderr, which is where all of it can be kept.
 */
function captureChildLog(): { text: () => string; restore: () => void } {
  const original = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  return { text: () => text, restore: () => void (process.stderr.write = original) };
}

describe('leaks: no stack, SQL, secret or token in any answer or log line (e2e)', () => {
  let server: ServerProcess;
  let log: ReturnType<typeof captureChildLog>;
  const tokens = new Set<string>();
  const answers: { what: string; text: string; issuesToken?: boolean }[] = [];
  const requestIds: string[] = [];

  beforeAll(async () => {
    ensureFreshBuild();
    log = captureChildLog();
    try {
      server = await testServer.startServer({
        log: true,
        env: {
          LOG_LEVEL: 'debug',
          WIDGET_JWT_SECRET: WIDGET_SECRET,
          ADMIN_JWT_SECRET: ADMIN_SECRET,
          ADMIN_EMAIL,
          ADMIN_PASSWORD,
        },
      });
    } catch (err) {
      log.restore();
      throw err;
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    log?.restore();
  });

  async function call(what: string, path: string, init: { method?: string; token?: string; body?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(server.url + path, { method: init.method ?? 'GET', headers, body: init.body });
    const text = await res.text();
    const id = res.headers.get('x-request-id');
    // Probes and scrapes are not logged by design.
    if (id && !/^\/(metrics|api\/health)/.test(path)) requestIds.push(id);
    answers.push({ what, text: `${res.status} ${text}` });
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  }

  const userToken = (sub: string, claims: Record<string, unknown> = {}, key = WIDGET_SECRET) => {
    const payload = { email: `${sub}@example.com`, exp: nowSeconds() + 3600, ...claims };
    const token = sign(payload, key, { algorithm: 'HS256', audience: 'support-widget', subject: sub });
    tokens.add(token);
    return token;
  };

  function socketFor(token: unknown): TestSocket {
    return io(`${server.url}/support`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  }
  async function connected(token: string): Promise<TestSocket> {
    const socket = socketFor(token);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.onAny((event: string, payload: unknown) => answers.push({ what: `socket event ${event}`, text: JSON.stringify(payload) }));
    return socket;
  }
  async function ack(what: string, socket: TestSocket, event: string, payload: unknown) {
    const reply = await emitAck(socket, event, payload);
    answers.push({ what, text: JSON.stringify(reply) });
    return reply;
  }

  it('keeps them out of every answer and every log line, across good and bad requests and an internal failure', async () => {
    // ---- good traffic ----
    const login = await call('login', '/api/auth/login', { method: 'POST', body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }) });
    expect(login.status).toBe(200);
    answers[answers.length - 1].issuesToken = true;
    const agentToken = String(login.json().access_token);
    tokens.add(agentToken);
    const alice = userToken('alice', { name: 'Alice', return_url: 'https://app.example.com/help' });
    const opened = await call('open chat', '/api/support_chat', { token: alice });
    const chatId = String(opened.json().id);
    const sent = await call('send', '/api/support_chat/messages', {
      method: 'POST',
      token: alice,
      body: JSON.stringify({ content: CANARY, client_id: 'leak-1' }),
    });
    const messageId = String(sent.json().id);
    await call('catch up', `/api/support_chat/messages?after=${messageId}`, { token: alice });
    await call('agent list', '/api/admin/chats', { token: agentToken });
    await call('agent open', `/api/admin/chats/${chatId}`, { token: agentToken });
    await call('agent reply', `/api/admin/chats/${chatId}/messages`, { method: 'POST', token: agentToken, body: JSON.stringify({ content: `${CANARY} reply` }) });
    await call('mark read', '/api/support_chat/mark_read', { method: 'PATCH', token: alice, body: '{}' });
    await call('archive', `/api/admin/chats/${chatId}/archive`, { method: 'POST', token: agentToken });
    await call('unarchive', `/api/admin/chats/${chatId}/unarchive`, { method: 'POST', token: agentToken });
    const demo = await call('demo token', '/api/demo/token', { method: 'POST', body: JSON.stringify({ email: 'demo@example.com' }) });
    answers[answers.length - 1].issuesToken = true;
    if (demo.status === 201 || demo.status === 200) tokens.add(String(demo.json().token));
    await call('health', '/api/health');
    await call('metrics', '/metrics');

    const userSocket = await connected(alice);
    const agentSocket = await connected(agentToken);
    await ack('agent joins', agentSocket, 'subscribe_admin', {});
    await ack('user joins', userSocket, 'subscribe', { chat_id: chatId });
    await ack('user sends', userSocket, 'send_message', { chat_id: chatId, content: `${CANARY} socket`, client_id: 'leak-2' });
    await ack('user marks', userSocket, 'mark_read', { chat_id: chatId });

    // ---- bad traffic ----
    await call('wrong password', '/api/auth/login', { method: 'POST', body: JSON.stringify({ email: ADMIN_EMAIL, password: `${ADMIN_PASSWORD}-wrong` }) });
    await call('password as the email', '/api/auth/login', { method: 'POST', body: JSON.stringify({ email: ADMIN_PASSWORD, password: ADMIN_PASSWORD }) });
    const forged = userToken('mallory', {}, secret('not-the-key'));
    const none = unsignedToken({ alg: 'none' }, { sub: 'mallory', email: 'm@example.com', aud: 'support-widget', exp: nowSeconds() + 600 });
    const confused = craftToken({ alg: 'RS256' }, { sub: 'mallory', email: 'm@example.com', aud: 'support-widget', exp: nowSeconds() + 600 }, WIDGET_SECRET);
    const expired = userToken('late', { exp: nowSeconds() - 10 });
    const crossed = sign({ email: 'x@example.com' }, WIDGET_SECRET, { audience: 'support-console', subject: 'x', expiresIn: 60 });
    for (const t of [none, confused, crossed]) tokens.add(t);
    for (const [what, token] of Object.entries({ forged, none, confused, expired, crossed, alice })) {
      await call(`${what} on agent route`, '/api/admin/chats', { token });
    }
    await call('console token on user route', '/api/support_chat', { token: agentToken });
    for (const token of [forged, none, confused, expired]) await call('bad user token', '/api/support_chat', { token });
    await call('token in the query', `/api/support_chat?token=${alice}`);
    await call('access_token in the query', `/api/support_chat?access_token=${alice}`);
    await call('unsubscribe with a made-up token', `/api/unsubscribe?token=${forged}`);
    await call('malformed JSON carrying a token', '/api/support_chat/messages', { method: 'POST', token: alice, body: `{"content":"${alice}"` });
    await call('deeply nested JSON', '/api/support_chat/messages', { method: 'POST', token: alice, body: `{"content":${'['.repeat(20_000)}${']'.repeat(20_000)}}` });
    await call('unpaired surrogate email', '/api/auth/login', { method: 'POST', body: '{"email":"\\ud800","password":"x"}' });
    const cursor = Buffer.from(JSON.stringify({ t: '2022', id: '00000000-0000-4000-8000-000000000000' })).toString('base64url');
    await call('made-up cursor', `/api/admin/chats?cursor=${cursor}`, { token: agentToken });
    await call('SQL in a path', `/api/admin/chats/${encodeURIComponent("' OR 1=1 --")}`, { token: agentToken });
    await call('another chat as an anchor', `/api/support_chat/messages?after=${chatId}`, { token: userToken('bob') });
    await call('NUL in a name claim', '/api/support_chat', { token: userToken('nul-name', { name: 'Eve\u0000' }) });
    await call('a 100 KB body', '/api/support_chat/messages', { method: 'POST', token: alice, body: JSON.stringify({ content: 'z'.repeat(100_000) }) });
    await call('unknown route', '/api/nope');

    for (const token of [forged, none, expired, 'not-a-token']) {
      const socket = socketFor(token);
      const refusal = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (err) => resolve(JSON.stringify({ message: err.message, data: (err as { data?: unknown }).data })));
      });
      socket.close();
      answers.push({ what: 'refused handshake', text: refusal });
      expect(refusal).toContain('unauthorized');
    }
    await ack('foreign chat', userSocket, 'subscribe', { chat_id: '00000000-0000-4000-8000-000000000000' });
    await ack('token as content type', userSocket, 'send_message', { chat_id: chatId, content: { token: alice } });
    await ack('deep nesting', userSocket, 'send_message', { chat_id: chatId, content: 'x', client_id: JSON.parse('['.repeat(1_500) + ']'.repeat(1_500)) });
    const raw = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const rawFrames: string[] = [];
    raw.on('message', (d) => rawFrames.push(d.toString()));
    await waitFor('the raw socket to open', () => rawFrames.length > 0, 5000);
    raw.send(`40/support,${JSON.stringify({ token: forged })}`);
    raw.send('42/support,["send_message"');
    await waitFor('the raw socket to be answered', () => rawFrames.length > 1 || raw.readyState !== WebSocket.OPEN, 5000);
    raw.terminate();
    answers.push(...rawFrames.map((text) => ({ what: 'raw socket frame', text })));

    // ---- an internal failure: a statement's connection killed while it waits for a lock ----
    const holder = new Client({ connectionString: `${PG}/${server.database}` });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM support_chats WHERE id = $1 FOR UPDATE', [chatId]);
      const stuckRest = call('send while the database fails', '/api/support_chat/messages', {
        method: 'POST',
        token: alice,
        body: JSON.stringify({ content: `${CANARY} stuck` }),
      });
      const stuckSocket = ack('socket send while the database fails', userSocket, 'send_message', { chat_id: chatId, content: `${CANARY} stuck 2` });
      // Each send that reaches the locked row has its connection killed, whichever comes first.
      let settled = 0;
      void stuckRest.finally(() => settled++);
      void stuckSocket.finally(() => settled++);
      await waitFor('both sends to fail', async () => {
        // Inside a transaction pg_stat_activity is a snapshot taken once: clear it for each look.
        await holder.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await holder.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          [server.database],
        );
        for (const { pid } of rows) await holder.query('SELECT pg_terminate_backend($1)', [pid]);
        return settled === 2;
      });
      expect((await stuckRest).status).toBe(500);
      expect(await stuckSocket).toEqual({ ok: false, error: 'internal_error' });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    // The server recovers: the next message is stored and acknowledged.
    expect(await ack('after the failure', userSocket, 'send_message', { chat_id: chatId, content: 'after' })).toMatchObject({ ok: true });
    userSocket.disconnect();
    agentSocket.disconnect();

    // Every request has logged its line before the log is read.
    await waitFor('every request’s log line', () => requestIds.every((id) => log.text().includes(id)), 15_000).catch((err: Error) => {
      const missing = requestIds.filter((id) => !log.text().includes(id));
      throw new Error(`${err.message}: ${missing.length} of ${requestIds.length} missing from ${log.text().length} characters of log`);
    });
    await waitFor('the socket failure’s log line', () => log.text().includes('socket handler failed'), 15_000);

    const forbidden = [WIDGET_SECRET, ADMIN_SECRET, ADMIN_PASSWORD, ...TELLTALES];
    const leaks: string[] = [];
    for (const a of answers) {
      for (const needle of [...forbidden, ...(a.issuesToken ? [] : tokens)]) {
        if (a.text.includes(needle)) leaks.push(`answer to "${a.what}" contains ${JSON.stringify(needle.slice(0, 40))}: ${a.text.slice(0, 300)}`);
      }
    }
    const lines = log.text().split('\n');
    for (const line of lines) {
      for (const needle of [...forbidden, ...tokens, CANARY]) {
        if (line.includes(needle)) leaks.push(`log line contains ${JSON.stringify(needle.slice(0, 40))}: ${line.slice(0, 300)}`);
      }
    }
    expect(leaks).toEqual([]);
    // Positive control: the scan read a log that does record what happened, at debug level.
    expect(log.text()).toContain('request completed');
    expect(log.text()).toContain('"level":"error"');
    expect(lines.length).toBeGreaterThan(requestIds.length);
  }, 120_000);
});
