import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { SupportMessage } from '../../src/contracts/wire';
import { api, ChatClient, repeatedIds } from '../support/chat-client';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from '../support/instances';

/** `npm run test:load` sets it: the three-minute variant runs only there. */
const LONG = process.env.RELIABILITY_LONG === '1';
/** The agent's pace while the user is away: a steady conversation, well inside the rate limit. */
const AGENT_PACE_MS = 500;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A user's network goes away for a while (30 s here, 3 minutes in the long run) while the agent
 * keeps writing, and the user keeps typing into the outbox. Back online, the client joins,
 * catches up and sends its outbox, some of it twice. The promise: the user has every message
 * once, in order; the agent's were relayed in the order written; the outbox is stored once.
 */
describe('A client offline while the agent keeps writing (e2e)', () => {
  let server: ServerProcess;
  let agentToken: string;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    ensureFreshBuild();
    // The agent writes steadily for minutes: its allowance is not what is tested here.
    server = await testServer.startServer({ env: { MESSAGE_RATE_LIMIT: '100000' } });
    agentToken = await server.adminToken();
  }, 60_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await server?.stop();
  }, 60_000);

  async function offlineFor(offlineMs: number): Promise<void> {
    const sub = `offline-${randomUUID()}`;
    const token = server.userToken({ sub, email: `${sub}@example.com` });
    const chatId = (await api<{ id: string }>(server.url, token, '/api/support_chat')).body.id;
    const user = new ChatClient({ url: server.url, token, chatId, kind: 'user' });
    const agent = new ChatClient({ url: server.url, token: agentToken, chatId, kind: 'agent' });
    clients.push(user, agent);
    await Promise.all([user.connect(), agent.connect()]);

    const agentWrote: SupportMessage[] = [];
    const agentSays = async (content: string) => {
      const ack = await agent.sendOnce(content, `agent-${agentWrote.length}`);
      if (!ack?.ok) throw new Error(`agent's "${content}" refused: ${JSON.stringify(ack)}`);
      agentWrote.push(ack.message);
    };
    await agentSays('hello, how can I help?');
    expect((await user.sendOnce('my order is late', 'user-hello'))?.ok).toBe(true);

    // The connection drops right as the user sends: the send may be stored, its ack is lost.
    const heardBefore = user.live.length;
    expect(heardBefore).toBeGreaterThan(0);
    user.write('are you still there?', 'user-lost-ack');
    user.goOffline();

    // Away for the whole period: the agent writes at a steady pace, the user types into the
    // outbox now and then.
    const wentOffline = Date.now();
    let typed = 0;
    for (let n = 0; n < 2000 && Date.now() - wentOffline < offlineMs; n++) {
      await agentSays(`update ${n} while you are away`);
      if (n % 10 === 5) user.write(`typed offline ${typed}`, `user-offline-${typed++}`);
      await pause(AGENT_PACE_MS);
    }
    expect(typed).toBeGreaterThan(0);
    expect(user.live.length).toBe(heardBefore);

    // Back online while the agent is still writing: catch-up and live overlap.
    const stillWriting = (async () => {
      for (let n = 0; n < 10; n++) await agentSays(`as you come back ${n}`);
    })();
    await user.connect();
    await stillWriting;
    await waitFor('the outbox to drain', () => user.outbox.length === 0);

    // Resends after drained: one by one and two at once, each answered with the stored message.
    const outboxIds = ['user-lost-ack', ...Array.from({ length: typed }, (_, i) => `user-offline-${i}`)];
    for (const clientId of outboxIds) {
      const again = await user.sendOnce('resent', clientId);
      expect(again).toMatchObject({ ok: true, message: { client_id: clientId } });
    }
    const [x, y] = await Promise.all([user.sendOnce('resent', 'user-lost-ack'), user.sendOnce('resent', 'user-lost-ack')]);
    expect(x?.ok && y?.ok && x.message.id === y.message.id).toBe(true);

    // A last word from the agent, heard live: nothing is still on its way.
    await agentSays('anything else?');
    const last = agentWrote.at(-1) as SupportMessage;
    await waitFor('the user to hear the last word', () => user.live.some((m) => m.id === last.id));

    const db = new Client({ connectionString: server.env.DATABASE_URL });
    await db.connect();
    let stored: { id: string; client_id: string }[];
    try {
      stored = (
        await db.query<{ id: string; client_id: string }>(
          'SELECT id, client_id FROM support_messages WHERE chat_id = $1 ORDER BY created_at, id',
          [chatId],
        )
      ).rows;
    } finally {
      await db.end();
    }
    // Everything once, in order: the user shows exactly what is stored, and was sent nothing twice.
    expect(user.messages().map((m) => m.id)).toEqual(stored.map((r) => r.id));
    expect(repeatedIds(user.live)).toEqual([]);
    // The agent's messages are stored and shown in the order written...
    const agentIds = agentWrote.map((m) => m.id);
    expect(user.messages().filter((m) => m.sender_type === 'admin').map((m) => m.id)).toEqual(agentIds);
    // ...and those heard live arrived in that order.
    const heardLive = user.live.filter((m) => m.sender_type === 'admin').map((m) => agentIds.indexOf(m.id));
    expect(heardLive).toEqual([...heardLive].sort((p, q) => p - q));
    // The outbox, resends and all, is stored once per client_id, every ack naming that row.
    for (const clientId of ['user-hello', ...outboxIds]) {
      const rows = stored.filter((r) => r.client_id === clientId);
      expect(rows).toHaveLength(1);
      expect(new Set(user.acked.get(clientId)?.map((m) => m.id))).toEqual(new Set([rows[0].id]));
    }
    // The agent heard each of the user's messages, again only when one was resent after it was
    // stored (a resend relays again: its first relay may have died with an instance).
    const resent = new Set(outboxIds);
    for (const id of repeatedIds(agent.live)) expect(resent.has(stored.find((r) => r.id === id)?.client_id ?? '')).toBe(true);
    const agentHeard = new Set(agent.live.map((m) => m.id));
    for (const r of stored.filter((row) => row.client_id.startsWith('user-'))) expect(agentHeard.has(r.id)).toBe(true);
  }

  it('delivers everything once, in order, after 30 s offline, and drains the outbox once', () => offlineFor(30_000), 120_000);

  // Three minutes is the long run's (`npm run test:load`); the README's test command stays short.
  if (LONG) {
    it('delivers everything once, in order, after 3 minutes offline, and drains the outbox once', () => offlineFor(180_000), 300_000);
  }
});
