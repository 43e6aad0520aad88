import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { NewMessageEvent, SupportChat, TypingEvent } from '../src/contracts/wire';
import { emitAck, nextEvent, record, startTestApp, type TestApp, type TestSocket } from './support/test-app';

/** "Is typing", both ways: relayed to the other side only, never stored, cleared by send and disconnect. */
describe('typing (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  async function conversation() {
    const token = t.userToken({ name: 'Lin' });
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const user = await t.connect(token);
    const agent = await t.connect(admin);
    const colleague = await t.connect(admin);
    for (const s of [user, agent, colleague]) expect(await emitAck(s, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    return { token, chatId, user, agent, colleague };
  }
  const typing = (socket: TestSocket, chat_id: string, on: boolean) => emitAck(socket, 'typing', { chat_id, typing: on });
  const typingAt = (socket: TestSocket, on: boolean) => nextEvent<TypingEvent>(socket, 'typing', (e) => e.typing === on);

  it("relays a user's typing to the agents and an agent's to the user, and to nobody else, without touching Postgres", async () => {
    const c = await conversation();
    const userTab = await t.connect(c.token);
    expect(await emitAck(userTab, 'subscribe', { chat_id: c.chatId })).toEqual({ ok: true });
    const atUserTab = record<TypingEvent>(userTab, 'typing');
    const atColleague = record<TypingEvent>(c.colleague, 'typing');
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const seen = typingAt(c.agent, true);
      expect(await typing(c.user, c.chatId, true)).toEqual({ ok: true });
      expect(await seen).toEqual({ type: 'typing', chat_id: c.chatId, sender_type: 'user', sender_name: 'Lin', typing: true });
      const reply = typingAt(c.user, true);
      expect(await typing(c.agent, c.chatId, true)).toEqual({ ok: true });
      expect(await reply).toEqual({ type: 'typing', chat_id: c.chatId, sender_type: 'admin', sender_name: 'admin', typing: true });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    // Positive control: a message relayed after the typing reaches both; no typing came before it.
    const marks = [userTab, c.colleague].map((s) => nextEvent<NewMessageEvent>(s, 'new_message', (e) => e.message.content === 'marker'));
    await t.http(`/api/admin/chats/${c.chatId}/messages`, { method: 'POST', token: admin, body: { content: 'marker' } });
    await Promise.all(marks);
    expect(atUserTab.filter((e) => e.sender_type === 'user')).toEqual([]);
    expect(atColleague.filter((e) => e.sender_type === 'admin')).toEqual([]);
    expect(atColleague.filter((e) => e.sender_type === 'user')).toHaveLength(1);
  });

  it("relays a user's typing to the agents' room too, for the list's cards, and never to other users", async () => {
    const c = await conversation();
    const list = await t.connect(admin);
    expect(await emitAck(list, 'subscribe_admin', {})).toEqual({ ok: true });
    // In both rooms: hears each typing once.
    expect(await emitAck(c.agent, 'subscribe_admin', {})).toEqual({ ok: true });
    const atAgent = record<TypingEvent>(c.agent, 'typing');
    const other = await conversation();
    const atOtherUser = record<TypingEvent>(other.user, 'typing');
    const seen = typingAt(list, true);
    expect(await typing(c.user, c.chatId, true)).toEqual({ ok: true });
    expect(await seen).toEqual({ type: 'typing', chat_id: c.chatId, sender_type: 'user', sender_name: 'Lin', typing: true });
    const stopped = typingAt(list, false);
    await typing(c.user, c.chatId, false);
    await stopped;
    // An agent's typing stays in the chat: the list's console hears none of it.
    const atList = record<TypingEvent>(list, 'typing');
    const reply = typingAt(c.user, true);
    await typing(c.agent, c.chatId, true);
    await reply;
    // Positive control: a message to the agents' room after the agent's typing arrives; no typing came before it.
    const marker = nextEvent<NewMessageEvent>(c.agent, 'new_message', (e) => e.message.content === 'marker');
    await t.http(`/api/admin/chats/${c.chatId}/messages`, { method: 'POST', token: admin, body: { content: 'marker' } });
    await marker;
    expect(atList).toEqual([]);
    expect(atAgent.map((e) => e.typing)).toEqual([true, false]);
    expect(atOtherUser).toEqual([]);
  });

  it('relays "still typing" at most every 2 s, and a stop at once', async () => {
    const c = await conversation();
    const seen = record<TypingEvent>(c.agent, 'typing');
    for (let i = 0; i < 5; i++) expect(await typing(c.user, c.chatId, true)).toEqual({ ok: true });
    const stop = typingAt(c.agent, false);
    await typing(c.user, c.chatId, false);
    await stop;
    expect(seen.map((e) => e.typing)).toEqual([true, false]);
  });

  it('clears at once when the typist sends, and when they disconnect', async () => {
    const c = await conversation();
    const started = typingAt(c.agent, true);
    await typing(c.user, c.chatId, true);
    await started;
    const order: string[] = [];
    c.agent.on('typing', (e) => order.push(`typing:${e.typing}`));
    c.agent.on('new_message', (e) => order.push(`message:${e.message.content}`));
    const arrived = nextEvent<NewMessageEvent>(c.agent, 'new_message');
    await emitAck(c.user, 'send_message', { chat_id: c.chatId, content: 'done typing', client_id: 'typed-1' });
    await arrived;
    expect(order).toEqual(['typing:false', 'message:done typing']);

    const agentTyping = typingAt(c.user, true);
    await typing(c.agent, c.chatId, true);
    await agentTyping;
    const gone = typingAt(c.user, false);
    c.agent.disconnect();
    expect(await gone).toMatchObject({ sender_type: 'admin', typing: false });
  });

  it('answers forbidden for a chat one may not see, and relays nothing', async () => {
    const c = await conversation();
    const other = await conversation();
    const leaked = record<TypingEvent>(other.agent, 'typing');
    expect(await typing(c.user, other.chatId, true)).toEqual({ ok: false, error: 'forbidden' });
    expect(await typing(c.user, randomUUID(), true)).toEqual({ ok: false, error: 'forbidden' });
    const stranger = await t.connect(admin);
    expect(await typing(stranger, other.chatId, true)).toEqual({ ok: false, error: 'forbidden' });
    expect(await emitAck(c.user, 'typing', { chat_id: c.chatId, typing: 'yes' })).toEqual({ ok: false, error: 'invalid_content' });
    // Positive control: the other user's own typing does reach their agent.
    const own = typingAt(other.agent, true);
    await typing(other.user, other.chatId, true);
    await own;
    expect(leaked.map((e) => e.sender_name)).toEqual(['Lin']);
    expect(leaked).toHaveLength(1);
  });
});
