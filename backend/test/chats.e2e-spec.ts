import type { OpenAPIObject } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import type { AdminSupportChat, AgentSupportMessage, SupportChat, SupportChatListItem, SupportChatPage, SupportMessage } from '../src/contracts/wire';
import { startTestApp, type TestApp } from './support/test-app';

describe('chats and messages over REST (e2e)', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  async function newUser(name?: string) {
    const token = t.userToken(name ? { name } : {});
    const chat = (await t.http<SupportChat>('/api/support_chat', { token })).body;
    const send = async (content: string, client_id?: string) =>
      (await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token, body: { content, client_id } })).body;
    return { token, chatId: chat.id, send };
  }
  const reply = async (chatId: string, content: string) =>
    (await t.http<AgentSupportMessage>(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: admin, body: { content } })).body;
  const item = async (chatId: string, archived = false) =>
    (await t.http<SupportChatPage>(`/api/admin/chats?archived=${archived}&limit=200`, { token: admin })).body.items.find(
      (c): boolean => c.id === chatId,
    );

  it('creates exactly one chat when two tabs open it at once', async () => {
    const token = t.userToken();
    const results = await Promise.all(Array.from({ length: 8 }, () => t.http<SupportChat>('/api/support_chat', { token })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  });

  it('stores a trimmed message, stamps last_message_at and returns the contract shape', async () => {
    const u = await newUser();
    const res = await t.http<SupportMessage>('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: '  hello  ' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      chat_id: u.chatId,
      content: 'hello',
      sender_type: 'user',
      read_at: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      client_id: null,
      sender_name: null,
    });
    expect((await item(u.chatId))?.last_message_at).toBe(res.body.created_at);
  });

  it('stores nothing new when a message is resent with the same client_id', async () => {
    const u = await newUser();
    const first = await u.send('once', 'c-1');
    const [again, third] = await Promise.all([u.send('once', 'c-1'), u.send('once', 'c-1')]);
    expect(again.id).toBe(first.id);
    expect(third.id).toBe(first.id);
    const chat = (await t.http<SupportChat>('/api/support_chat', { token: u.token })).body;
    expect(chat.messages).toHaveLength(1);
    expect(chat.messages[0].client_id).toBe('c-1');
  });

  it('pages back with before= and catches up with after=, in order, without gaps or repeats', async () => {
    const u = await newUser();
    const sent: SupportMessage[] = [];
    for (let i = 0; i < 7; i++) sent.push(i % 2 ? await reply(u.chatId, `a${i}`) : await u.send(`u${i}`));
    const newest = (await t.http<SupportChat>('/api/support_chat?limit=3', { token: u.token })).body;
    expect(newest.messages.map((m) => m.id)).toEqual(sent.slice(4).map((m) => m.id));
    expect(newest.has_more).toBe(true);
    const older = (await t.http<SupportChat>(`/api/support_chat?limit=10&before=${sent[4].id}`, { token: u.token })).body;
    expect(older.messages.map((m) => m.id)).toEqual(sent.slice(0, 4).map((m) => m.id));
    expect(older.has_more).toBe(false);
    const after = (await t.http<SupportMessage[]>(`/api/support_chat/messages?after=${sent[2].id}`, { token: u.token })).body;
    expect(after.map((m) => m.content)).toEqual(['a3', 'u4', 'a5', 'u6']);
    const agentAfter = (await t.http<AgentSupportMessage[]>(`/api/admin/chats/${u.chatId}/messages?after=${sent[5].id}`, { token: admin })).body;
    expect(agentAfter.map((m) => m.id)).toEqual([sent[6].id]);
  });

  it('orders concurrent messages strictly, so after= never skips one', async () => {
    const u = await newUser();
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? reply(u.chatId, `a${i}`) : u.send(`u${i}`))));
    const stamps = sent.map((m) => m.created_at).sort();
    expect(new Set(stamps).size).toBe(20);
    const all = (await t.http<SupportChat>('/api/support_chat?limit=200', { token: u.token })).body.messages;
    for (let i = 1; i < all.length; i++) expect(all[i].created_at > all[i - 1].created_at).toBe(true);
  });

  it('archives and restores, and a user message brings an archived chat back', async () => {
    const u = await newUser();
    await u.send('help');
    const archived = await t.http(`/api/admin/chats/${u.chatId}/archive`, { method: 'POST', token: admin });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ id: u.chatId, archived: true, message_count: 1 });
    expect(await item(u.chatId)).toBeUndefined();
    expect(await item(u.chatId, true)).toMatchObject({ archived: true });
    const restored = await t.http<SupportChatListItem>(`/api/admin/chats/${u.chatId}/unarchive`, { method: 'POST', token: admin });
    expect(restored.body.archived).toBe(false);
    await t.http(`/api/admin/chats/${u.chatId}/archive`, { method: 'POST', token: admin });
    await u.send('still there?');
    expect(await item(u.chatId)).toMatchObject({ archived: false, message_count: 2, last_message_preview: 'still there?' });
    // An agent reply does not unarchive.
    await t.http(`/api/admin/chats/${u.chatId}/archive`, { method: 'POST', token: admin });
    await reply(u.chatId, 'closing this');
    expect(await item(u.chatId, true)).toMatchObject({ archived: true, last_message_sender: 'admin' });
  });

  it('keeps unread for agents until one opens the chat, and marks the user messages read', async () => {
    const u = await newUser('Grace');
    const m = await u.send('first');
    expect(await item(u.chatId)).toMatchObject({ unread: true, user_name: 'Grace', last_message_sender: 'user' });
    const opened = await t.http<AdminSupportChat>(`/api/admin/chats/${u.chatId}`, { token: admin });
    expect(opened.body).toMatchObject({ id: u.chatId, user_name: 'Grace', archived: false, has_more: false });
    expect(opened.body.messages[0].id).toBe(m.id);
    expect(await item(u.chatId)).toMatchObject({ unread: false });
    const after = (await t.http<SupportMessage[]>(`/api/support_chat/messages?after=${m.id}`, { token: u.token })).body;
    expect(after).toEqual([]);
    const mine = (await t.http<SupportChat>('/api/support_chat', { token: u.token })).body.messages[0];
    expect(mine.read_at).not.toBeNull();
    await u.send('second');
    expect(await item(u.chatId)).toMatchObject({ unread: true, message_count: 2, last_message_preview: 'second' });
  });

  it('marks agent messages read, and one that arrives after the mark stays unread', async () => {
    const u = await newUser();
    const a1 = await reply(u.chatId, 'one');
    const a2 = await reply(u.chatId, 'two');
    const a3 = await reply(u.chatId, 'three');
    const res = await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: u.token, body: { up_to: a2.id } });
    expect(res).toMatchObject({ status: 200, body: { updated: 2 } });
    const msgs = (await t.http<SupportChat>('/api/support_chat', { token: u.token })).body.messages;
    expect(msgs.find((m) => m.id === a1.id)?.read_at).not.toBeNull();
    expect(msgs.find((m) => m.id === a3.id)?.read_at).toBeNull();
    expect((await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: u.token, body: {} })).body).toEqual({ updated: 1 });
    expect((await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: u.token })).body).toEqual({ updated: 0 });
  });

  it('pages the agents list by keyset with a fixed number of queries whatever the page size', async () => {
    const users = [];
    for (let i = 0; i < 6; i++) {
      const u = await newUser();
      for (let j = 0; j <= i; j++) await u.send(`m${i}-${j} ${'x'.repeat(150)}`);
      users.push(u);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: SupportChatPage } = await t.http<SupportChatPage>(`/api/admin/chats?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        token: admin,
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((c) => c.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const full = (await t.http<SupportChatPage>('/api/admin/chats?limit=200', { token: admin })).body.items;
    expect(seen).toEqual(full.map((c) => c.id));
    const newest = full[0];
    expect(newest).toMatchObject({ id: users[5].chatId, message_count: 6, last_message_sender: 'user' });
    expect((newest.last_message_preview as string).length).toBe(100);

    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    const queriesFor = async (limit: number) => {
      spy.mockClear();
      await t.http(`/api/admin/chats?limit=${limit}`, { token: admin });
      return spy.mock.calls.length;
    };
    const small = await queriesFor(1);
    const large = await queriesFor(200);
    spy.mockRestore();
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(2);
  });

  describe('bad input gets a clear 4xx and changes nothing', () => {
    it.each([
      ['empty', { content: '' }],
      ['whitespace only', { content: '  \n\t ' }],
      ['over 5000 characters', { content: 'x'.repeat(5001) }],
      ['a number', { content: 42 }],
      ['a NUL character', { content: 'a\u0000b' }],
      ['an array', { content: ['hi'] }],
      ['an unknown field', { content: 'hi', sender_type: 'admin' }],
      ['a bad client_id', { content: 'hi', client_id: 'has spaces' }],
      ['no content', {}],
    ])('refuses content that is %s', async (_name, body) => {
      const u = await newUser();
      const res = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect((await t.http<SupportChat>('/api/support_chat', { token: u.token })).body.messages).toEqual([]);
    });

    it('accepts exactly 5000 characters', async () => {
      const u = await newUser();
      expect((await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'y'.repeat(5000) } })).status).toBe(201);
    });

    it.each([
      ['/api/admin/chats/not-a-uuid', 'GET'],
      ['/api/admin/chats/1%27%20OR%201=1', 'GET'],
      ['/api/admin/chats/not-a-uuid/archive', 'POST'],
      ['/api/admin/chats?cursor=garbage', 'GET'],
      [`/api/admin/chats?cursor=${Buffer.from('{"t":"x","id":"y"}').toString('base64url')}`, 'GET'],
      ['/api/admin/chats?archived=maybe', 'GET'],
      ['/api/admin/chats?limit=0', 'GET'],
      ['/api/admin/chats?limit=abc', 'GET'],
    ])('answers 400 for %s', async (path, method) => {
      const res = await t.http(path, { method, token: admin });
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(/at \w+ \(|SELECT|QueryFailed/);
    });

    it('answers 404 for a chat that does not exist', async () => {
      const res = await t.http(`/api/admin/chats/${randomUUID()}`, { token: admin });
      expect(res).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
      expect((await t.http(`/api/admin/chats/${randomUUID()}/messages`, { method: 'POST', token: admin, body: { content: 'x' } })).status).toBe(404);
    });

    it('refuses before=/after= that are malformed or name another chat', async () => {
      const a = await newUser();
      const b = await newUser();
      const other = await b.send('private');
      for (const q of ['/api/support_chat/messages?after=nope', `/api/support_chat/messages?after=${other.id}`, `/api/support_chat?before=${other.id}`, '/api/support_chat/messages']) {
        const res = await t.http(q, { token: a.token });
        expect(res.status).toBe(400);
        expect(res.text).not.toContain('private');
      }
    });

    it('answers 400 for malformed JSON and 413 for a body over 64 KB', async () => {
      const u = await newUser();
      const bad = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: '{"content": "x"' });
      expect(bad).toMatchObject({ status: 400, body: { statusCode: 400 } });
      const big = await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'z'.repeat(70_000) } });
      expect(big).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
      expect((await t.http<SupportChat>('/api/support_chat', { token: u.token })).body.messages).toEqual([]);
    });
  });

  it('rate-limits a flooding user while another user is served', async () => {
    const limited = await startTestApp({ MESSAGE_RATE_LIMIT: '5', MESSAGE_RATE_WINDOW_MS: '3600000' });
    try {
      const flooder = limited.userToken();
      const other = limited.userToken();
      const statuses = [];
      for (let i = 0; i < 7; i++) {
        statuses.push((await limited.http('/api/support_chat/messages', { method: 'POST', token: flooder, body: { content: `spam ${i}` } })).status);
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
      expect((await limited.http('/api/support_chat/messages', { method: 'POST', token: other, body: { content: 'hello' } })).status).toBe(201);
      expect((await limited.http<SupportChat>('/api/support_chat', { token: flooder })).body.messages).toHaveLength(5);
    } finally {
      await limited.close();
    }
  });

  it('serves health, the OpenAPI document and the demo token', async () => {
    expect((await t.http('/api/health')).body).toMatchObject({ status: 'ok' });
    const docs = await t.http<OpenAPIObject>('/api/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/support_chat', '/api/admin/chats/{id}/archive']));
    expect((await t.http('/api/docs')).status).toBe(200);
    const demo = await t.http<{ token: string }>('/api/demo/token', { method: 'POST', body: { email: 'demo@example.com' } });
    expect(demo.status).toBe(200);
    expect((await t.http('/api/support_chat', { token: demo.body.token })).status).toBe(200);
    expect((await t.http('/admin/chats/123')).status).toBe(200);
    const consolePage = await fetch(`${t.url}/admin/chats/123`);
    expect(consolePage.headers.get('x-frame-options')).toBe('DENY');
    expect(consolePage.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    const api = await fetch(`${t.url}/api/health`);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBeNull();
  });

  it('hides the demo token and page when DEMO_MODE is off', async () => {
    const prod = await startTestApp({ DEMO_MODE: 'false' });
    try {
      expect((await prod.http('/api/demo/token', { method: 'POST', body: { email: 'demo@example.com' } })).status).toBe(404);
      const home = await fetch(`${prod.url}/`, { redirect: 'manual' });
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toBe('/admin/');
    } finally {
      await prod.close();
    }
  });
});
