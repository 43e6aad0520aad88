import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type {
  AgentSupportMessage,
  ChatUpdatedEvent,
  MessagesReadEvent,
  NewMessageEvent,
  NewUserMessageEvent,
  SupportChat,
  SupportMessage,
} from '../src/contracts/wire';
import { emitAck, nextEvent, record, startTestApp, type TestApp, type TestSocket } from './support/test-app';

describe('Socket.IO gateway (e2e)', () => {
  let t: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    // Windows are aligned to the clock: an hour-long one is not crossed during the flood below.
    t = await startTestApp({ MESSAGE_RATE_LIMIT: '30', MESSAGE_RATE_WINDOW_MS: '3600000' });
    adminToken = await t.adminToken();
  });
  afterAll(() => t.close());

  async function userSocket(name?: string) {
    const token = t.userToken(name ? { name } : {});
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const socket = await t.connect(token);
    expect(await emitAck(socket, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    return { token, chatId, socket };
  }
  async function agentSocket() {
    const socket = await t.connect(adminToken);
    expect(await emitAck(socket, 'subscribe_admin', {})).toEqual({ ok: true });
    return socket;
  }
  const send = (socket: TestSocket, chat_id: string, content: string, client_id?: string) =>
    emitAck<{ message: SupportMessage }>(socket, 'send_message', { chat_id, content, ...(client_id ? { client_id } : {}) });

  it('carries a live conversation between a user and an agent both ways', async () => {
    const user = await userSocket('Lin');
    const agent = await agentSocket();

    const toAgents = nextEvent<NewUserMessageEvent>(agent, 'new_user_message', (e) => e.chat_id === user.chatId);
    const listUpdate = nextEvent<ChatUpdatedEvent>(agent, 'chat_updated', (e) => e.chat.id === user.chatId && e.chat.message_count === 1);
    const echo = nextEvent<NewMessageEvent>(user.socket, 'new_message');
    const ack = await send(user.socket, user.chatId, 'My order is late', 'u-1');
    expect(ack).toMatchObject({ ok: true, message: { content: 'My order is late', sender_type: 'user', client_id: 'u-1' } });
    const sent = (ack as { message: SupportMessage }).message;
    expect((await echo).message.id).toBe(sent.id);
    expect(await toAgents).toEqual({ type: 'new_user_message', chat_id: user.chatId, user_email: expect.stringContaining('@'), message: sent });
    expect((await listUpdate).chat).toMatchObject({ unread: true, last_message_preview: 'My order is late', user_name: 'Lin' });

    expect(await emitAck(agent, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    const toUser = nextEvent<NewMessageEvent>(user.socket, 'new_message', (e) => e.message.sender_type === 'admin');
    const agentAck = await send(agent, user.chatId, 'Looking into it');
    expect(agentAck).toMatchObject({ ok: true, message: { sender_type: 'admin', read_at: null } });
    expect((await toUser).message.content).toBe('Looking into it');

    const readByUser = nextEvent<MessagesReadEvent>(agent, 'messages_read', (e) => e.reader === 'user');
    expect(await emitAck(user.socket, 'mark_read', { chat_id: user.chatId })).toEqual({ ok: true, updated: 1 });
    expect(await readByUser).toMatchObject({ type: 'messages_read', chat_id: user.chatId, read_at: expect.any(String) });
  });

  it('takes the sender type from the token, never from the payload', async () => {
    const user = await userSocket();
    const res = await emitAck(user.socket, 'send_message', { chat_id: user.chatId, content: 'hi', sender_type: 'admin' });
    expect(res).toEqual({ ok: false, error: 'invalid_content' });
    const ok = await send(user.socket, user.chatId, 'hi');
    expect(ok).toMatchObject({ ok: true, message: { sender_type: 'user' } });
  });

  it("keeps users out of other users' chats, and unknown chats look the same", async () => {
    const alice = await userSocket();
    const mallory = await userSocket();
    const leaked = record<NewMessageEvent>(mallory.socket, 'new_message');
    expect(await emitAck(mallory.socket, 'subscribe', { chat_id: alice.chatId })).toEqual({ ok: false, error: 'forbidden' });
    expect(await emitAck(mallory.socket, 'subscribe', { chat_id: randomUUID() })).toEqual({ ok: false, error: 'forbidden' });
    expect(await send(mallory.socket, alice.chatId, 'let me in')).toEqual({ ok: false, error: 'forbidden' });
    expect(await emitAck(mallory.socket, 'mark_read', { chat_id: alice.chatId })).toEqual({ ok: false, error: 'forbidden' });
    expect(await emitAck(mallory.socket, 'subscribe_admin', {})).toEqual({ ok: false, error: 'forbidden' });
    await send(alice.socket, alice.chatId, 'secret');
    await t.http(`/api/admin/chats/${alice.chatId}/messages`, { method: 'POST', token: adminToken, body: { content: 'reply' } });
    // Positive control: a reply in Mallory's own chat, relayed after Alice's, reaches her.
    const own = nextEvent<NewMessageEvent>(mallory.socket, 'new_message', (e) => e.message.content === 'yours');
    await t.http(`/api/admin/chats/${mallory.chatId}/messages`, { method: 'POST', token: adminToken, body: { content: 'yours' } });
    await own;
    expect(leaked.map((e) => e.chat_id)).toEqual([mallory.chatId]);
    const aliceChat = (await t.http<SupportChat>('/api/support_chat', { token: alice.token })).body.messages;
    expect(aliceChat.map((m) => m.content)).toEqual(['secret', 'reply']);
  });

  it('answers not_found to an agent subscribing to a chat that does not exist', async () => {
    const agent = await agentSocket();
    expect(await emitAck(agent, 'subscribe', { chat_id: randomUUID() })).toEqual({ ok: false, error: 'not_found' });
    expect(await send(agent, randomUUID(), 'hello?')).toEqual({ ok: false, error: 'not_found' });
  });

  it.each([
    ['empty content', { content: '' }],
    ['whitespace', { content: '   ' }],
    ['5001 characters', { content: 'x'.repeat(5001) }],
    ['a number', { content: 7 }],
    ['an object', { content: { text: 'hi' } }],
    ['a malformed chat id', { content: 'hi', chat_id: "1' OR 1=1" }],
    ['an unknown field', { content: 'hi', extra: true }],
  ])('answers invalid_content to a payload with %s and stores nothing', async (_name, patch) => {
    const user = await userSocket();
    const res = await emitAck(user.socket, 'send_message', { chat_id: user.chatId, ...patch });
    expect(res).toEqual({ ok: false, error: 'invalid_content' });
    expect((await t.http<SupportChat>('/api/support_chat', { token: user.token })).body.messages).toEqual([]);
  });

  it('answers invalid_content to payloads of the wrong type on every event', async () => {
    const user = await userSocket();
    for (const event of ['subscribe', 'unsubscribe', 'send_message', 'mark_read']) {
      for (const payload of ['str', 12, [1, 2], null]) {
        expect(await emitAck(user.socket, event, payload)).toEqual({ ok: false, error: 'invalid_content' });
      }
    }
    expect(user.socket.connected).toBe(true);
  });

  it('returns the same message for a resent client_id and broadcasts it once', async () => {
    const user = await userSocket();
    const agent = await agentSocket();
    const seenByAgent = record<NewUserMessageEvent>(agent, 'new_user_message');
    const first = await send(user.socket, user.chatId, 'only once', 'retry-1');
    const again = await send(user.socket, user.chatId, 'only once', 'retry-1');
    expect(again).toEqual(first);
    const marker = nextEvent<NewUserMessageEvent>(agent, 'new_user_message', (e) => e.message.content === 'marker');
    await send(user.socket, user.chatId, 'marker', 'retry-2');
    await marker;
    expect(seenByAgent.filter((e) => e.chat_id === user.chatId).map((e) => e.message.content)).toEqual(['only once', 'marker']);
  });

  it('relays a resent message again to the rest of the chat, never to the resending socket nor as news', async () => {
    // The instance that stored the first send may have died before relaying it; a resend is the
    // one moment anyone learns so, hence the relay again. Clients merge by id.
    const user = await userSocket();
    const otherTab = await t.connect(user.token);
    expect(await emitAck(otherTab, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    const agent = await t.connect(adminToken);
    expect(await emitAck(agent, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    const [bySender, byOtherTab, byAgent] = [user.socket, otherTab, agent].map((s) => record<NewMessageEvent>(s, 'new_message'));
    const lobby = await agentSocket();
    const news = record<NewUserMessageEvent>(lobby, 'new_user_message');
    const first = await send(user.socket, user.chatId, 'said twice', 'resent-1');
    expect(await send(user.socket, user.chatId, 'said twice', 'resent-1')).toEqual(first);
    const markers = [user.socket, otherTab, agent].map((s) => nextEvent<NewMessageEvent>(s, 'new_message', (e) => e.message.content === 'marker'));
    const newsMarker = nextEvent<NewUserMessageEvent>(lobby, 'new_user_message', (e) => e.message.content === 'marker');
    await send(user.socket, user.chatId, 'marker', 'resent-2');
    await Promise.all([...markers, newsMarker]);
    const contents = (events: NewMessageEvent[]) => events.map((e) => e.message.content);
    expect(contents(byOtherTab)).toEqual(['said twice', 'said twice', 'marker']);
    expect(contents(byAgent)).toEqual(['said twice', 'said twice', 'marker']);
    expect(new Set(byAgent.slice(0, 2).map((e) => e.message.id)).size).toBe(1);
    // The resending socket has its ack; its own echo came once, and the marker shows it listens.
    expect(contents(bySender)).toEqual(['said twice', 'marker']);
    expect(news.filter((e) => e.chat_id === user.chatId).map((e) => e.message.content)).toEqual(['said twice', 'marker']);
    for (const s of [otherTab, agent, lobby]) s.disconnect();
  });

  it('lets a reconnecting client fetch exactly what it missed, in order', async () => {
    const user = await userSocket();
    const last = ((await send(user.socket, user.chatId, 'before the tunnel')) as { message: SupportMessage }).message;
    user.socket.disconnect();
    const missed: string[] = [];
    for (const content of ['one', 'two', 'three']) {
      const res = await t.http<AgentSupportMessage>(`/api/admin/chats/${user.chatId}/messages`, { method: 'POST', token: adminToken, body: { content } });
      missed.push(res.body.id);
    }
    const back = await t.connect(user.token);
    const live = nextEvent<NewMessageEvent>(back, 'new_message');
    expect(await emitAck(back, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    const caughtUp = (await t.http(`/api/support_chat/messages?after=${last.id}`, { token: user.token })).body as SupportMessage[];
    expect(caughtUp.map((m) => m.id)).toEqual(missed);
    await t.http(`/api/admin/chats/${user.chatId}/messages`, { method: 'POST', token: adminToken, body: { content: 'four' } });
    expect((await live).message.content).toBe('four');
  });

  it('sends each new message to every tab of the user exactly once', async () => {
    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const tabs = await Promise.all([t.connect(token), t.connect(token)]);
    for (const tab of tabs) expect(await emitAck(tab, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    // Subscribing twice must not double the stream either.
    expect(await emitAck(tabs[0], 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    const seen = tabs.map((tab) => record<NewMessageEvent>(tab, 'new_message'));
    const results = await Promise.all([send(tabs[0], chatId, 'from tab 1', 'tab1-a'), send(tabs[1], chatId, 'from tab 2', 'tab2-a')]);
    expect(results.every((r) => r.ok)).toBe(true);
    const markers = tabs.map((tab) => nextEvent<NewMessageEvent>(tab, 'new_message', (e) => e.message.content === 'marker'));
    await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: adminToken, body: { content: 'marker' } });
    await Promise.all(markers);
    for (const s of seen) expect(s.map((e) => e.message.content).sort()).toEqual(['from tab 1', 'from tab 2', 'marker']);
  });

  it('stops the stream after unsubscribe', async () => {
    const user = await userSocket();
    const seen = record<NewMessageEvent>(user.socket, 'new_message');
    expect(await emitAck(user.socket, 'unsubscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    await t.http(`/api/admin/chats/${user.chatId}/messages`, { method: 'POST', token: adminToken, body: { content: 'quiet' } });
    // Positive control: subscribed again, the same connection hears the next one, and would
    // have heard the first before it.
    expect(await emitAck(user.socket, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });
    const loud = nextEvent<NewMessageEvent>(user.socket, 'new_message', (e) => e.message.content === 'loud');
    await t.http(`/api/admin/chats/${user.chatId}/messages`, { method: 'POST', token: adminToken, body: { content: 'loud' } });
    await loud;
    expect(seen.map((e) => e.message.content)).toEqual(['loud']);
  });

  it('tells agents when a chat is archived, restored or viewed', async () => {
    const user = await userSocket();
    await send(user.socket, user.chatId, 'hi');
    const agent = await agentSocket();
    const archived = nextEvent<ChatUpdatedEvent>(agent, 'chat_updated', (e) => e.chat.id === user.chatId && e.chat.archived);
    await t.http(`/api/admin/chats/${user.chatId}/archive`, { method: 'POST', token: adminToken });
    await archived;
    const restored = nextEvent<ChatUpdatedEvent>(agent, 'chat_updated', (e) => e.chat.id === user.chatId && !e.chat.archived);
    await send(user.socket, user.chatId, 'back again');
    expect((await restored).chat).toMatchObject({ unread: true, message_count: 2 });
    const viewed = nextEvent<ChatUpdatedEvent>(agent, 'chat_updated', (e) => e.chat.id === user.chatId && !e.chat.unread);
    const readMark = nextEvent<MessagesReadEvent>(user.socket, 'messages_read', (e) => e.reader === 'admin');
    await t.http(`/api/admin/chats/${user.chatId}`, { token: adminToken });
    await viewed;
    expect((await readMark).message_ids).toHaveLength(2);
  });

  it('rate-limits a flooding user while another user behind the same address is served', async () => {
    const flooder = await userSocket();
    const neighbour = await userSocket();
    const results = [];
    for (let i = 0; i < 32; i++) results.push(await send(flooder.socket, flooder.chatId, `spam ${i}`));
    expect(results.slice(0, 30).every((r) => r.ok)).toBe(true);
    expect(results.slice(30)).toEqual([
      { ok: false, error: 'rate_limited' },
      { ok: false, error: 'rate_limited' },
    ]);
    expect(await send(neighbour.socket, neighbour.chatId, 'hello')).toMatchObject({ ok: true });
  });

  it('closes the connection on a frame over 64 KB', async () => {
    const user = await userSocket();
    const closed = new Promise<string>((resolve) => user.socket.once('disconnect', resolve));
    (user.socket.emit as (...args: unknown[]) => void)('send_message', { chat_id: user.chatId, content: 'x'.repeat(70_000) });
    expect(await closed).toMatch(/transport close|transport error/);
    expect((await t.http<SupportChat>('/api/support_chat', { token: user.token })).body.messages).toEqual([]);
  });

  it.each([['websocket'], ['polling']] as const)('checks the Origin of the %s handshake', async (transport) => {
    const token = t.userToken();
    await expect(t.connect(token, { transports: [transport], extraHeaders: { origin: 'https://evil.test' } })).rejects.toThrow();
    const ok = await t.connect(token, { transports: [transport], extraHeaders: { origin: 'http://allowed.test' } });
    expect(ok.connected).toBe(true);
  });

  it('answers CORS for allowed origins only', async () => {
    const pre = await fetch(`${t.url}/api/support_chat`, {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://allowed.test');
    const evil = await fetch(`${t.url}/api/support_chat`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a handshake without a token', async () => {
    const socket = io(`${t.url}/support`, { transports: ['websocket'], reconnection: false, forceNew: true });
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(err.message).toBe('unauthorized');
    socket.close();
  });
});
