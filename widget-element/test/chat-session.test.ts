import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatSession, type SessionListener } from '../src/internal/chat-session.js';
import type { RoomMessage, SupportMessage } from '../src/internal/types.js';
import { FakeBackend, MemoryStorage, settle } from './fake-backend.js';

const SERVER = 'https://support.example.test';

function setup(storage = new MemoryStorage(), backend = new FakeBackend(), catchUpPage?: number) {
  const events = { added: [] as { messages: SupportMessage[]; live: boolean }[], expired: 0, changed: 0 };
  const listener: SessionListener = {
    changed: () => events.changed++,
    messagesAdded: (messages, live) => events.added.push({ messages, live }),
    tokenExpired: () => events.expired++,
  };
  const session = new ChatSession(listener, {
    transport: backend.transport,
    storage,
    fetch: backend.fetch,
    retryDelayMs: 5,
    catchUpPage,
  });
  return { session, backend, storage, events };
}

const contents = (session: ChatSession) => session.store.messages.map((m) => m.content);

describe('ChatSession', () => {
  let ctx: ReturnType<typeof setup>;
  let token: string;

  beforeEach(() => {
    ctx = setup();
    token = ctx.backend.userToken('u1');
  });

  it('loads the history, subscribes on connect and sends with a client_id', async () => {
    ctx.backend.store('hello from before', 'user');
    ctx.session.start(SERVER, token);
    await vi.waitFor(() => expect(ctx.session.loaded).toBe(true));
    expect(contents(ctx.session)).toEqual(['hello from before']);
    expect(ctx.events.added[0].live).toBe(false);

    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    expect(ctx.session.send('  hi there  ')).toBe(true);
    await vi.waitFor(() => expect(ctx.session.pending).toHaveLength(0));
    expect(ctx.backend.sends).toHaveLength(1);
    expect(ctx.backend.sends[0].content).toBe('hi there');
    expect(ctx.backend.sends[0].client_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The socket echo and the ack carry the same message: it is there once.
    expect(contents(ctx.session)).toEqual(['hello from before', 'hi there']);
  });

  it('starts over with the user\'s new chat when the old one is gone on reconnect, keeping what is unsent', async () => {
    ctx.backend.store('before the erase', 'user');
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    expect(contents(ctx.session)).toEqual(['before the erase']);

    // The chat is deleted while the connection is down (retention, or the user erased and back).
    ctx.backend.disconnect();
    ctx.backend.replaceChat();
    expect(ctx.session.send('written meanwhile')).toBe(true);
    ctx.backend.connect();
    // Refused for the old chat, then the user's chat as it is now: empty, joined, the outbox sent to it.
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(3));
    await vi.waitFor(() => expect(ctx.session.pending).toHaveLength(0));
    expect(contents(ctx.session)).toEqual(['written meanwhile']);
    expect(ctx.backend.messages.map((m) => [m.chat_id, m.content])).toEqual([[ctx.backend.chatId, 'written meanwhile']]);
  });

  it("starts over when a send finds the chat gone while connected, and does not loop on a server that keeps refusing", async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    ctx.backend.replaceChat();
    expect(ctx.session.send('after the deletion')).toBe(true);
    await vi.waitFor(() => expect(ctx.session.pending).toHaveLength(0));
    expect(ctx.backend.messages.map((m) => m.content)).toEqual(['after the deletion']);
    expect(ctx.backend.subscribes).toBe(2);

    // A backend that refuses every chat: one start-over, then the session waits (no loop).
    const refusing = ctx.backend.socket;
    refusing.subscribe = async () => {
      ctx.backend.subscribes++;
      return { ok: false, error: 'forbidden' };
    };
    ctx.backend.disconnect();
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(4));
    await settle();
    expect(ctx.backend.subscribes).toBe(4);
  });

  it('refuses blank and over-long messages', () => {
    ctx.session.start(SERVER, token);
    expect(ctx.session.send('   \n ')).toBe(false);
    expect(ctx.session.send('x'.repeat(5001))).toBe(false);
    expect(ctx.session.pending).toHaveLength(0);
  });

  it('keeps a message typed offline as pending, in storage, and sends it once on connect', async () => {
    ctx.session.start(SERVER, token);
    await vi.waitFor(() => expect(ctx.session.loaded).toBe(true));
    ctx.session.send('typed offline');
    expect(ctx.session.pending.map((p) => p.content)).toEqual(['typed offline']);
    const stored = [...ctx.storage.data.entries()];
    expect(stored).toHaveLength(1);
    expect(stored[0][0]).toBe(`support-chat:outbox:${SERVER}|u1`);
    expect(JSON.parse(stored[0][1])[0].content).toBe('typed offline');

    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.session.pending).toHaveLength(0));
    await settle();
    expect(ctx.backend.sends.map((s) => s.content)).toEqual(['typed offline']);
    expect(ctx.storage.data.size).toBe(0);
  });

  it('sends what a previous page load left in the outbox', async () => {
    ctx.session.start(SERVER, token);
    ctx.session.send('before reload');
    ctx.session.stop();

    const next = setup(ctx.storage, ctx.backend);
    next.session.start(SERVER, token);
    expect(next.session.pending.map((p) => p.content)).toEqual(['before reload']);
    ctx.backend.connect();
    await vi.waitFor(() => expect(contents(next.session)).toEqual(['before reload']));
    expect(next.session.pending).toHaveLength(0);
  });

  it('does not send one user outbox as another user', async () => {
    ctx.session.start(SERVER, token);
    ctx.session.send('from u1');
    const other = ctx.backend.userToken('u2');
    ctx.session.start(SERVER, other);
    expect(ctx.session.pending).toHaveLength(0);
    ctx.session.start(SERVER, token);
    expect(ctx.session.pending.map((p) => p.content)).toEqual(['from u1']);
  });

  it('catches up with after=<last id> on every reconnect', async () => {
    ctx.backend.store('first', 'user');
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    const lastId = ctx.backend.messages[0].id;

    ctx.backend.disconnect();
    expect(ctx.session.connected).toBe(false);
    // Replies while the socket was down reach nobody live.
    ctx.backend.reply('missed 1');
    ctx.backend.reply('missed 2');
    ctx.backend.connect();
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['first', 'missed 1', 'missed 2']));
    expect(ctx.backend.requests).toContain(`GET /api/support_chat/messages?after=${lastId}&limit=1000`);
    const live = ctx.events.added.filter((e) => e.live).flatMap((e) => e.messages.map((m) => m.content));
    expect(live).toEqual(['missed 1', 'missed 2']);
  });

  it('catches up from the last fetch, not from a live message that came past a gap', async () => {
    const m1 = ctx.backend.store('m1', 'user');
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.catchUps).toHaveLength(1));
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['m1']));

    // m2 is committed first, but its broadcast never reaches this socket; m3's does.
    ctx.backend.store('m2', 'admin');
    ctx.backend.reply('m3');
    expect(contents(ctx.session)).toEqual(['m1', 'm3']);

    ctx.backend.disconnect();
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.catchUps).toHaveLength(2));
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['m1', 'm2', 'm3']));
    expect(ctx.backend.requests.filter((r) => r.includes('?after='))).toEqual([
      `GET /api/support_chat/messages?after=${m1.id}&limit=1000`,
      `GET /api/support_chat/messages?after=${m1.id}&limit=1000`,
    ]);
    const ids = ctx.session.store.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);

    // Caught up to m3 now: the next reconnect continues from there.
    ctx.backend.disconnect();
    const m4 = ctx.backend.reply('m4 while away');
    ctx.backend.connect();
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['m1', 'm2', 'm3', 'm4 while away']));
    expect(ctx.backend.catchUps.at(-1)).toEqual([m4.id]);
  });

  it('fills in the whole chat on a reconnect when it was empty at first, however long the gap', async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    await vi.waitFor(() => expect(ctx.session.loaded).toBe(true));
    ctx.backend.reply('welcome');
    expect(contents(ctx.session)).toEqual(['welcome']);

    // More than a page arrives while away: the newest page alone would leave a hole between
    // 'welcome' and it that no catch-up cursor and no history page would ever cover.
    ctx.backend.disconnect();
    const missed = Array.from({ length: 120 }, (_, i) => ctx.backend.store(`missed ${i}`, 'admin').content);
    ctx.backend.connect();
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['welcome', ...missed]));
    const ids = ctx.session.store.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('asks again while the catch-up answers a full page', async () => {
    ctx = setup(undefined, undefined, 2);
    token = ctx.backend.userToken('u1');
    ctx.backend.store('first', 'user');
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.catchUps).toHaveLength(1));
    ctx.backend.disconnect();
    const missed = ['a', 'b', 'c', 'd', 'e'].map((text) => ctx.backend.store(text, 'admin'));
    ctx.backend.connect();
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['first', 'a', 'b', 'c', 'd', 'e']));
    // Pages of two: a, b / c, d / e, the last one short.
    expect(ctx.backend.catchUps.slice(1)).toEqual([
      [missed[0].id, missed[1].id],
      [missed[2].id, missed[3].id],
      [missed[4].id],
    ]);
  });

  it.each(['socket first', 'catch-up first'] as const)(
    'never shows a message twice when the socket and the catch-up both deliver it (%s)',
    async (order) => {
      ctx.backend.store('first', 'user');
      ctx.session.start(SERVER, token);
      ctx.backend.connect();
      await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
      await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['first']));
      const socket = ctx.backend.socket;
      const overSocket: string[] = [];
      const deliver = socket.handlers.newMessage;
      socket.handlers.newMessage = (event) => {
        overSocket.push(event.message.id);
        deliver(event);
      };

      ctx.backend.disconnect();
      const catchUpsBefore = ctx.backend.catchUps.length;
      let one: RoomMessage | undefined;
      if (order === 'socket first') {
        // Committed just after the room is joined: the catch-up answer includes it, and the
        // room's broadcast reaches the socket while that answer is on its way.
        ctx.backend.afterSubscribe = () => {
          one = ctx.backend.store('one', 'admin');
        };
        ctx.backend.afterCatchUp = () => ctx.backend.push(one!);
      } else {
        one = ctx.backend.store('one', 'admin');
      }
      ctx.backend.connect();
      await vi.waitFor(() => expect(ctx.backend.catchUps).toHaveLength(catchUpsBefore + 1));
      await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['first', 'one']));
      // A broadcast that reaches the socket late repeats what the catch-up already brought.
      if (order === 'catch-up first') ctx.backend.push(one!);

      expect(overSocket).toEqual([one!.id]);
      expect(ctx.backend.catchUps.at(-1)).toEqual([one!.id]);
      expect(contents(ctx.session)).toEqual(['first', 'one']);
      const live = ctx.events.added.filter((e) => e.live).flatMap((e) => e.messages.map((m) => m.id));
      expect(live).toEqual([one!.id]);
    },
  );

  it('resends with the same client_id after a lost ack, and the server keeps one copy', async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    ctx.backend.loseAcks = true;
    ctx.backend.echoBeforeAck = false;
    ctx.session.send('lost ack');
    await vi.waitFor(() => expect(ctx.backend.sends).toHaveLength(1));
    ctx.backend.loseAcks = false;
    await vi.waitFor(() => expect(ctx.session.pending).toHaveLength(0));
    expect(new Set(ctx.backend.sends.map((s) => s.client_id)).size).toBe(1);
    expect(ctx.backend.messages.filter((m) => m.content === 'lost ack')).toHaveLength(1);
    expect(contents(ctx.session)).toEqual(['lost ack']);
  });

  it('sends queued messages in the order they were typed', async () => {
    ctx.session.start(SERVER, token);
    for (const text of ['a', 'b', 'c']) ctx.session.send(text);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.session.pending).toHaveLength(0));
    expect(ctx.backend.messages.map((m) => m.content)).toEqual(['a', 'b', 'c']);
  });

  it('counts unread replies and marks them read only while viewed, up to the newest one shown', async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    ctx.backend.reply('r1');
    const r2 = ctx.backend.reply('r2');
    expect(ctx.session.unreadCount).toBe(2);
    await settle();
    expect(ctx.backend.markReadCalls).toBe(0);

    ctx.session.setViewing(true);
    await vi.waitFor(() => expect(ctx.session.unreadCount).toBe(0));
    expect(ctx.backend.markReadUpTo).toEqual([r2.id]);
    const r3 = ctx.backend.reply('while open');
    await vi.waitFor(() => expect(ctx.backend.markReadUpTo).toEqual([r2.id, r3.id]));
    await vi.waitFor(() => expect(ctx.session.unreadCount).toBe(0));
  });

  it('marks read only what was shown: a reply still on its way stays unread', async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    const shown = ctx.backend.reply('shown');
    // Stored on the server, but its broadcast has not reached the element yet.
    const inFlight = ctx.backend.store('in flight', 'admin');

    ctx.session.setViewing(true);
    await vi.waitFor(() => expect(ctx.session.unreadCount).toBe(0));
    expect(ctx.backend.markReadUpTo).toEqual([shown.id]);
    const onServer = (id: string) => ctx.backend.messages.find((m) => m.id === id)!;
    expect(onServer(shown.id).read_at).not.toBeNull();
    expect(onServer(inFlight.id).read_at).toBeNull();

    // Once it is on screen it is marked read in its turn.
    ctx.backend.push(inFlight);
    await vi.waitFor(() => expect(onServer(inFlight.id).read_at).not.toBeNull());
    expect(ctx.backend.markReadUpTo).toEqual([shown.id, inFlight.id]);
    expect(ctx.session.unreadCount).toBe(0);
  });

  it('does not mark read while the user is not looking, even as replies arrive', async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    ctx.session.setViewing(true);
    ctx.session.setViewing(false);
    const hidden = ctx.backend.reply('while hidden');
    await settle();
    expect(ctx.backend.markReadCalls).toBe(0);
    expect(ctx.session.unreadCount).toBe(1);
    // Positive control: the same reply is marked read as soon as the user looks.
    ctx.session.setViewing(true);
    await vi.waitFor(() => expect(ctx.backend.markReadUpTo).toEqual([hidden.id]));
  });

  it('ticks exactly the messages a messages_read names, whatever its time says', async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    const old = ctx.backend.reply('old');
    const newer = ctx.backend.reply('newer');
    // Another tab read only 'old'; the read's time is later than both replies.
    const readAt = new Date(Date.parse(newer.created_at) + 60_000).toISOString();
    ctx.backend.socket.handlers.messagesRead({
      type: 'messages_read',
      chat_id: ctx.backend.chatId,
      reader: 'user',
      read_at: readAt,
      message_ids: [old.id],
    });
    expect(ctx.session.unreadCount).toBe(1);
    const local = (id: string) => ctx.session.store.messages.find((m) => m.id === id)!;
    expect(local(old.id).read_at).toBe(readAt);
    expect(local(newer.id).read_at).toBeNull();
  });

  it("shows an agent's read of the user's messages by id, even when the clocks disagree", async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    for (const text of ['u1', 'u2', 'u3']) ctx.session.send(text);
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['u1', 'u2', 'u3']));
    const [u1, u2, u3] = ctx.session.store.messages;
    // The read's timestamp is older than u2 (another server's clock), yet u2 is among those read.
    const readAt = new Date(Date.parse(u1.created_at) + 1).toISOString();
    ctx.backend.socket.handlers.messagesRead({
      type: 'messages_read',
      chat_id: ctx.backend.chatId,
      reader: 'admin',
      read_at: readAt,
      message_ids: [u1.id, u2.id],
    });
    const readIds = ctx.session.store.messages.filter((m) => m.read_at !== null).map((m) => m.id);
    expect(readIds).toEqual([u1.id, u2.id]);
    expect(ctx.session.store.messages.find((m) => m.id === u3.id)!.read_at).toBeNull();
    // A read for another chat changes nothing.
    ctx.backend.socket.handlers.messagesRead({
      type: 'messages_read',
      chat_id: '00000000-0000-4000-8000-ffffffffffff',
      reader: 'admin',
      read_at: readAt,
      message_ids: [u3.id],
    });
    expect(ctx.session.store.messages.find((m) => m.id === u3.id)!.read_at).toBeNull();
  });

  it('loads older pages before the oldest message it has', async () => {
    for (let i = 0; i < 120; i++) ctx.backend.store(`m${i}`, 'user');
    ctx.session.start(SERVER, token);
    await vi.waitFor(() => expect(ctx.session.loaded).toBe(true));
    expect(ctx.session.store.size).toBe(50);
    expect(ctx.session.hasMore).toBe(true);
    await ctx.session.loadOlder();
    await ctx.session.loadOlder();
    expect(ctx.session.store.size).toBe(120);
    expect(ctx.session.hasMore).toBe(false);
    expect(contents(ctx.session)[0]).toBe('m0');
    expect(contents(ctx.session)[119]).toBe('m119');
    expect(ctx.events.added.every((e) => !e.live)).toBe(true);
  });

  it('reports an expired token from the handshake and from REST, once', async () => {
    const stale = ctx.backend.userToken('u1', { v: 2 });
    ctx.backend.validTokens.delete(stale);
    ctx.session.start(SERVER, stale);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.events.expired).toBe(1));
    await settle();
    expect(ctx.events.expired).toBe(1);
    expect(ctx.session.active).toBe(false);
  });

  it('a new token for the same user reconnects and keeps history and outbox', async () => {
    ctx.backend.store('kept', 'user');
    const stale = ctx.backend.userToken('u1', { v: 2 });
    ctx.session.start(SERVER, token);
    await vi.waitFor(() => expect(ctx.session.loaded).toBe(true));
    ctx.backend.validTokens.delete(token);
    ctx.backend.validTokens.delete(stale);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.events.expired).toBe(1));
    ctx.session.send('queued while expired');

    const fresh = ctx.backend.userToken('u1', { v: 3 });
    ctx.session.start(SERVER, fresh);
    expect(contents(ctx.session)).toEqual(['kept']);
    expect(ctx.session.pending).toHaveLength(1);
    ctx.backend.connect();
    await vi.waitFor(() => expect(contents(ctx.session)).toEqual(['kept', 'queued while expired']));
    expect(ctx.backend.socket.token).toBe(fresh);
  });

  it('marks a message refused as invalid as failed, and lets the user discard it', async () => {
    ctx.session.start(SERVER, token);
    ctx.backend.connect();
    await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
    const socket = ctx.backend.socket;
    socket.send = async () => ({ ok: false, error: 'invalid_content' });
    ctx.session.send('refused');
    await vi.waitFor(() => expect(ctx.session.pending[0]?.failed).toBe(true));
    ctx.session.discard(ctx.session.pending[0].client_id);
    expect(ctx.session.pending).toHaveLength(0);
  });

  describe('typing', () => {
    async function connected() {
      ctx.session.start(SERVER, token);
      ctx.backend.connect();
      await vi.waitFor(() => expect(ctx.backend.subscribes).toBe(1));
      await vi.waitFor(() => expect(ctx.session.chatId).not.toBeNull());
    }

    it("shows the agent's typing until it lapses 6 s after the last signal", async () => {
      await connected();
      vi.useFakeTimers();
      try {
        ctx.backend.agentTyping(true);
        expect(ctx.session.agentTyping).toEqual({ name: 'Ana' });
        vi.advanceTimersByTime(5000);
        ctx.backend.agentTyping(true);
        vi.advanceTimersByTime(5000);
        expect(ctx.session.agentTyping).toEqual({ name: 'Ana' });
        vi.advanceTimersByTime(1001);
        expect(ctx.session.agentTyping).toBeNull();
      } finally {
        vi.useRealTimers();
      }
    });

    it("clears at once on a stop, on that agent's message and on a disconnect", async () => {
      await connected();
      ctx.backend.agentTyping(true);
      ctx.backend.agentTyping(false);
      expect(ctx.session.agentTyping).toBeNull();

      ctx.backend.agentTyping(true, 'Ana');
      ctx.backend.reply('from Ben', 'Ben');
      await vi.waitFor(() => expect(contents(ctx.session)).toContain('from Ben'));
      expect(ctx.session.agentTyping).toEqual({ name: 'Ana' });
      ctx.backend.reply('from Ana', 'Ana');
      await vi.waitFor(() => expect(contents(ctx.session)).toContain('from Ana'));
      expect(ctx.session.agentTyping).toBeNull();

      ctx.backend.agentTyping(true);
      ctx.backend.disconnect();
      expect(ctx.session.agentTyping).toBeNull();
    });

    it('ignores a note being typed and another chat', async () => {
      await connected();
      ctx.backend.agentTyping(true);
      ctx.backend.agentTyping(false);
      (ctx.backend.sockets[0].handlers.typing as (e: unknown) => void)({
        type: 'typing', chat_id: ctx.session.chatId, sender_type: 'admin', sender_name: 'Ana', typing: true, private: true,
      });
      ctx.backend.sockets[0].handlers.typing({ type: 'typing', chat_id: 'another', sender_type: 'admin', sender_name: 'Ana', typing: true });
      expect(ctx.session.agentTyping).toBeNull();
    });

    it("sends the user's typing at most every 2 s, and one stop on send or when cleared", async () => {
      await connected();
      vi.useFakeTimers();
      try {
        ctx.session.draftChanged('h');
        ctx.session.draftChanged('he');
        vi.advanceTimersByTime(1999);
        ctx.session.draftChanged('hel');
        expect(ctx.backend.typingSent).toEqual([true]);
        vi.advanceTimersByTime(1);
        ctx.session.draftChanged('hell');
        expect(ctx.backend.typingSent).toEqual([true, true]);
        ctx.session.send('hello');
        expect(ctx.backend.typingSent).toEqual([true, true, false]);
        ctx.session.stopTyping();
        ctx.session.draftChanged('');
        expect(ctx.backend.typingSent).toEqual([true, true, false]);
        ctx.session.draftChanged('again');
        ctx.session.draftChanged('   ');
        expect(ctx.backend.typingSent).toEqual([true, true, false, true, false]);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
