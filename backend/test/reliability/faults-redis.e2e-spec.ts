import { randomBytes, randomUUID } from 'node:crypto';
import type { SupportMessage } from '../../src/contracts/wire';
import { api, ChatClient, repeatedIds } from '../support/chat-client';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from '../support/instances';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';
import { startServers } from '../support/servers';
import { TestSmtp } from '../support/smtp';

const DELAY_MS = 1500;

/**
 * Redis goes away under two instances, on a redis-server of the test's own: restarted (empty,
 * as nothing is persisted) and flushed. Broadcasts between the instances and the email queue
 * both live there; the promise is that the rooms work again across instances, and that an
 * unread-reply email falling due meanwhile goes out exactly once. (The SMTP server refusing,
 * then accepting, is notifications.e2e-spec.ts: "retries an SMTP server that refuses twice,
 * then sends exactly one".)
 */
describe('Redis restarted or flushed under two instances (e2e)', () => {
  const database = `support_chat_redis_${randomBytes(5).toString('hex')}`;
  const smtp = new TestSmtp();
  let redis: OwnRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  let agentToken: string;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    ensureFreshBuild();
    const [smtpUrl, ownRedis] = await Promise.all([smtp.start(), startOwnRedis()]);
    redis = ownRedis;
    const env = {
      REDIS_URL: redis.url,
      SMTP_URL: smtpUrl,
      NOTIFY_DELAY_MS: String(DELAY_MS),
      NOTIFY_SWEEP_INTERVAL_MS: '300',
      NOTIFY_RETRY_DELAY_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '2000',
    };
    [a, b] = await startServers([{ database, env }, { database, env }]);
    agentToken = await b.adminToken();
  }, 120_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await Promise.all([a?.stop(), b?.stop()]);
    await testServer.dropDatabase(database);
    await redis?.destroy();
    await smtp.stop();
  }, 60_000);

  const ready = async (s: ServerProcess) => (await fetch(`${s.url}/api/health/ready`)).status;

  /** A user on instance A and an agent on instance B, both joined and caught up. */
  async function conversation() {
    const sub = `redis-${randomUUID()}`;
    const email = `${sub}@example.com`;
    const token = a.userToken({ sub, email });
    const chatId = (await api<{ id: string }>(a.url, token, '/api/support_chat')).body.id;
    const user = new ChatClient({ url: a.url, token, chatId, kind: 'user' });
    const agent = new ChatClient({ url: b.url, token: agentToken, chatId, kind: 'agent' });
    clients.push(user, agent);
    await Promise.all([user.connect(), agent.connect()]);
    return { email, chatId, user, agent };
  }

  /** Sends and waits for the other side to hear it live: the rooms work across instances. */
  async function relayed(from: ChatClient, to: ChatClient, content: string, clientId: string): Promise<SupportMessage> {
    const ack = await from.sendOnce(content, clientId);
    if (!ack?.ok) throw new Error(`"${content}" was refused: ${JSON.stringify(ack)}`);
    await waitFor(`"${content}" to cross to the other instance`, () => to.live.some((m) => m.id === ack.message.id));
    return ack.message;
  }

  async function reply(chatId: string, content: string): Promise<SupportMessage> {
    const res = await api<SupportMessage>(b.url, agentToken, `/api/admin/chats/${chatId}/messages`, { method: 'POST', body: { content } });
    expect(res.status).toBe(201);
    return res.body;
  }

  it.each(['restarted', 'flushed'] as const)(
    'carries the conversation across instances again and sends the email due meanwhile exactly once (Redis %s)',
    async (fault) => {
      const { email, chatId, user, agent } = await conversation();
      await relayed(user, agent, 'hello from A', `${fault}-u1`);
      await relayed(agent, user, 'hello from B', `${fault}-a1`);
      // An unread reply: its email is a delayed job in Redis, which the fault loses.
      const unread = await reply(chatId, 'an answer you have not read yet');
      const dueAt = Date.parse(unread.created_at) + DELAY_MS;

      let sentDuring: { user: SupportMessage; agent: SupportMessage } | null = null;
      if (fault === 'restarted') {
        await redis.stop('SIGKILL');
        await waitFor('both instances to report Redis gone', async () => (await ready(a)) === 503 && (await ready(b)) === 503);
        // Postgres is up: sends are stored and acknowledged; only their relay waits for Redis.
        const fromUser = await user.sendOnce('sent while Redis is down', `${fault}-u2`);
        const fromAgent = await agent.sendOnce('answered while Redis is down', `${fault}-a2`);
        if (!fromUser?.ok || !fromAgent?.ok) throw new Error(`refused during the outage: ${JSON.stringify([fromUser, fromAgent])}`);
        sentDuring = { user: fromUser.message, agent: fromAgent.message };
        // The outage lasts past the moment the email falls due.
        await waitFor('the email to fall due during the outage', () => Date.now() > dueAt + 300, DELAY_MS + 5000);
        expect(smtp.to(email)).toHaveLength(0);
        await redis.start();
      } else {
        await redis.flush();
      }
      await waitFor('both instances to be ready again', async () => (await ready(a)) === 200 && (await ready(b)) === 200, 30_000);

      if (fault === 'restarted') {
        // The outage is logged like everything else: as JSON lines, once per connection, not a
        // stack trace per reconnect attempt.
        for (const s of [a, b]) {
          const lines = s.output.split('\n').slice(1).filter((l) => l.trim() !== '');
          expect(lines.filter((l) => !isJsonObject(l))).toEqual([]);
          expect(lines.filter((l) => l.includes('connection lost')).length).toBeGreaterThan(0);
          expect(lines.filter((l) => l.includes('connection lost')).length).toBeLessThanOrEqual(5);
        }
      }
      if (sentDuring) {
        // Delayed, not dropped: each side hears what the other sent during the outage.
        const during = sentDuring;
        await waitFor('the outage messages to cross over', () =>
          agent.live.some((m) => m.id === during.user.id) && user.live.some((m) => m.id === during.agent.id),
        );
      }
      // Existing sockets carry a conversation across instances again, both ways...
      await relayed(user, agent, 'back to normal from A', `${fault}-u3`);
      await relayed(agent, user, 'back to normal from B', `${fault}-a3`);
      // ...and so does a socket that reconnects, after joining again and catching up.
      user.goOffline();
      await user.connect();
      await relayed(agent, user, 'after reconnecting', `${fault}-a4`);
      await relayed(user, agent, 'reconnected and writing', `${fault}-u4`);

      // The email due during the fault goes out, once. (Replies written after it open a burst
      // of their own, which may have its own email: each reply is in exactly one.)
      await waitFor('the email due during the fault', () => smtp.to(email).length > 0, 30_000);
      expect(smtp.to(email)[0].text).toContain('> an answer you have not read yet');
      // Positive control for "no second one": a later user's email, queued after the fault and
      // due a full delay later, arrives only after both instances have swept many times.
      const later = await conversation();
      await reply(later.chatId, 'a later answer');
      await waitFor("the later user's email", () => smtp.to(later.email).length > 0, 30_000);
      expect(smtp.to(later.email)).toHaveLength(1);
      const quoted = smtp.to(email).flatMap((m) => (m.text ?? '').split('\n').filter((l) => l.startsWith('> ')));
      expect(quoted.filter((l) => l === '> an answer you have not read yet')).toHaveLength(1);
      expect(new Set(quoted).size).toBe(quoted.length);

      // Nothing heard twice, and everything stored was heard or caught up by each side.
      expect(repeatedIds(user.live)).toEqual([]);
      expect(repeatedIds(agent.live)).toEqual([]);
      const history = await api<{ messages: SupportMessage[] }>(b.url, agentToken, `/api/admin/chats/${chatId}?view=false`);
      const ids = history.body.messages.map((m) => m.id);
      expect(user.messages().map((m) => m.id)).toEqual(ids);
      expect(agent.messages().map((m) => m.id)).toEqual(ids);
    },
    90_000,
  );

  // Last: it stops an instance. The test server's helper sends SIGKILL 10 s after SIGTERM, so
  // only the process's own last line tells that it stopped by itself.
  it('stops on SIGTERM while Redis is away, instead of waiting for it forever', async () => {
    await redis.stop('SIGKILL');
    await waitFor('the instance to report Redis gone', async () => (await ready(a)) === 503);
    const started = Date.now();
    await a.kill('SIGTERM');
    expect(a.output).toMatch(/SIGTERM: (shutdown complete|connections did not close)/);
    expect(Date.now() - started).toBeLessThan(9000);
    await redis.start();
  }, 60_000);
});


function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}