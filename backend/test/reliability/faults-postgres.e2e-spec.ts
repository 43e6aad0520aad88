import { randomUUID } from 'node:crypto';
import type { SupportMessage } from '../../src/contracts/wire';
import { ChatClient, repeatedIds } from '../support/chat-client';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from '../support/instances';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';

const DATABASE = 'support_chat';

/**
 * Postgres stops under a live conversation, on a cluster of the test's own. The promise: an
 * ack says ok only for what is committed, so what was refused is resent (same client_id) and
 * stored once when Postgres is back; readiness tells a load balancer the instance is useless
 * meanwhile.
 */
describe('Postgres restarted under a live conversation (e2e)', () => {
  let pg: OwnPostgres;
  let redis: OwnRedis;
  let server: ServerProcess;
  let agentToken: string;

  beforeAll(async () => {
    ensureFreshBuild();
    [pg, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
    server = await testServer.startServer({
      database: DATABASE,
      env: { DATABASE_URL: pg.url(DATABASE), REDIS_URL: redis.url, REDIS_PREFIX: 'faults-pg' },
    });
    agentToken = await server.adminToken();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await Promise.all([redis?.destroy(), pg?.destroy()]);
  }, 60_000);

  const status = async (path: string) => (await fetch(server.url + path)).status;

  async function conversation() {
    const sub = `pg-${randomUUID()}`;
    const token = server.userToken({ sub, email: `${sub}@example.com` });
    const chat = await fetch(`${server.url}/api/support_chat`, { headers: { authorization: `Bearer ${token}` } });
    const chatId = ((await chat.json()) as { id: string }).id;
    const user = new ChatClient({ url: server.url, token, chatId, kind: 'user' });
    const agent = new ChatClient({ url: server.url, token: agentToken, chatId, kind: 'agent' });
    await Promise.all([user.connect(), agent.connect()]);
    return { token, chatId, user, agent };
  }

  const stored = (chatId: string) =>
    pg.query<{ id: string; client_id: string | null }>(DATABASE, 'SELECT id, client_id FROM support_messages WHERE chat_id = $1', [chatId]);

  it.each(['fast', 'immediate'] as const)(
    'refuses sends while Postgres is down (stop -m %s), reports not ready, and stores each retry once when it is back',
    async (mode) => {
      const { token, chatId, user, agent } = await conversation();
      expect(await user.sendOnce('before the outage', `${mode}-0`)).toMatchObject({ ok: true });
      expect(await status('/api/health/ready')).toBe(200);

      // A burst in flight as Postgres goes: each ack is a success that was committed, or a
      // refusal; none is left unanswered.
      const burst = Array.from({ length: 10 }, (_, i) => ({ clientId: `${mode}-burst-${i}`, content: `burst ${i}` }));
      const inFlight = burst.map((m) => user.sendOnce(m.content, m.clientId));
      const stopping = pg.stop(mode);
      const burstAcks = await Promise.all(inFlight);
      await stopping;
      expect(burstAcks.every((a) => a !== null)).toBe(true);

      await waitFor('readiness to report the outage', async () => (await status('/api/health/ready')) === 503);
      expect(await status('/api/health')).toBe(503);

      // During the outage, every send is refused, over the socket and over REST, never acked ok.
      const during = Array.from({ length: 5 }, (_, i) => ({ clientId: `${mode}-down-${i}`, content: `during ${i}` }));
      for (const m of during) {
        expect(await user.sendOnce(m.content, m.clientId)).toEqual({ ok: false, error: 'internal_error' });
      }
      const rest = await fetch(`${server.url}/api/support_chat/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'over REST', client_id: `${mode}-rest` }),
      });
      expect(rest.status).toBeGreaterThanOrEqual(500);
      const restBody = await rest.text();
      expect(restBody).not.toMatch(/ECONNREFUSED|postgres|terminating|SELECT|support_/i);
      expect(await status('/api/health/ready')).toBe(503);

      await pg.start();
      await waitFor('readiness to come back', async () => (await status('/api/health/ready')) === 200, 30_000);

      // The client resends everything it wrote with the same client_ids, the acked ones too
      // (as after a lost ack), and those refused during the outage a second time.
      const all = [...burst, ...during];
      const firstAcks = new Map(burst.map((m, i) => [m.clientId, burstAcks[i]]));
      for (const m of [...all, ...during]) expect(await user.sendOnce(m.content, m.clientId)).toMatchObject({ ok: true });
      const restAgain = await fetch(`${server.url}/api/support_chat/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'over REST', client_id: `${mode}-rest` }),
      });
      expect(restAgain.status).toBe(201);

      // Every ack for one client_id carried the same message, and Postgres holds it once.
      const rows = await stored(chatId);
      for (const clientId of [`${mode}-0`, ...all.map((m) => m.clientId), `${mode}-rest`]) {
        expect(rows.filter((r) => r.client_id === clientId)).toHaveLength(1);
      }
      expect(rows).toHaveLength(all.length + 2);
      for (const [clientId, acks] of user.acked) {
        const row = rows.find((r) => r.client_id === clientId);
        expect(new Set(acks.map((a) => a.id))).toEqual(new Set([row?.id]));
      }

      // The agent heard every stored message live, a last message sent after the rest arriving
      // showing nothing else is still on its way, and shows each once. A resend that finds its
      // message stored relays it again, because its first relay may never have happened (a
      // refused send whose commit had in fact landed as Postgres died): repeats come only from
      // the resends above, which clients merge by id.
      const last = await user.sendOnce('after the outage', `${mode}-last`);
      if (!last?.ok) throw new Error(`send after the outage refused: ${JSON.stringify(last)}`);
      await waitFor('the agent to hear the last message', () => agent.live.some((m) => m.id === last.message.id));
      const finalRows = await stored(chatId);
      const heard = new Set(agent.live.map((m: SupportMessage) => m.id));
      for (const r of finalRows) expect(heard.has(r.id)).toBe(true);
      const resent = new Set(all.map((m) => m.clientId));
      for (const id of repeatedIds(agent.live)) expect(resent.has(finalRows.find((r) => r.id === id)?.client_id ?? '')).toBe(true);

      user.close();
      agent.close();
    },
    90_000,
  );
});
