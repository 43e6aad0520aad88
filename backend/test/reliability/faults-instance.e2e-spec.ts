import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { SupportMessage } from '../../src/contracts/wire';
import { api, ChatClient, repeatedIds } from '../support/chat-client';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from '../support/instances';
import { startNginx, type Nginx } from '../support/nginx';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';
import { startServers } from '../support/servers';

const USERS = 4;
const BURST = 20;

/** The value of one sample in a server's /metrics, 0 when absent. */
async function metric(server: ServerProcess, series: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * One of two instances behind nginx (docker/nginx.conf) dies with SIGKILL while its users are
 * in the middle of a burst: no drain, no goodbye. Their clients reconnect through nginx to the
 * other instance, join, catch up and resend what was not acknowledged. The promise: nothing
 * acknowledged is missing, nothing is stored twice, and each user ends up with the whole
 * conversation once, in order.
 */
describe('An instance killed mid-burst (e2e)', () => {
  const database = `support_chat_kill_${randomBytes(5).toString('hex')}`;
  let redis: OwnRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  let nginx: Nginx;
  let agentToken: string;
  let victim: ServerProcess | undefined;
  let survivor: ServerProcess | undefined;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    ensureFreshBuild();
    redis = await startOwnRedis();
    const env = { REDIS_URL: redis.url, MESSAGE_RATE_LIMIT: '1000' };
    [a, b] = await startServers([{ database, env }, { database, env }]);
    nginx = await startNginx([a.port, b.port], await testServer.freePort());
    agentToken = await a.adminToken();
  }, 120_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await nginx?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await testServer.dropDatabase(database);
    await redis?.destroy();
  }, 60_000);

  it("reconnects the dead instance's clients to the other, which catch up; nothing acknowledged is missing", async () => {
    // Users reach the servers only through nginx, one of them over long-polling.
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const sub = `kill-${randomUUID()}`;
        const token = a.userToken({ sub, email: `${sub}@example.com` });
        const chatId = (await api<{ id: string }>(nginx.url, token, '/api/support_chat')).body.id;
        const transports: ('websocket' | 'polling')[] = i === 0 ? ['polling'] : ['websocket'];
        const client = new ChatClient({ url: nginx.url, token, chatId, kind: 'user', transports, autoReconnect: true, ackTimeoutMs: 3000 });
        clients.push(client);
        await client.connect();
        return client;
      }),
    );
    // nginx hashes by client address, so every loopback user sits on one instance: that one dies.
    const onA = await metric(a, 'support_chat_sockets_connected{kind="user"}');
    const onB = await metric(b, 'support_chat_sockets_connected{kind="user"}');
    expect(onA + onB).toBe(USERS);
    expect([onA, onB]).toContain(USERS);
    const [dying, living] = onA === USERS ? [a, b] : [b, a];
    [victim, survivor] = [dying, living];

    // The agent works on the survivor throughout, answering each chat.
    const agents = users.map((u) => {
      const agent = new ChatClient({ url: living.url, token: agentToken, chatId: u.chatId, kind: 'agent' });
      clients.push(agent);
      return agent;
    });
    await Promise.all(agents.map((g) => g.connect()));

    // Each user writes a burst (sent one at a time, each waiting for its ack), the agent
    // replies meanwhile, and the victim dies once the burst is under way.
    users.forEach((u, i) => {
      for (let n = 0; n < BURST; n++) u.write(`user ${i} message ${n}`, `u${i}-${n}`);
    });
    let stopAgents = false;
    const replying = agents.map(async (g, i) => {
      for (let n = 0; n < 200 && !stopAgents; n++) {
        const ack = await g.sendOnce(`agent to ${i}: ${n}`, `a${i}-${n}`);
        if (!ack?.ok) throw new Error(`the survivor refused a reply: ${JSON.stringify(ack)}`);
      }
    });
    const ackedSoFar = () => users.reduce((sum, u) => sum + u.acked.size, 0);
    await waitFor('the burst to be under way', () => ackedSoFar() >= USERS * 2);
    await dying.kill('SIGKILL');
    expect(ackedSoFar()).toBeLessThan(USERS * BURST);
    // Some sends were waiting for their ack when the instance died.
    expect(users.some((u) => u.outbox.length > 0)).toBe(true);

    // Every user comes back through nginx (to the survivor), catches up and drains its outbox.
    await waitFor('every outbox to drain on the surviving instance', () => users.every((u) => u.outbox.length === 0 && u.syncs >= 2), 60_000);
    expect(await metric(living, 'support_chat_sockets_connected{kind="user"}')).toBe(USERS);
    stopAgents = true;
    await Promise.all(replying);

    // A last reply to every chat, heard live by its user: nothing is still on its way.
    for (const [i, g] of agents.entries()) {
      const last = await g.sendOnce('last word', `a${i}-last`);
      if (!last?.ok) throw new Error(`last reply refused: ${JSON.stringify(last)}`);
      await waitFor(`user ${i} to hear the last reply`, () => users[i].live.some((m) => m.id === last.message.id));
    }

    const db = new Client({ connectionString: a.env.DATABASE_URL });
    await db.connect();
    try {
      for (const [i, u] of users.entries()) {
        const { rows } = await db.query<{ id: string; client_id: string }>(
          'SELECT id, client_id FROM support_messages WHERE chat_id = $1 ORDER BY created_at, id',
          [u.chatId],
        );
        // Stored once per client_id; each of the user's and the agent's acks names a stored row.
        const clientIds = rows.map((r) => r.client_id);
        expect(new Set(clientIds).size).toBe(rows.length);
        for (let n = 0; n < BURST; n++) expect(clientIds).toContain(`u${i}-${n}`);
        for (const client of [u, agents[i]]) {
          for (const [clientId, acks] of client.acked) {
            const row = rows.find((r) => r.client_id === clientId);
            expect(row).toBeDefined();
            for (const ack of acks) expect(ack.id).toBe(row?.id);
          }
        }
        // The user shows the whole conversation once, in order, and heard nothing twice live.
        expect(u.messages().map((m: SupportMessage) => m.id)).toEqual(rows.map((r) => r.id));
        expect(repeatedIds(u.live)).toEqual([]);
        // The agent, on the survivor all along, heard every user message live: what the dead
        // instance acknowledged it had relayed first, and the send in flight when it died was
        // resent and relayed by the survivor (see the next test).
        const heard = new Set(agents[i].live.map((m) => m.id));
        const unheard = rows.filter((r) => r.client_id.startsWith('u') && !heard.has(r.id)).map((r) => r.client_id);
        expect(unheard).toEqual([]);
      }
    } finally {
      await db.end();
    }
  }, 120_000);

  /**
   * A message an instance committed but died before relaying. The client, which had no ack,
   * resends it with its client_id to the other instance; that finds it stored, answers with it
   * (stored once) and relays it again, so an agent whose connection never dropped still hears
   * it live. The commit is made to land after the instance died by holding the chat's row lock
   * meanwhile. (Found by this test: the resend used to relay nothing.)
   */
  it('relays a message the dead instance committed but never relayed, once its client resends it', async () => {
    if (!victim || !survivor) throw new Error('runs after the burst test, which picks the instance to kill');
    // The burst test's victim comes back; this time the other one dies.
    const [dying, living] = [survivor, victim];
    await living.start();
    const sub = `commit-${randomUUID()}`;
    const token = dying.userToken({ sub, email: `${sub}@example.com` });
    const chatId = (await api<{ id: string }>(dying.url, token, '/api/support_chat')).body.id;
    const user = new ChatClient({ url: dying.url, token, chatId, kind: 'user' });
    const agent = new ChatClient({ url: living.url, token: agentToken, chatId, kind: 'agent' });
    clients.push(user, agent);
    await Promise.all([user.connect(), agent.connect()]);

    const db = new Client({ connectionString: a.env.DATABASE_URL });
    // Watches from outside the locking transaction: within a transaction Postgres shows one
    // snapshot of pg_stat_activity for its whole length, so a look from inside it could miss
    // the send arriving for as long as the lock was held.
    const watcher = new Client({ connectionString: a.env.DATABASE_URL });
    await Promise.all([db.connect(), watcher.connect()]);
    try {
      await db.query('BEGIN');
      await db.query('SELECT id FROM support_chats WHERE id = $1 FOR UPDATE', [chatId]);
      // While the lock is held the send can only wait; its ack never comes from this instance.
      void user.sendOnce('committed as the instance died', 'orphan-1');
      await waitFor('the send to wait for the chat lock', async () => {
        const { rows } = await watcher.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE '%support_send_message%'",
          [database],
        );
        return rows.length > 0;
      }, 30_000);
      await dying.kill('SIGKILL');
      await db.query('COMMIT');
      await waitFor('the orphan to be committed', async () => {
        const { rows } = await db.query('SELECT 1 FROM support_messages WHERE chat_id = $1 AND client_id = $2', [chatId, 'orphan-1']);
        return rows.length === 1;
      });
    } finally {
      await Promise.all([db.end(), watcher.end()]);
    }

    // The user comes back on the other instance and resends: stored once, same message.
    const back = new ChatClient({ url: living.url, token, chatId, kind: 'user' });
    clients.push(back);
    await back.connect();
    const resent = await back.sendOnce('committed as the instance died', 'orphan-1');
    if (!resent?.ok) throw new Error(`resend refused: ${JSON.stringify(resent)}`);
    expect(back.messages().filter((m) => m.client_id === 'orphan-1')).toHaveLength(1);
    // A later message heard by the agent shows the orphan's relay, if any, has arrived.
    const later = await back.sendOnce('and a later one', 'orphan-2');
    if (!later?.ok) throw new Error(`later send refused: ${JSON.stringify(later)}`);
    await waitFor('the agent to hear the later message', () => agent.live.some((m) => m.id === later.message.id));
    expect(agent.live.map((m) => m.id)).toContain(resent.message.id);
  }, 60_000);
});
