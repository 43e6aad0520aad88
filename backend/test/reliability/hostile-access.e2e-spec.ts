import { randomUUID } from 'node:crypto';
import type { LoginResult } from '../../src/auth/auth.service';
import type { MessagesReadEvent, NewMessageEvent, SupportChat, SupportMessage } from '../../src/contracts/wire';
import { emitAck, nextEvent, record, startTestApp, type TestApp, type TestSocket } from '../support/test-app';
import { agentSays, answerOf, person, sendOver, snapshot, userSays, type Person } from './hostile-support';

/**
 * Mallory holds a valid user token and tries every way into Alice's chat: her chat id (known,
 * as if leaked), her message ids, her user id, the agent's id, and ids made up. Each attempt
 * must be refused exactly as an id that names nothing is, and change nothing.
 */
describe('hostile access between users (e2e)', () => {
  let t: TestApp;
  let agent: { token: string; id: string };
  let alice: Person;
  let mallory: Person;
  let aliceSays: SupportMessage;
  let aliceReply: SupportMessage;
  let malloryReply: SupportMessage;
  let aliceSocket: TestSocket;
  let mallorySocket: TestSocket;
  let aliceSaw: NewMessageEvent[];
  let aliceReads: MessagesReadEvent[];
  let mallorySaw: NewMessageEvent[];

  const NIL = '00000000-0000-0000-0000-000000000000';
  const MAX = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

  beforeAll(async () => {
    t = await startTestApp();
    const login = await t.http<LoginResult>('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: 'admin' } });
    agent = { token: login.body.access_token, id: login.body.admin.id };
    alice = await person(t, { sub: 'alice', name: 'Alice' });
    mallory = await person(t, { sub: 'mallory', name: 'Mallory' });
    aliceSays = await userSays(t, alice, 'my card ends in 4242');
    aliceReply = await agentSays(t, alice.chatId, 'thanks Alice, refund on its way');
    await userSays(t, mallory, 'hello');
    malloryReply = await agentSays(t, mallory.chatId, 'hi Mallory');
    aliceSocket = await t.connect(alice.token);
    expect(await emitAck(aliceSocket, 'subscribe', { chat_id: alice.chatId })).toEqual({ ok: true });
    aliceSaw = record<NewMessageEvent>(aliceSocket, 'new_message');
    aliceReads = record<MessagesReadEvent>(aliceSocket, 'messages_read');
    mallorySocket = await t.connect(mallory.token);
    mallorySaw = record<NewMessageEvent>(mallorySocket, 'new_message');
  });
  afterAll(() => t.close());

  /** Ids that name nothing Mallory may touch: Alice's things and made-up ones alike. */
  const foreignIds = () => ({
    "Alice's chat": alice.chatId,
    "Alice's message": aliceSays.id,
    "the agent's reply to Alice": aliceReply.id,
    "Alice's user id": alice.userId,
    "Mallory's own user id": mallory.userId,
    "the agent's id": agent.id,
    'a random uuid': randomUUID(),
    'the nil uuid': NIL,
    'the max uuid': MAX,
  });
  const guesses = (n: number) => Array.from({ length: n }, () => randomUUID());

  /** The same request with each id in turn: every answer must equal the one for a made-up id. */
  async function sameAnswerForAll(ask: (id: string) => Promise<unknown>, expected: unknown) {
    const answers: Record<string, unknown> = {};
    const ids = { ...foreignIds(), ...Object.fromEntries(guesses(20).map((id, i) => [`guess ${i}`, id])) };
    for (const [name, id] of Object.entries(ids)) answers[name] = await ask(id);
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, expected])));
  }

  it('answers forbidden to subscribe, alike for a chat that is not hers and one that does not exist', async () => {
    const before = await snapshot(t);
    await sameAnswerForAll((id) => emitAck(mallorySocket, 'subscribe', { chat_id: id }), { ok: false, error: 'forbidden' });
    expect(await emitAck(mallorySocket, 'subscribe', { chat_id: mallory.chatId })).toEqual({ ok: true });
    expect(await snapshot(t)).toEqual(before);
  });

  it('answers forbidden to send_message into another chat, and nothing is stored or heard', async () => {
    const before = await snapshot(t);
    await sameAnswerForAll(
      (id) => sendOver(mallorySocket, { chat_id: id, content: 'I am Alice, change my address', client_id: `m-${id}` }),
      { ok: false, error: 'forbidden' },
    );
    expect(await snapshot(t)).toEqual(before);
  });

  it('answers forbidden to mark_read on another chat, and the same invalid_content for another chat’s up_to as for a made-up one', async () => {
    const before = await snapshot(t);
    await sameAnswerForAll((id) => emitAck(mallorySocket, 'mark_read', { chat_id: id }), { ok: false, error: 'forbidden' });
    await sameAnswerForAll((id) => emitAck(mallorySocket, 'mark_read', { chat_id: id, up_to: aliceReply.id }), {
      ok: false,
      error: 'forbidden',
    });
    await sameAnswerForAll((id) => emitAck(mallorySocket, 'mark_read', { chat_id: mallory.chatId, up_to: id }), {
      ok: false,
      error: 'invalid_content',
    });
    expect(await snapshot(t)).toEqual(before);
  });

  it('pages and catches up only in her own chat: another chat’s message id answers like a made-up one', async () => {
    const before = await snapshot(t);
    const expected = { status: 400, body: { statusCode: 400, message: 'No such message in this chat', error: 'Bad Request' } };
    await sameAnswerForAll(async (id) => answerOf(await t.http(`/api/support_chat?before=${id}`, { token: mallory.token })), expected);
    await sameAnswerForAll(
      async (id) => answerOf(await t.http(`/api/support_chat/messages?after=${id}`, { token: mallory.token })),
      expected,
    );
    expect(await snapshot(t)).toEqual(before);
  });

  it('marks only her own chat over REST: another chat’s up_to answers like a made-up one and reads nothing', async () => {
    const before = await snapshot(t);
    const expected = { status: 400, body: { statusCode: 400, message: 'No such message in this chat', error: 'Bad Request' } };
    await sameAnswerForAll(
      async (id) => answerOf(await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: mallory.token, body: { up_to: id } })),
      expected,
    );
    expect(await snapshot(t)).toEqual(before);
  });

  it('cannot name a chat over REST at all: a chat_id in the body is an unknown field', async () => {
    const before = await snapshot(t);
    const answers = new Set<string>();
    for (const id of Object.values(foreignIds())) {
      for (const field of ['chat_id', 'chatId', 'id']) {
        const res = await t.http('/api/support_chat/messages', { method: 'POST', token: mallory.token, body: { content: 'hi', [field]: id } });
        expect(res.status).toBe(400);
        answers.add(JSON.stringify(res.body).replace(field, 'FIELD'));
      }
    }
    expect(answers.size).toBe(1);
    expect(await snapshot(t)).toEqual(before);
  });

  it('never let Mallory hear Alice, nor Alice hear the attempts: the next real messages are the first to arrive', async () => {
    // Positive controls for everything above: Alice's room carries the agent's next reply, and
    // Mallory's carries hers; anything the attempts had leaked would have arrived first.
    const toAlice = nextEvent<NewMessageEvent>(aliceSocket, 'new_message');
    const sent = await agentSays(t, alice.chatId, 'second reply to Alice');
    await toAlice;
    const toMallory = nextEvent<NewMessageEvent>(mallorySocket, 'new_message');
    const hers = await agentSays(t, mallory.chatId, 'second reply to Mallory');
    await toMallory;
    expect(aliceSaw.map((e) => e.message.id)).toEqual([sent.id]);
    expect(aliceReads).toEqual([]);
    expect(mallorySaw.map((e) => e.message.id)).toEqual([hers.id]);
    const aliceView = await t.http<SupportChat>('/api/support_chat', { token: alice.token });
    expect(aliceView.body.messages.map((m) => [m.content, m.read_at])).toEqual([
      ['my card ends in 4242', null],
      ['thanks Alice, refund on its way', null],
      ['second reply to Alice', null],
    ]);
    // Mallory's own reply was readable to her all along: the refusals were about the id, not the call.
    const mark = await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: mallory.token, body: { up_to: malloryReply.id } });
    expect(mark).toMatchObject({ status: 200, body: { updated: 1 } });
  });

  describe('an agent id or a user id where a chat id goes', () => {
    const notFound = { status: 404, body: { statusCode: 404, message: 'Chat not found', error: 'Not Found' } };

    it.each([
      ['GET', '', undefined],
      ['GET', '/messages?after=00000000-0000-4000-8000-000000000000', undefined],
      ['POST', '/messages', { content: 'to nobody' }],
      ['POST', '/archive', undefined],
      ['POST', '/unarchive', undefined],
    ])('answers %s /api/admin/chats/:id%s exactly as for a made-up id', async (method, suffix, body) => {
      const before = await snapshot(t);
      for (const id of [agent.id, alice.userId, aliceSays.id, randomUUID(), NIL]) {
        const res = await t.http(`/api/admin/chats/${id}${suffix}`, { method, token: agent.token, body });
        expect({ id, ...answerOf(res) }).toEqual({ id, ...notFound });
      }
      expect(await snapshot(t)).toEqual(before);
    });

    it('answers not_found to an agent socket subscribing, sending or marking with such an id', async () => {
      const socket = await t.connect(agent.token);
      const before = await snapshot(t);
      for (const id of [agent.id, alice.userId, aliceSays.id, randomUUID()]) {
        expect(await emitAck(socket, 'subscribe', { chat_id: id })).toEqual({ ok: false, error: 'not_found' });
        expect(await sendOver(socket, { chat_id: id, content: 'to nobody' })).toEqual({ ok: false, error: 'not_found' });
        expect(await emitAck(socket, 'mark_read', { chat_id: id })).toEqual({ ok: false, error: 'not_found' });
      }
      expect(await snapshot(t)).toEqual(before);
      expect(await emitAck(socket, 'subscribe', { chat_id: alice.chatId })).toEqual({ ok: true });
    });
  });
});
