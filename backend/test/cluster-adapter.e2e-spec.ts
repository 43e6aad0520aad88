import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import type { NewMessageEvent, SupportChat, SupportMessage } from '../src/contracts/wire';
import { emitAck, nextEvent, PG, startTestApp, type TestApp } from './support/test-app';

// Both adapters, two in-process servers on one database and one Redis prefix: the default
// (streams) and the fallback (pub/sub) must each carry a broadcast from one to the other.
describe.each(['streams', 'pubsub'])('Socket.IO %s adapter across two servers (e2e)', (adapter) => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    const database = `support_chat_e2e_${randomBytes(5).toString('hex')}`;
    const env = { SOCKET_ADAPTER: adapter, DATABASE_URL: `${PG}/${database}`, REDIS_PREFIX: `e2e-${database}` };
    first = await startTestApp(env);
    second = await startTestApp(env);
  });
  afterAll(async () => {
    // The second shares the first's database, which the first drops on close.
    await second.app.close();
    await first.close();
  });

  it('relays both ways', async () => {
    const token = first.userToken();
    const chatId = (await first.http<SupportChat>('/api/support_chat', { token })).body.id;
    const user = await first.connect(token);
    const agent = await second.connect(await second.adminToken());
    for (const s of [user, agent]) expect(await emitAck(s, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });

    const atAgent = nextEvent<NewMessageEvent>(agent, 'new_message');
    expect(await emitAck<{ message: SupportMessage }>(user, 'send_message', { chat_id: chatId, content: `over ${adapter}` })).toMatchObject({ ok: true });
    expect((await atAgent).message.content).toBe(`over ${adapter}`);

    const atUser = nextEvent<NewMessageEvent>(user, 'new_message', (e) => e.message.sender_type === 'admin');
    expect(await emitAck(agent, 'send_message', { chat_id: chatId, content: 'and back' })).toMatchObject({ ok: true });
    expect((await atUser).message.content).toBe('and back');
    user.disconnect();
    agent.disconnect();
  });
});

// A user's message makes three broadcasts (the chat's room, and the agents' room twice); the
// other instances get them as one stream entry, one Redis write, and deliver them in order.
describe('Socket.IO streams adapter, one entry per message (e2e)', () => {
  let first: TestApp;
  let second: TestApp;
  let redis: Redis;
  let stream: string;
  beforeAll(async () => {
    const database = `support_chat_e2e_${randomBytes(5).toString('hex')}`;
    const env = { DATABASE_URL: `${PG}/${database}`, REDIS_PREFIX: `e2e-${database}` };
    first = await startTestApp(env);
    second = await startTestApp(env);
    redis = new Redis(first.config.redisUrl);
    stream = `${first.config.redisPrefix}:socket.io`;
  });
  afterAll(async () => {
    redis.disconnect();
    await second.app.close();
    await first.close();
  });

  it("writes a user's message to the stream once, and the other instance delivers all three events in order", async () => {
    const token = first.userToken();
    const chatId = (await first.http<SupportChat>('/api/support_chat', { token })).body.id;
    const user = await first.connect(token);
    const agent = await second.connect(await second.adminToken());
    expect(await emitAck(user, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    expect(await emitAck(agent, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    expect(await emitAck(agent, 'subscribe_admin', {})).toEqual({ ok: true });
    const heard: string[] = [];
    agent.onAny((event: string, payload: { chat_id?: string; chat?: { id: string } }) => {
      if (payload.chat_id === chatId || payload.chat?.id === chatId) heard.push(event);
    });

    const [newest] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
    const last = nextEvent(agent, 'chat_updated', (e: { chat: { id: string } }) => e.chat.id === chatId);
    expect(await emitAck(user, 'send_message', { chat_id: chatId, content: 'one entry' })).toMatchObject({ ok: true });
    await last;
    expect(heard).toEqual(['new_message', 'new_user_message', 'chat_updated']);
    // Entries about this chat since the send (other broadcasts, such as the agent's presence, may interleave).
    const since = await redis.xrange(stream, newest ? `(${newest[0]}` : '-', '+');
    expect(since.filter(([, fields]) => fields.join(' ').includes(chatId))).toHaveLength(1);
    user.disconnect();
    agent.disconnect();
  });
});

// Redis carries broadcasts to the other instances only; a user and an agent on the same instance
// must not wait for it. Writes are paused on a Redis of the test's own, so an adapter that waited
// for its XADD before delivering locally would hold the relay until the pause ends (a minute).
describe('Socket.IO streams adapter with Redis slow to accept writes (e2e)', () => {
  let redis: OwnRedis;
  let app: TestApp;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startOwnRedis();
    app = await startTestApp({ REDIS_URL: redis.url });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    admin.disconnect();
    await app.close();
    await redis.destroy();
  });

  it('relays between sockets of one instance without waiting for Redis', async () => {
    const token = app.userToken();
    const chatId = (await app.http<SupportChat>('/api/support_chat', { token })).body.id;
    const user = await app.connect(token);
    const agent = await app.connect(await app.adminToken());
    for (const s of [user, agent]) expect(await emitAck(s, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });

    await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    const atUser = nextEvent<NewMessageEvent>(user, 'new_message', (e) => e.message.sender_type === 'admin');
    expect(await emitAck(agent, 'send_message', { chat_id: chatId, content: 'while Redis is paused' })).toMatchObject({ ok: true });
    expect((await atUser).message.content).toBe('while Redis is paused');
    await admin.call('CLIENT', 'UNPAUSE');
    user.disconnect();
    agent.disconnect();
  }, 20_000);
});
