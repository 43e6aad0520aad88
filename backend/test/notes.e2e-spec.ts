import type {
  AdminSupportChat,
  AgentSupportMessage,
  ChatUpdatedEvent,
  NewMessageEvent,
  SupportChat,
  SupportChatPage,
  SupportMessage,
  TypingEvent,
} from '../src/contracts/wire';
import { ReplyNotifier } from '../src/notifications/reply-notifier.service';
import { addAgent } from './support/agents';
import { waitFor } from './support/instances';
import { TestSmtp } from './support/smtp';
import { emitAck, nextEvent, startTestApp, type TestApp, type TestSocket } from './support/test-app';

/** Every frame a socket receives from now on, whatever its event (availability aside: it is about the team, not the chat). */
function frames(socket: TestSocket): { event: string; payload: unknown }[] {
  const seen: { event: string; payload: unknown }[] = [];
  socket.onAny((event: string, payload: unknown) => {
    if (event !== 'availability') seen.push({ event, payload });
  });
  return seen;
}

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

describe('internal notes (e2e)', () => {
  const smtp = new TestSmtp();
  let t: TestApp;
  let admin: string;
  let ana: { id: string; token: string };
  beforeAll(async () => {
    t = await startTestApp({ SMTP_URL: await smtp.start(), NOTIFY_DELAY_MS: '300', NOTIFY_SWEEP_INTERVAL_MS: '200' });
    admin = await t.adminToken();
    ana = await addAgent(t, admin, 'Ana');
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  async function newUser() {
    const sub = `note-${Math.random().toString(36).slice(2)}`;
    const email = `${sub}@example.com`;
    const token = t.userToken({ sub, email, name: 'Cleo' });
    const first = (await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: 'my order is late' } })).body as SupportMessage;
    return { token, email, chatId: first.chat_id, first };
  }
  const post = (chatId: string, body: unknown, token = ana.token) =>
    t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token, body });
  const note = async (chatId: string, content: string) => (await post(chatId, { content, private: true })).body as AgentSupportMessage;
  const reply = async (chatId: string, content: string) => (await post(chatId, { content })).body as AgentSupportMessage;
  const item = async (chatId: string, archived = false) =>
    (await t.http<SupportChatPage>(`/api/admin/chats?archived=${archived}&limit=200`, { token: ana.token })).body.items.find((c) => c.id === chatId);

  it("reaches the chat's agents live and never the user's socket, which still hears the next reply", async () => {
    const u = await newUser();
    const user = await t.connect(u.token);
    expect(await emitAck(user, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });
    const agent = await t.connect(ana.token);
    expect(await emitAck(agent, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });
    const heard = frames(user);

    const live = nextEvent<NewMessageEvent>(agent, 'new_message', (e) => e.message.content === 'refund approved by finance');
    const ack = await emitAck<{ message: AgentSupportMessage }>(agent, 'send_message', {
      chat_id: u.chatId,
      content: 'refund approved by finance',
      client_id: 'note-1',
      private: true,
    });
    expect(ack.ok && ack.message).toMatchObject({ private: true, sender_type: 'admin', sender_name: 'Ana', admin_id: ana.id });
    expect((await live).message.private).toBe(true);

    // The positive control: a reply after the note reaches the user, and it is all the user got.
    const control = nextEvent<NewMessageEvent>(user, 'new_message', (e) => e.message.content === 'we are on it');
    await emitAck(agent, 'send_message', { chat_id: u.chatId, content: 'we are on it', client_id: 'reply-1' });
    await control;
    expect(heard.map((f) => f.event)).toEqual(['new_message']);
    expect(JSON.stringify(heard)).not.toContain('finance');
  });

  it('is left out of every REST read a user can make: history, paging, catch-up and read receipts', async () => {
    const u = await newUser();
    const n = await note(u.chatId, 'customer seems upset, be gentle');
    expect(n).toMatchObject({ private: true, content: 'customer seems upset, be gentle' });
    const r = await reply(u.chatId, 'sorry about that');

    const history = (await t.http<SupportChat>('/api/support_chat', { token: u.token })).body;
    expect(history.messages.map((m) => m.id)).toEqual([u.first.id, r.id]);
    expect(history.messages.every((m: object) => !('private' in m) && !('admin_id' in m))).toBe(true);
    const after = (await t.http<SupportMessage[]>(`/api/support_chat/messages?after=${u.first.id}`, { token: u.token })).body;
    expect(after.map((m) => m.id)).toEqual([r.id]);
    const older = (await t.http<SupportChat>(`/api/support_chat?before=${r.id}`, { token: u.token })).body;
    expect(older.messages.map((m) => m.id)).toEqual([u.first.id]);
    // A note's id is no anchor for a user: to them it does not exist.
    for (const path of [`/api/support_chat/messages?after=${n.id}`, `/api/support_chat?before=${n.id}`]) {
      expect((await t.http(path, { token: u.token })).status).toBe(400);
    }
    expect((await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: u.token, body: { up_to: n.id } })).status).toBe(400);

    // Reading marks the reply, never the note.
    const read = await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: u.token, body: {} });
    expect(read.body).toEqual({ updated: 1 });
    const asAgent = (await t.http(`/api/admin/chats/${u.chatId}?view=false`, { token: ana.token })).body as AdminSupportChat;
    expect(asAgent.messages.map((m) => [m.content, m.private, m.read_at === null])).toEqual([
      ['my order is late', false, true],
      ['customer seems upset, be gentle', true, true],
      ['sorry about that', false, false],
    ]);
    // Agents catch up on notes too, in order.
    const agentAfter = (await t.http<AgentSupportMessage[]>(`/api/admin/chats/${u.chatId}/messages?after=${u.first.id}`, { token: ana.token })).body;
    expect(agentAfter.map((m) => m.id)).toEqual([n.id, r.id]);
  });

  it("moves neither the chat's last message nor its archive, and counts for agents without making it unread", async () => {
    const u = await newUser();
    const console = await t.connect(ana.token);
    expect(await emitAck(console, 'subscribe_admin', {})).toEqual({ ok: true });
    const before = (await item(u.chatId))!;
    expect(before.unread).toBe(true);

    const updated = nextEvent<ChatUpdatedEvent>(console, 'chat_updated', (e) => e.chat.id === u.chatId && e.chat.message_count === 2);
    await note(u.chatId, 'internal: checking the warehouse');
    const live = (await updated).chat;
    expect(live).toMatchObject({
      last_message_at: before.last_message_at,
      last_message_preview: 'my order is late',
      last_message_sender: 'user',
      message_count: 2,
    });
    expect(await item(u.chatId)).toMatchObject({ last_message_at: before.last_message_at, last_message_preview: 'my order is late' });

    // On an archived chat, a note keeps it archived (a user's message would bring it back).
    await t.http(`/api/admin/chats/${u.chatId}/archive`, { method: 'POST', token: ana.token });
    await note(u.chatId, 'closing remark');
    expect((await item(u.chatId, true))?.archived).toBe(true);
    expect(await item(u.chatId, false)).toBeUndefined();
  });

  it('is never emailed: a note alone schedules nothing, and a later reply is emailed without it', async () => {
    const u = await newUser();
    await note(u.chatId, 'secret: VIP discount code 1234');
    const notifier = t.app.get(ReplyNotifier);
    expect(await notifier.firstUncovered(u.chatId)).toBeNull();
    expect((await notifier.dueChats()).some((d) => d.chatId === u.chatId)).toBe(false);

    await reply(u.chatId, 'your parcel left today');
    await waitFor('the unread-reply email', () => smtp.to(u.email).length > 0);
    const mail = smtp.to(u.email)[0];
    expect(mail.text).toContain('your parcel left today');
    expect(`${mail.text} ${mail.html}`).not.toContain('VIP discount');
  });

  it('is refused from a user, on both transports, and a malformed flag is a 400', async () => {
    const u = await newUser();
    const rest = await t.http<ErrorBody>('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'sneaky', private: true } });
    expect(rest.status).toBe(403);
    expect(rest.body.message).toBe('Only agents write internal notes');
    const socket = await t.connect(u.token);
    expect(await emitAck(socket, 'send_message', { chat_id: u.chatId, content: 'sneaky', private: true })).toEqual({ ok: false, error: 'forbidden' });
    expect((await post(u.chatId, { content: 'x', private: 'yes' })).status).toBe(400);
    expect(await emitAck(socket, 'send_message', { chat_id: u.chatId, content: 'x', private: 1 })).toEqual({ ok: false, error: 'invalid_content' });
    const history = (await t.http<SupportChat>('/api/support_chat', { token: u.token })).body;
    expect(history.messages.map((m) => m.content)).toEqual(['my order is late']);
    // A user resending under a note's client_id does not get the note back.
    const socketAgent = await t.connect(ana.token);
    await emitAck(socketAgent, 'send_message', { chat_id: u.chatId, content: 'hidden words', client_id: 'shared-id', private: true });
    const clash = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'hi', client_id: 'shared-id' } });
    expect(clash.status).toBe(400);
    expect(clash.text).not.toContain('hidden words');
  });

  it("relays a note's typing to the chat's other agents only; the same agent's reply typing reaches the user", async () => {
    const u = await newUser();
    const user = await t.connect(u.token);
    expect(await emitAck(user, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });
    const writer = await t.connect(ana.token);
    const colleague = await t.connect(admin);
    for (const s of [writer, colleague]) expect(await emitAck(s, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });
    const heard = frames(user);

    const seen = nextEvent<TypingEvent>(colleague, 'typing', (e) => e.chat_id === u.chatId && e.private === true);
    expect(await emitAck(writer, 'typing', { chat_id: u.chatId, typing: true, private: true })).toEqual({ ok: true });
    expect(await seen).toEqual({ type: 'typing', chat_id: u.chatId, sender_type: 'admin', sender_name: 'Ana', typing: true, private: true });

    const control = nextEvent<TypingEvent>(user, 'typing', (e) => e.chat_id === u.chatId && e.typing);
    expect(await emitAck(writer, 'typing', { chat_id: u.chatId, typing: true })).toEqual({ ok: true });
    expect(await control).not.toHaveProperty('private');
    expect(heard.map((f) => f.event)).toEqual(['typing']);

    // A user cannot claim a note's typing.
    expect(await emitAck(user, 'typing', { chat_id: u.chatId, typing: true, private: true })).toEqual({ ok: false, error: 'forbidden' });
  });
});
