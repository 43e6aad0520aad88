import { randomBytes, randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type { NewMessageEvent, SupportMessage } from '../src/contracts/wire';
import { emitAck, type TestSocket } from './support/test-app';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from './support/instances';
import { startNginx, type Nginx } from './support/nginx';
import { TestSmtp } from './support/smtp';

type Transport = 'websocket' | 'polling';

/** A socket that does not reconnect by itself: the test decides where it reconnects. */
async function connect(url: string, token: string, transports: Transport[] = ['websocket']): Promise<TestSocket> {
  const socket: TestSocket = io(`${url}/support`, { auth: { token }, transports, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

async function json<T>(url: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** The value of one sample in a server's /metrics, 0 when absent. */
async function metric(server: ServerProcess, series: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const send = (socket: TestSocket, chat_id: string, content: string, client_id: string) =>
  emitAck<{ message: SupportMessage }>(socket, 'send_message', { chat_id, content, client_id });

/** Every new_message a socket receives, in arrival order. */
function inbox(socket: TestSocket): SupportMessage[] {
  const seen: SupportMessage[] = [];
  socket.on('new_message', (e: NewMessageEvent) => seen.push(e.message));
  return seen;
}

describe('Several instances on one Postgres and Redis (e2e)', () => {
  const database = `support_chat_multi_${randomBytes(5).toString('hex')}`;
  const smtp = new TestSmtp();
  // A does everything (ROLE=all), B only serves (ROLE=api), W only works the email queue.
  let a: ServerProcess;
  let b: ServerProcess;
  let w: ServerProcess;
  let agentToken: string;
  const sockets: TestSocket[] = [];
  const track = (s: TestSocket) => (sockets.push(s), s);

  beforeAll(async () => {
    ensureFreshBuild();
    const env = { SMTP_URL: await smtp.start(), NOTIFY_DELAY_MS: '1500', NOTIFY_RETRY_DELAY_MS: '200' };
    // Started together: all migrate the same new database, waiting on one another's lock.
    [a, b, w] = await Promise.all([
      testServer.startServer({ database, env }),
      testServer.startServer({ database, env: { ...env, ROLE: 'api' } }),
      testServer.startServer({ database, env: { ...env, ROLE: 'worker' } }),
    ]);
    agentToken = await b.adminToken();
  }, 180_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.all([a?.stop(), b?.stop(), w?.stop()]);
    await testServer.dropDatabase(database);
    await testServer.dropRedisKeys(a?.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `test-${database}`);
    await smtp.stop();
  }, 60_000);

  async function newUser(server: ServerProcess, transports: Transport[] = ['websocket'], base = server.url) {
    const sub = `multi-${randomUUID()}`;
    const token = server.userToken({ sub, email: `${sub}@example.com` });
    const chat = await json<{ id: string }>(`${base}/api/support_chat`, token);
    expect(chat.status).toBe(200);
    const socket = track(await connect(base, token, transports));
    expect(await emitAck(socket, 'subscribe', { chat_id: chat.body.id })).toEqual({ ok: true });
    return { token, email: `${sub}@example.com`, chatId: chat.body.id, socket };
  }

  async function agentOn(base: string, chatId: string, transports: Transport[] = ['websocket']) {
    const socket = track(await connect(base, agentToken, transports));
    expect(await emitAck(socket, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    return socket;
  }

  it('carries a live conversation between a user on one instance and an agent on the other, both ways', async () => {
    const user = await newUser(a);
    const agent = await agentOn(b.url, user.chatId);

    const atAgent = new Promise<NewMessageEvent>((resolve) => agent.once('new_message', resolve));
    expect(await send(user.socket, user.chatId, 'Hello from instance A', 'a-1')).toMatchObject({ ok: true });
    expect((await atAgent).message).toMatchObject({ content: 'Hello from instance A', sender_type: 'user' });

    const atUser = new Promise<NewMessageEvent>((resolve) =>
      user.socket.on('new_message', (e: NewMessageEvent) => e.message.sender_type === 'admin' && resolve(e)),
    );
    expect(await send(agent, user.chatId, 'Hello from instance B', 'b-1')).toMatchObject({ ok: true });
    expect((await atUser).message).toMatchObject({ content: 'Hello from instance B', sender_type: 'admin' });
  });

  it('sends each delayed email once, from the processes that work the queue', async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => newUser(b)));
    for (const user of users) {
      for (const content of ['First answer', 'and a second one']) {
        const res = await json(`${b.url}/api/admin/chats/${user.chatId}/messages`, agentToken, { method: 'POST', body: { content } });
        expect(res.status).toBe(201);
      }
    }
    await waitFor('an email for every user', () => users.every((u) => smtp.to(u.email).length > 0));
    await waitFor('the queue to drain', async () => {
      const states = ['waiting', 'delayed', 'active'].map((state) => metric(a, `support_chat_queue_jobs{state="${state}"}`));
      return (await Promise.all(states)).every((n) => n === 0);
    });
    for (const user of users) expect(smtp.to(user.email)).toHaveLength(1);

    const sent = (s: ServerProcess) => metric(s, 'support_chat_emails_total{outcome="sent"}');
    expect(await sent(b)).toBe(0);
    // Every email SMTP received (these and the first test's reply) was counted once, where it was sent.
    expect((await sent(a)) + (await sent(w))).toBe(smtp.mails.length);
  });

  it('runs a worker (ROLE=worker) with health and metrics but no API and no socket', async () => {
    const ready = await fetch(`${w.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ info: { queue: { status: 'up' } } });
    expect((await fetch(`${w.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${w.url}/api/support_chat`)).status).toBe(404);
    const token = w.userToken({ sub: 'nobody', email: 'nobody@example.com' });
    await expect(connect(w.url, token)).rejects.toThrow();
  });

  it('loses nothing when an instance gets SIGTERM mid-conversation: its clients reconnect to the other and catch up', async () => {
    const user = await newUser(a);
    const agent = await agentOn(b.url, user.chatId);
    const agentSaw = inbox(agent);
    const userSaw = inbox(user.socket);

    const opening = await send(user.socket, user.chatId, 'before the restart', 'u-0');
    if (!opening.ok) throw new Error(`opening message refused: ${opening.error}`);
    const lastSeen = opening.message.id;

    // A burst in flight when the signal lands: each send is acked, or its ack is lost with
    // the connection and the client resends it (same client_id) after reconnecting.
    const burst = Array.from({ length: 8 }, (_, i) => ({ clientId: `u-${i + 1}`, content: `burst ${i + 1}` }));
    const closed = new Promise<string>((resolve) => user.socket.once('disconnect', (reason) => resolve(reason)));
    const acks = burst.map((m) =>
      Promise.race([send(user.socket, user.chatId, m.content, m.clientId), closed.then(() => null)]),
    );
    const stopping = a.kill('SIGTERM');

    // Clients read a transport close (not a server disconnect) as "reconnect".
    expect(await closed).toBe('transport close');
    const answered = await Promise.all(acks);
    for (const ack of answered) if (ack) expect(ack).toMatchObject({ ok: true });

    // While the user is away, the agent keeps writing on B.
    for (const n of [1, 2]) expect(await send(agent, user.chatId, `while you were away ${n}`, `b-away-${n}`)).toMatchObject({ ok: true });
    await stopping;
    expect(a.output).toContain('shutdown complete');

    // Reconnect to B, resend what was not acked, then catch up from the last message seen live.
    const again = track(await connect(b.url, user.token));
    expect(await emitAck(again, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    for (const [i, ack] of answered.entries()) {
      if (!ack) expect(await send(again, user.chatId, burst[i].content, burst[i].clientId)).toMatchObject({ ok: true });
    }
    const caughtUp = await json<SupportMessage[]>(`${b.url}/api/support_chat/messages?after=${lastSeen}`, user.token);
    expect(caughtUp.status).toBe(200);

    const expected = [...burst.map((m) => m.content), 'while you were away 1', 'while you were away 2'].sort();
    expect(caughtUp.body.map((m) => m.content).sort()).toEqual(expected);
    // Stored once each, however the acks fell.
    const history = await json<{ messages: SupportMessage[] }>(`${b.url}/api/admin/chats/${user.chatId}`, agentToken);
    expect(history.body.messages.filter((m) => m.sender_type === 'user').map((m) => m.client_id).sort()).toEqual(
      ['u-0', ...burst.map((m) => m.clientId)].sort(),
    );
    // The agent on B heard every user message live, including those A stored while draining.
    await waitFor('the agent to see the whole burst', () => burst.every((m) => agentSaw.some((s) => s.client_id === m.clientId)));
    expect(userSaw.length).toBeGreaterThan(0);

    await a.start();
  }, 60_000);

  describe('behind nginx with docker/nginx.conf', () => {
    let nginx: Nginx;
    beforeAll(async () => {
      nginx = await startNginx([a.port, b.port], await testServer.freePort());
    }, 60_000);
    afterAll(() => nginx?.stop());

    for (const transports of [['polling'], ['websocket']] as Transport[][]) {
      it(`carries a conversation over ${transports[0]} through the proxy`, async () => {
        const user = await newUser(a, transports, nginx.url);
        // The agent sits on both instances directly, so whichever one nginx picked, one of
        // them is the other instance.
        const agents = [await agentOn(a.url, user.chatId), await agentOn(b.url, user.chatId)];
        const heard = agents.map(
          (s) => new Promise<NewMessageEvent>((resolve) => s.on('new_message', (e: NewMessageEvent) => e.message.client_id === 'n-1' && resolve(e))),
        );
        expect(await send(user.socket, user.chatId, `through nginx over ${transports[0]}`, 'n-1')).toMatchObject({ ok: true });
        for (const h of heard) expect((await h).message.content).toBe(`through nginx over ${transports[0]}`);

        const reply = new Promise<NewMessageEvent>((resolve) =>
          user.socket.on('new_message', (e: NewMessageEvent) => e.message.sender_type === 'admin' && resolve(e)),
        );
        expect(await send(agents[1], user.chatId, 'answered behind the proxy', `n-2-${transports[0]}`)).toMatchObject({ ok: true });
        expect((await reply).message.content).toBe('answered behind the proxy');
        expect(user.socket.io.engine.transport.name).toBe(transports[0]);
        agents.forEach((s) => s.disconnect());
      });
    }

    it('keeps /metrics private and passes a request id through', async () => {
      expect((await fetch(`${nginx.url}/metrics`)).status).toBe(404);
      const res = await fetch(`${nginx.url}/api/health`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    });
  });

  it('writes JSON log lines with a request id and never a token, a password or message content', async () => {
    const marker = randomUUID();
    const password = `pw-${randomUUID()}`;
    const secretContent = `content-${randomUUID()}`;
    const user = await newUser(b);
    expect(await send(user.socket, user.chatId, secretContent, 'log-1')).toMatchObject({ ok: true });
    await fetch(`${b.url}/api/support_chat/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'x-request-id': marker },
      body: JSON.stringify({ content: secretContent }),
    });
    await fetch(`${b.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password }),
    });

    await waitFor('the request to be logged', () => b.output.includes(marker));
    const line = b.output.split('\n').find((l) => l.includes(marker));
    const entry = JSON.parse(line ?? '{}') as { reqId?: string; req?: { method?: string; url?: string }; res?: { statusCode?: number } };
    expect(entry).toMatchObject({ reqId: marker, req: { method: 'POST', url: '/api/support_chat/messages' }, res: { statusCode: 201 } });
    await waitFor('the login to be logged', () => b.output.includes('"url":"/api/auth/login"'));
    for (const secret of [user.token, agentToken, password, secretContent]) expect(b.output).not.toContain(secret);
  });
});
