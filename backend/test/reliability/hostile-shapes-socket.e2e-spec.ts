import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { NewMessageEvent, SupportChat } from '../../src/contracts/wire';
import { waitFor } from '../support/instances';
import { emitAck, nextEvent, startTestApp, type TestApp, type TestSocket } from '../support/test-app';
import { person, sendOver, snapshot, userSays, type Person } from './hostile-support';
import { absentOk, JSON_VALUES, VERBATIM_TEXT } from './hostile-values';

const INVALID = { ok: false, error: 'invalid_content' };

describe('hostile shapes over Socket.IO (e2e)', () => {
  let t: TestApp;
  let agentToken: string;
  let u: Person;

  beforeAll(async () => {
    t = await startTestApp();
    agentToken = await t.adminToken();
    u = await person(t);
    await userSays(t, u, 'first');
  });
  afterAll(() => t.close());

  describe('Socket.IO events', () => {
    let userSocket: TestSocket;
    let agentSocket: TestSocket;

    beforeAll(async () => {
      userSocket = await t.connect(u.token);
      agentSocket = await t.connect(agentToken);
    });

    const VALUES_WITH_BINARY: [string, unknown][] = [...JSON_VALUES, ['a binary buffer', Buffer.from(randomUUID())]];

    const socketSlots: { name: string; optional: boolean; socket: () => TestSocket; event: string; payload: (v: unknown) => unknown }[] = [
      { name: 'subscribe chat_id', optional: false, socket: () => userSocket, event: 'subscribe', payload: (v) => ({ chat_id: v }) },
      { name: 'subscribe chat_id (agent)', optional: false, socket: () => agentSocket, event: 'subscribe', payload: (v) => ({ chat_id: v }) },
      { name: 'unsubscribe chat_id', optional: false, socket: () => userSocket, event: 'unsubscribe', payload: (v) => ({ chat_id: v }) },
      { name: 'subscribe_admin extra field', optional: false, socket: () => agentSocket, event: 'subscribe_admin', payload: (v) => ({ x: v }) },
      {
        name: 'send_message chat_id',
        optional: false,
        socket: () => userSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: v, content: 'x' }),
      },
      {
        name: 'send_message content',
        optional: false,
        socket: () => userSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: u.chatId, content: v }),
      },
      {
        name: 'send_message content (agent)',
        optional: false,
        socket: () => agentSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: u.chatId, content: v }),
      },
      {
        name: 'send_message client_id',
        optional: true,
        socket: () => userSocket,
        event: 'send_message',
        payload: (v) => ({ chat_id: u.chatId, content: 'x', client_id: v }),
      },
      { name: 'mark_read chat_id', optional: false, socket: () => userSocket, event: 'mark_read', payload: (v) => ({ chat_id: v }) },
      {
        name: 'mark_read up_to',
        optional: true,
        socket: () => userSocket,
        event: 'mark_read',
        payload: (v) => ({ chat_id: u.chatId, up_to: v }),
      },
      { name: 'mark_read chat_id (agent)', optional: false, socket: () => agentSocket, event: 'mark_read', payload: (v) => ({ chat_id: v }) },
    ];

    it.each(socketSlots.map((s) => [s.name, s] as const))('answers invalid_content to every hostile value in %s and changes nothing', async (_n, slot) => {
      const before = await snapshot(t);
      const answers: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      for (const [name, value] of VALUES_WITH_BINARY) {
        if (slot.name.startsWith('send_message content') && typeof value === 'string' && VERBATIM_TEXT.includes(value)) continue;
        if (absentOk(value, slot.optional)) continue;
        if (slot.name.endsWith('client_id') && value === '__proto__') continue;
        answers[name] = await emitAck(slot.socket(), slot.event, slot.payload(value));
        expected[name] = INVALID;
      }
      expect(answers).toEqual(expected);
      expect(await snapshot(t)).toEqual(before);
    });

    it.each(['subscribe', 'unsubscribe', 'send_message', 'mark_read', 'subscribe_admin'])(
      'answers invalid_content to a %s payload that is not an object',
      async (event) => {
        const before = await snapshot(t);
        for (const [name, value] of VALUES_WITH_BINARY) {
          // No payload at all is how an event without fields is sent.
          if (value === null || (event === 'subscribe_admin' && Array.isArray(value) && value.length === 0)) continue;
          if (typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && event === 'subscribe_admin') continue;
          const answer = await emitAck(agentSocket, event, value);
          expect({ name, answer }).toEqual({ name, answer: INVALID });
        }
        expect(await snapshot(t)).toEqual(before);
      },
    );

    it('refuses unknown fields and prototype keys in socket payloads', async () => {
      const before = await snapshot(t);
      const payloads = [
        { chat_id: u.chatId, content: 'hi', sender_type: 'admin' },
        { chat_id: u.chatId, content: 'hi', read_at: null },
        JSON.parse(`{"chat_id":"${u.chatId}","content":"hi","__proto__":{"polluted":"yes"}}`),
        JSON.parse(`{"chat_id":"${u.chatId}","content":"hi","constructor":{"prototype":{"polluted":"yes"}}}`),
      ];
      for (const payload of payloads) expect(await sendOver(userSocket, payload)).toEqual(INVALID);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await snapshot(t)).toEqual(before);
    });

    it('stores hostile-looking text sent over the socket verbatim', async () => {
      const p = await person(t);
      const socket = await t.connect(p.token);
      for (const content of VERBATIM_TEXT) {
        expect(await sendOver(socket, { chat_id: p.chatId, content })).toMatchObject({ ok: true, message: { content } });
      }
      const history = await t.http<SupportChat>('/api/support_chat', { token: p.token });
      expect(history.body.messages.map((m) => m.content)).toEqual(VERBATIM_TEXT);
    });

    it('closes the connection on a 100 KB frame, stores nothing, and keeps serving others', async () => {
      const p = await person(t);
      const socket = await t.connect(p.token);
      const before = await snapshot(t);
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      (socket.emit as (...args: unknown[]) => void)('send_message', { chat_id: p.chatId, content: 'x'.repeat(100 * 1024) }, () => undefined);
      expect(await closed).toMatch(/transport close|transport error/);
      expect(await snapshot(t)).toEqual(before);
      await stillServing();
    });
  });

  describe('malformed Socket.IO packets on a raw WebSocket', () => {
    /** A WebSocket that speaks Engine.IO 4 by hand, connected to /support with a real token. */
    async function rawClient(token: string) {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const frames: string[] = [];
      let closed = false;
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? '<binary>' : data.toString();
        // Answer the server's heartbeat, as a real client would.
        if (text === '2') ws.send('3');
        frames.push(text);
      });
      ws.on('close', () => (closed = true));
      ws.on('error', () => (closed = true));
      await waitFor('the Engine.IO open packet', () => frames.some((f) => f.startsWith('0{')), 5000);
      ws.send(`40/support,${JSON.stringify({ token })}`);
      await waitFor('the namespace connect', () => frames.some((f) => f.startsWith('40/support,')), 5000);
      return { ws, frames, isClosed: () => closed };
    }

    /** Whether the server closed this connection, or still answers an event on it with its ack. */
    async function outcome(client: Awaited<ReturnType<typeof rawClient>>, chatId: string): Promise<'closed' | 'still answering'> {
      const id = Math.floor(Math.random() * 1e6);
      if (!client.isClosed()) client.ws.send(`42/support,${id}["subscribe",{"chat_id":"${chatId}"}]`);
      await waitFor('the connection to close or the ack to come', () => client.isClosed() || client.frames.includes(`43/support,${id}[{"ok":true}]`), 5000);
      return client.isClosed() ? 'closed' : 'still answering';
    }

    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const GARBAGE: [string, (chatId: string) => string | Buffer][] = [
      ['truncated JSON', () => '42/support,["send_message"'],
      ['a bare message type', () => '4'],
      ['a huge packet type', () => '49999999999999999999'],
      ['an unknown Engine.IO type', () => '9'],
      ['an empty event', () => '42/support,'],
      ['an empty event array', () => '42/support,[]'],
      ['a reserved event name', () => '42/support,["disconnect"]'],
      ['an object instead of an array', () => '42/support,{"send_message":1}'],
      ['a huge ack id', (c) => `42/support,99999999999999999999999["subscribe",{"chat_id":"${c}"}]`],
      ['a negative ack id', (c) => `42/support,-1["subscribe",{"chat_id":"${c}"}]`],
      ['an unknown namespace', () => '42/nope,["subscribe",{}]'],
      ['a connect to an unknown namespace', () => '40/nope,'],
      ['a second connect with a bad token', () => '40/support,{"token":{"$ne":null}}'],
      ['too many attachments', () => '4599-/support,["send_message",{"_placeholder":true,"num":0}]'],
      ['a placeholder in a plain event', (c) => `42/support,7["send_message",{"chat_id":"${c}","content":{"_placeholder":true,"num":0}}]`],
      ['a binary frame out of nowhere', () => Buffer.from([0xde, 0xad, 0xbe, 0xef])],
      ['deeply nested arrays in a field', (c) => `42/support,8["send_message",{"chat_id":"${c}","content":${deep}}]`],
      ['deeply nested arrays as the chat id', () => `42/support,9["subscribe",{"chat_id":${deep}}]`],
    ];

    it.each(GARBAGE)('survives %s: that connection is closed or keeps working, nothing is stored, others are served', async (_n, make) => {
      const p = await person(t);
      const client = await rawClient(p.token);
      const before = await snapshot(t);
      client.ws.send(make(p.chatId));
      expect(['closed', 'still answering']).toContain(await outcome(client, p.chatId));
      client.ws.terminate();
      expect(await snapshot(t)).toEqual(before);
      await stillServing();
    });

    it('acks nesting as deep as a frame allows with invalid_content, not a failure of its own', async () => {
      const p = await person(t);
      const client = await rawClient(p.token);
      const deepObject = '{"a":'.repeat(8_000) + '1' + '}'.repeat(8_000);
      client.ws.send(`42/support,8["send_message",{"chat_id":"${p.chatId}","content":${deep}}]`);
      client.ws.send(`42/support,9["subscribe",{"chat_id":${deep}}]`);
      client.ws.send(`42/support,10["send_message",{"chat_id":"${p.chatId}","content":"x","client_id":${deepObject}}]`);
      client.ws.send(`42/support,11["mark_read",${deepObject}]`);
      const acks = [8, 9, 10, 11].map((id) => `43/support,${id}[{"ok":false,"error":"invalid_content"}]`);
      await waitFor('four invalid_content acks', () => client.isClosed() || acks.every((a) => client.frames.includes(a)), 5000);
      expect(client.frames.filter((f) => f.startsWith('43/'))).toEqual(acks);
      client.ws.terminate();
    });

    it('acks a placeholder smuggled into a plain event as invalid_content', async () => {
      const p = await person(t);
      const client = await rawClient(p.token);
      client.ws.send(`42/support,7["send_message",{"chat_id":"${p.chatId}","content":{"_placeholder":true,"num":0}}]`);
      await waitFor('the ack', () => client.frames.includes('43/support,7[{"ok":false,"error":"invalid_content"}]'), 5000);
      client.ws.terminate();
    });

    it('survives a binary event whose attachment never comes, then garbage after it', async () => {
      const p = await person(t);
      const client = await rawClient(p.token);
      client.ws.send(`451-/support,3["send_message",{"chat_id":"${p.chatId}","content":{"_placeholder":true,"num":0}}]`);
      client.ws.send('42/support,["subscribe",{}]');
      await waitFor('the server to close the connection', () => client.isClosed(), 5000);
      await stillServing();
    });
  });

  /** Positive control for every "survives": a fresh user's message is stored and relayed to the agent. */
  async function stillServing() {
    const p = await person(t);
    const watcher = await t.connect(agentToken);
    expect(await emitAck(watcher, 'subscribe', { chat_id: p.chatId })).toEqual({ ok: true });
    const socket = await t.connect(p.token);
    const relayed = nextEvent<NewMessageEvent>(watcher, 'new_message', (e) => e.chat_id === p.chatId);
    const ack = await sendOver(socket, { chat_id: p.chatId, content: 'still here?' });
    expect(ack).toMatchObject({ ok: true, message: { content: 'still here?' } });
    expect((await relayed).message.content).toBe('still here?');
    socket.disconnect();
    watcher.disconnect();
  }
});
