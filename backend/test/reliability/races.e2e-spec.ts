import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { io } from 'socket.io-client';
import type { ChatUpdatedEvent, MessagesReadEvent, NewMessageEvent, SupportChatListItem, SupportChatPage, SupportMessage } from '../../src/contracts/wire';
import { api, emitAck, record } from '../support/chat-client';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from '../support/instances';
import type { TestSocket } from '../support/test-app';

/** Rounds per race: enough for the two sides to land in either order, and in between. */
const ROUNDS = 20;
type SendAck = { ok: true; message: SupportMessage } | { ok: false; error: string };

/**
 * Two things that touch one chat at the same moment, each race run ROUNDS times so both
 * orders (and a tie) occur: whichever way they fall, the end state must be one the rules allow
 * and every client must be told the truth.
 */
describe('Races on one chat (e2e)', () => {
  let server: ServerProcess;
  let agentToken: string;
  let db: Client;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    ensureFreshBuild();
    // The rate limit is not what is raced here; the rounds would exhaust the default one.
    server = await testServer.startServer({ env: { MESSAGE_RATE_LIMIT: '100000' } });
    agentToken = await server.adminToken();
    db = new Client({ connectionString: server.env.DATABASE_URL });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await db?.end();
    await server?.stop();
  }, 60_000);

  async function connect(token: string): Promise<TestSocket> {
    const socket: TestSocket = io(`${server.url}/support`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  async function joined(token: string, chatId: string): Promise<TestSocket> {
    const socket = await connect(token);
    expect(await emitAck(socket, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    return socket;
  }

  async function newUser() {
    const sub = `race-${randomUUID()}`;
    const token = server.userToken({ sub, email: `${sub}@example.com` });
    return { sub, token };
  }

  async function userWithChat() {
    const user = await newUser();
    const chatId = (await api<{ id: string }>(server.url, user.token, '/api/support_chat')).body.id;
    return { ...user, chatId };
  }

  const send = (socket: TestSocket, chatId: string, content: string, clientId: string) =>
    emitAck(socket, 'send_message', { chat_id: chatId, content, client_id: clientId }) as Promise<SendAck>;

  function sent(ack: SendAck): SupportMessage {
    if (!ack.ok) throw new Error(`send refused: ${ack.error}`);
    return ack.message;
  }

  const readAt = async (id: string) =>
    (await db.query<{ read_at: Date | null }>('SELECT read_at FROM support_messages WHERE id = $1', [id])).rows[0].read_at;

  it('makes one chat when tabs open it for the first time at once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { sub, token } = await newUser();
      // Two tabs loading the widget and a third already sending its first message.
      const [one, two, message] = await Promise.all([
        api<{ id: string }>(server.url, token, '/api/support_chat'),
        api<{ id: string }>(server.url, token, '/api/support_chat'),
        api<SupportMessage>(server.url, token, '/api/support_chat/messages', { method: 'POST', body: { content: 'first!', client_id: 'first' } }),
      ]);
      expect([one.status, two.status, message.status]).toEqual([200, 200, 201]);
      expect(two.body.id).toBe(one.body.id);
      expect(message.body.chat_id).toBe(one.body.id);
      const { rows } = await db.query<{ users: string; chats: string }>(
        `SELECT count(DISTINCT u.id) AS users, count(c.id) AS chats
         FROM users u LEFT JOIN support_chats c ON c.user_id = u.id WHERE u.external_id = $1`,
        [sub],
      );
      expect(rows[0]).toEqual({ users: '1', chats: '1' });
    }
  });

  it("leaves a reply that races mark_read unread unless up_to covers it, and says which it marked", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await userWithChat();
      const [userSocket, agent] = await Promise.all([joined(user.token, user.chatId), joined(agentToken, user.chatId)]);
      const receipts = record<MessagesReadEvent>(userSocket, 'messages_read');
      const seen = sent(await send(agent, user.chatId, 'seen reply', `seen-${round}`));

      // The element marks read up to the newest reply it has shown, as the next one arrives.
      const [mark, racing] = await Promise.all([
        emitAck<{ updated: number }>(userSocket, 'mark_read', { chat_id: user.chatId, up_to: seen.id }),
        send(agent, user.chatId, 'racing reply', `racing-${round}`),
      ]);
      expect(mark).toEqual({ ok: true, updated: 1 });
      const newer = sent(racing);
      expect(await readAt(seen.id)).not.toBeNull();
      expect(await readAt(newer.id)).toBeNull();

      // Without up_to (the REST default: everything), the racing reply may fall either side,
      // but the receipt names exactly what was marked, and read_at never moves.
      const firstRead = await readAt(seen.id);
      // Over REST on even rounds, over the socket on odd ones (where it can land either side).
      const markAll =
        round % 2 === 0
          ? api<{ updated: number }>(server.url, user.token, '/api/support_chat/mark_read', { method: 'PATCH', body: {} }).then((r) => r.body)
          : emitAck<{ updated: number }>(userSocket, 'mark_read', { chat_id: user.chatId }).then((r) => ({ updated: r.ok ? r.updated : -1 }));
      const [all, third] = await Promise.all([markAll, send(agent, user.chatId, 'another racing reply', `another-${round}`)]);
      const last = sent(third);
      // The receipts are broadcast after the acks; a last mark that covers everything is the
      // positive control that they have all arrived.
      const closing = await api<{ updated: number }>(server.url, user.token, '/api/support_chat/mark_read', { method: 'PATCH', body: {} });
      const expectedReceipts = [mark, all, closing.body].filter((r) => (r as { updated: number }).updated > 0).length;
      await waitFor('every read receipt', () => receipts.length === expectedReceipts);
      const marked = receipts.flatMap((r) => r.message_ids);
      expect(marked).toHaveLength(new Set(marked).size);
      expect(new Set(marked)).toEqual(new Set([seen.id, newer.id, last.id]));
      expect(receipts[0].message_ids).toEqual([seen.id]);
      expect(all.updated + closing.body.updated).toBe(2);
      expect(await readAt(seen.id)).toEqual(firstRead);
      userSocket.disconnect();
      agent.disconnect();
    }
  });

  /**
   * An archive and a user message at once. Either order is allowed (archived last, or
   * unarchived by the message: a user message on an archived chat unarchives it); the message
   * is never lost. Answers the end state and the chat_updated events the console heard for it
   * until a later message, the positive control that the race's own events have all arrived.
   */
  async function archiveRace(round: number, agentConsole: TestSocket, updates: ChatUpdatedEvent[]) {
    const user = await userWithChat();
    const userSocket = await joined(user.token, user.chatId);
    sent(await send(userSocket, user.chatId, 'hello', `hello-${round}`));
    const [archive, racing] = await Promise.all([
      api<SupportChatListItem>(server.url, agentToken, `/api/admin/chats/${user.chatId}/archive`, { method: 'POST' }),
      send(userSocket, user.chatId, 'one more thing', `more-${round}`),
    ]);
    expect(archive.status).toBe(200);
    const message = sent(racing);
    const { rows } = await db.query<{ id: string; archived: boolean }>(
      `SELECT m.id, c.archived_at IS NOT NULL AS archived FROM support_messages m JOIN support_chats c ON c.id = m.chat_id
       WHERE m.chat_id = $1 AND m.client_id = $2`,
      [user.chatId, `more-${round}`],
    );
    expect(rows.map((r) => r.id)).toEqual([message.id]);
    const archived = rows[0].archived;
    const counted = await db.query<{ message_count: number; stored: string }>(
      'SELECT message_count, (SELECT count(*) FROM support_messages WHERE chat_id = $1) AS stored FROM support_chats WHERE id = $1',
      [user.chatId],
    );
    expect(counted.rows[0]).toEqual({ message_count: 2, stored: '2' });
    // The list puts the chat where the database says it is.
    const tab = await api<SupportChatPage>(server.url, agentToken, `/api/admin/chats?archived=${archived}&limit=200`);
    expect(tab.body.items.map((c) => c.id)).toContain(user.chatId);
    // Whatever order the archive's answer and the two announcements reached the console in, the
    // item with the highest version is the chat as stored, and one version is one state.
    const stored = await db.query<{ version: string; last_message_at: Date }>(
      'SELECT version, last_message_at FROM support_chats WHERE id = $1',
      [user.chatId],
    );
    const version = Number(stored.rows[0].version);
    await waitFor('the console to hear the latest version', () =>
      updates.some((u) => u.chat.id === user.chatId && u.chat.version === version),
    );
    const items = [archive.body, ...updates.filter((u) => u.chat.id === user.chatId).map((u) => u.chat)];
    const newest = items.reduce((a, b) => (b.version > a.version ? b : a));
    expect({ archived: newest.archived, last_message_at: newest.last_message_at, version: newest.version }).toEqual({
      archived,
      last_message_at: stored.rows[0].last_message_at.toISOString(),
      version,
    });
    for (const item of items) {
      const same = items.filter((other) => other.version === item.version);
      for (const other of same) expect([other.archived, other.last_message_at]).toEqual([item.archived, item.last_message_at]);
    }
    const marker = sent(await send(userSocket, user.chatId, 'marker', `marker-${round}`));
    await waitFor('the console to hear the marker', () =>
      updates.some((u) => u.chat.id === user.chatId && u.chat.last_message_at === marker.created_at),
    );
    userSocket.disconnect();
    const heard = updates.filter((u) => u.chat.id === user.chatId).map((u) => u.chat);
    expect(heard.at(-1)?.last_message_at).toBe(marker.created_at);
    return { archived, heardBeforeMarker: heard.slice(0, -1) };
  }

  async function agentConsole() {
    const socket = await connect(agentToken);
    expect(await emitAck(socket, 'subscribe_admin', {})).toEqual({ ok: true });
    return { socket, updates: record<ChatUpdatedEvent>(socket, 'chat_updated') };
  }

  it('keeps a user message that races an archive, and ends in a state the rules allow', async () => {
    const { socket, updates } = await agentConsole();
    for (let round = 0; round < ROUNDS; round++) await archiveRace(round, socket, updates);
    socket.disconnect();
  });

  it('stores one agent reply sent from two consoles with the same client_id, and relays it at most once per send', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await userWithChat();
      const [userSocket, consoleA, consoleB] = await Promise.all([
        joined(user.token, user.chatId),
        joined(agentToken, user.chatId),
        joined(agentToken, user.chatId),
      ]);
      const heard = record<NewMessageEvent>(userSocket, 'new_message');
      const clientId = `reply-${round}`;
      // Two consoles (the second over REST on odd rounds) sending the same reply at once.
      const [a, b] = await Promise.all([
        send(consoleA, user.chatId, 'the same reply', clientId),
        round % 2 === 0
          ? send(consoleB, user.chatId, 'the same reply', clientId)
          : api<SupportMessage>(server.url, agentToken, `/api/admin/chats/${user.chatId}/messages`, {
              method: 'POST',
              body: { content: 'the same reply', client_id: clientId },
            }).then((r): SendAck => (r.status === 201 ? { ok: true, message: r.body } : { ok: false, error: String(r.status) })),
      ]);
      expect(sent(b)).toEqual(sent(a));
      const { rows } = await db.query('SELECT id FROM support_messages WHERE chat_id = $1 AND client_id = $2', [user.chatId, clientId]);
      expect(rows).toHaveLength(1);
      // A later reply heard by the user shows the first one's relays have arrived. A send that
      // finds the reply stored relays it again (its first relay may have died with an instance),
      // so the user hears it once or twice, always as the same message, which clients merge.
      const later = sent(await send(consoleB, user.chatId, 'a later reply', `later-${round}`));
      await waitFor('the user to hear the later reply', () => heard.some((e) => e.message.id === later.id));
      const relays = heard.filter((e) => e.message.content === 'the same reply');
      expect(relays.length).toBeGreaterThanOrEqual(1);
      expect(relays.length).toBeLessThanOrEqual(2);
      expect(new Set(relays.map((e) => e.message.id))).toEqual(new Set([sent(a).id]));
      for (const s of [userSocket, consoleA, consoleB]) s.disconnect();
    }
  });
});
