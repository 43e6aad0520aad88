import { Client } from 'pg';
import type { ChatEvent } from '../src/common/chat-events';
import { ChatEvents } from '../src/common/chat-events';
import { UserDataRegistry } from '../src/common/user-data';
import type { RatingCreatedEvent, RatingRequestedEvent, SupportMessage, SupportRating } from '../src/contracts/wire';
import { addAgent } from './support/agents';
import { emitAck, nextEvent, PG, record, startTestApp, type TestApp, type TestSocket } from './support/test-app';

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

describe('ratings (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let agent: { id: string; token: string };
  const published: ChatEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    agent = await addAgent(t, admin, 'Rita');
    t.app.get(ChatEvents).events$.subscribe((e) => published.push(e));
  });
  afterAll(() => t.close());

  /** A user with a chat and a socket in its room. */
  async function userInChat(sub = `rater-${Math.random().toString(36).slice(2)}`) {
    const token = t.userToken({ sub });
    const sent = await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content: 'my order is late' } });
    const chatId = sent.body.chat_id;
    const socket = await t.connect(token);
    expect(await emitAck(socket, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    return { token, chatId, socket, sub };
  }
  const archive = (chatId: string) => t.http(`/api/admin/chats/${chatId}/archive`, { method: 'POST', token: agent.token });
  const rate = <T = SupportRating>(token: string, body: unknown) => t.http<T>('/api/support_chat/rating', { method: 'POST', token, body });
  const status = async (token: string) => (await t.http('/api/support_chat/rating', { token })).body as { chat_id: string; requested: boolean };

  it('asks the user once per real archive: a repeated archive click asks nothing', async () => {
    const u = await userInChat();
    const requests = record<RatingRequestedEvent>(u.socket, 'rating_requested');
    const prompt = nextEvent<RatingRequestedEvent>(u.socket, 'rating_requested');
    expect((await archive(u.chatId)).status).toBe(200);
    expect(await prompt).toEqual({ type: 'rating_requested', chat_id: u.chatId });
    expect(await status(u.token)).toEqual({ chat_id: u.chatId, requested: true });

    // A second click changes nothing. Positive control: a reply sent after it does reach the
    // socket, so had the click asked again, that request would have arrived before it.
    expect((await archive(u.chatId)).status).toBe(200);
    const marker = nextEvent(u.socket, 'new_message');
    await t.http(`/api/admin/chats/${u.chatId}/messages`, { method: 'POST', token: agent.token, body: { content: 'closing note' } });
    await marker;
    expect(requests).toHaveLength(1);
  });

  it("never sends the prompt to agents' sockets in the chat's room", async () => {
    const u = await userInChat();
    const agentSocket = await t.connect(agent.token);
    expect(await emitAck(agentSocket, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });
    const toAgent = record(agentSocket, 'rating_requested');
    const userPrompt = nextEvent(u.socket, 'rating_requested');
    await archive(u.chatId);
    await userPrompt;
    // Positive control: a message to the same room after it reaches the agent's socket, so a
    // prompt sent there would have arrived first.
    const marker = nextEvent(agentSocket, 'new_message');
    await t.http(`/api/admin/chats/${u.chatId}/messages`, { method: 'POST', token: agent.token, body: { content: 'bye' } });
    await marker;
    expect(toAgent).toHaveLength(0);
  });

  it('stores one rating per archive and tells the agents live', async () => {
    const u = await userInChat();
    const agentSocket = await t.connect(agent.token);
    expect(await emitAck(agentSocket, 'subscribe_admin', {})).toEqual({ ok: true });
    const prompt = nextEvent(u.socket, 'rating_requested');
    await archive(u.chatId);
    await prompt;

    const live = nextEvent<RatingCreatedEvent>(agentSocket, 'rating_created', (e) => e.chat_id === u.chatId);
    const before = published.length;
    const res = await rate(u.token, { score: 4, comment: '  quick and kind <b>thanks</b>  ' });
    expect(res.status).toBe(201);
    const rating = res.body as SupportRating;
    expect(rating).toEqual({
      id: expect.any(String),
      chat_id: u.chatId,
      score: 4,
      comment: 'quick and kind <b>thanks</b>',
      archived_at: expect.any(String),
      created_at: expect.any(String),
    });
    expect((await live).rating).toEqual({ id: rating.id, score: 4, comment: 'quick and kind <b>thanks</b>', created_at: rating.created_at });
    expect(published.slice(before)).toContainEqual({
      kind: 'rating_created',
      chatId: u.chatId,
      rating: { id: rating.id, score: 4, comment: 'quick and kind <b>thanks</b>', created_at: rating.created_at },
    });
    expect(await status(u.token)).toEqual({ chat_id: u.chatId, requested: false });

    const again = await rate<ErrorBody>(u.token, { score: 5 });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('This conversation is already rated');

    const listed = await t.http(`/api/admin/chats/${u.chatId}/ratings`, { token: agent.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([rating]);
    // Users cannot read the agents' view.
    expect((await t.http(`/api/admin/chats/${u.chatId}/ratings`, { token: u.token })).status).toBe(403);
  });

  it('refuses bad scores and comments with 400, never a 500', async () => {
    const u = await userInChat();
    await archive(u.chatId);
    const cases: [unknown, string][] = [
      [{ score: 0 }, 'score must be a whole number from 1 to 5'],
      [{ score: 6 }, 'score must be a whole number from 1 to 5'],
      [{ score: 3.5 }, 'score must be a whole number from 1 to 5'],
      [{ score: '4' }, 'score must be a whole number from 1 to 5'],
      [{}, 'score must be a whole number from 1 to 5'],
      [{ score: 3, comment: 'x'.repeat(1001) }, 'comment must be text of at most 1000 characters'],
      [{ score: 3, comment: 42 }, 'comment must be text of at most 1000 characters'],
      [{ score: 3, stars: 3 }, 'property stars should not exist'],
    ];
    for (const [body, reason] of cases) {
      const res = await rate<ErrorBody>(u.token, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.message).toContain(reason);
      expect(res.text).not.toMatch(/stack|QueryFailed|at \w+ \(/);
    }
    // Still rateable after the refusals; a blank comment is no comment.
    const ok = await rate(u.token, { score: 2, comment: '   ' });
    expect(ok.status).toBe(201);
    expect(ok.body.comment).toBeNull();
    expect((await rate(u.token, { score: 3, comment: 'y'.repeat(1000) })).status).toBe(409);
  });

  it('refuses a chat that was never archived, one with no chat, and an agent token', async () => {
    const u = await userInChat();
    const never = await rate<ErrorBody>(u.token, { score: 5 });
    expect(never.status).toBe(409);
    expect(never.body.message).toMatch(/not archived/);
    const stranger = await rate<ErrorBody>(t.userToken(), { score: 5 });
    expect(stranger.status).toBe(409);
    expect(stranger.body.message).toMatch(/no conversation to rate/);
    expect(await status(t.userToken())).toEqual({ chat_id: null, requested: false });
    expect((await rate(agent.token, { score: 5 })).status).toBe(403);
  });

  it('a user message reopens the chat (no rating then); the next archive may be rated again', async () => {
    const u = await userInChat();
    await archive(u.chatId);
    expect((await rate(u.token, { score: 1 })).status).toBe(201);

    const reopen = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'one more thing' } });
    expect(reopen.status).toBe(201);
    expect(await status(u.token)).toEqual({ chat_id: u.chatId, requested: false });
    const whileOpen = await rate<ErrorBody>(u.token, { score: 5 });
    expect(whileOpen.status).toBe(409);
    expect(whileOpen.body.message).toMatch(/not archived/);

    const prompt = nextEvent(u.socket, 'rating_requested');
    await archive(u.chatId);
    await prompt;
    expect(await status(u.token)).toEqual({ chat_id: u.chatId, requested: true });
    expect((await rate(u.token, { score: 5 })).status).toBe(201);
    const listed = (await t.http(`/api/admin/chats/${u.chatId}/ratings`, { token: agent.token })).body as SupportRating[];
    expect(listed.map((r) => r.score)).toEqual([1, 5]);
    expect(new Set(listed.map((r) => r.archived_at)).size).toBe(2);
  });

  it('logs each archive with its opening and reopening, and whose conversation it was', async () => {
    const u = await userInChat();
    await archive(u.chatId);
    await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'back again' } });
    const pg = new Client({ connectionString: `${PG}/${t.database}` });
    await pg.connect();
    try {
      // The archiving agent is noted just after the archive's commit: wait for it.
      let rows: { agent_id: string | null; opened_at: Date; reopened_at: Date | null; archived_at: Date }[] = [];
      for (let i = 0; i < 50 && !rows[0]?.agent_id; i++) {
        ({ rows } = await pg.query(`SELECT agent_id, opened_at, reopened_at, archived_at FROM support_chat_archives WHERE chat_id = $1`, [u.chatId]));
        if (!rows[0]?.agent_id) await new Promise((r) => setImmediate(r));
      }
      const { rows: msgs } = await pg.query(`SELECT created_at FROM support_messages WHERE chat_id = $1 AND sender_type = 'user' ORDER BY created_at`, [u.chatId]);
      expect(rows).toHaveLength(1);
      expect(rows[0].agent_id).toBe(agent.id);
      expect(rows[0].opened_at).toEqual(msgs[0].created_at);
      expect(rows[0].reopened_at).toEqual(msgs[1].created_at);
    } finally {
      await pg.end();
    }
  });

  it('exports and erases a user\'s ratings through the registry; erasing twice is fine', async () => {
    const u = await userInChat();
    await archive(u.chatId);
    await rate(u.token, { score: 3, comment: 'ok' });
    const part = t.app.get(UserDataRegistry).list().find((p) => p.name === 'ratings');
    expect(part).toBeDefined();
    const subject = { userId: 'unused', externalId: u.sub, email: `${u.sub}@example.com`, chatId: u.chatId };
    const exported: unknown[] = [];
    for await (const row of part!.export!(subject)) exported.push(row);
    expect(exported).toEqual([expect.objectContaining({ chat_id: u.chatId, score: 3, comment: 'ok' })]);
    await part!.erase!(subject);
    await part!.erase!(subject);
    expect((await t.http(`/api/admin/chats/${u.chatId}/ratings`, { token: agent.token })).body).toEqual([]);
    const none: unknown[] = [];
    for await (const row of part!.export!({ ...subject, chatId: null })) none.push(row);
    expect(none).toEqual([]);
  });
});
