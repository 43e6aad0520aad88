import { TestBed } from '@angular/core/testing';
import { NewMessageEvent } from './api.types';
import { SOCKET_FACTORY, SocketService, SupportSocket } from './socket.service';

type Handler = (...args: unknown[]) => void;

interface HeldAck {
  event: string;
  payload: unknown;
  answer: (ack: unknown) => void;
  fail: (err: Error) => void;
}

/** The parts of a socket.io-client socket the service uses, driven by the test. */
class FakeIoSocket {
  connected = false;
  active = true;
  connectCalls = 0;
  readonly emitted: { event: string; payload: unknown }[] = [];
  answer: (event: string, payload: unknown) => Promise<unknown> = () =>
    Promise.resolve({ ok: true });
  /** Emits waiting for the server's answer while `holdAcks()` is in force. */
  readonly held: HeldAck[] = [];
  private readonly handlers = new Map<string, Handler[]>();

  /** From now on nothing is answered until the test answers it. */
  holdAcks(): void {
    this.answer = (event, payload) =>
      new Promise((answer, fail) => this.held.push({ event, payload, answer, fail }));
  }
  /** Answers the first held emit of that event. */
  release(event: string, ack: unknown = { ok: true }, chatId?: string): void {
    const index = this.held.findIndex(
      (h) =>
        h.event === event &&
        (chatId === undefined || (h.payload as { chat_id?: string }).chat_id === chatId),
    );
    if (index < 0) throw new Error(`no ${event} is waiting for an answer`);
    const [held] = this.held.splice(index, 1);
    held.answer(ack);
  }

  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }
  connect(): this {
    this.connectCalls++;
    return this;
  }
  disconnect(): this {
    this.connected = false;
    this.active = false;
    return this;
  }
  timeout(): { emitWithAck: (event: string, payload: unknown) => Promise<unknown> } {
    return {
      emitWithAck: (event, payload) => {
        this.emitted.push({ event, payload });
        return this.answer(event, payload);
      },
    };
  }

  fire(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
  serverAccepts(): void {
    this.connected = true;
    this.fire('connect');
  }
  drops(reason: string, willRetry: boolean): void {
    this.connected = false;
    this.active = willRetry;
    // socket.io-client fails the acks a dropped connection can no longer receive.
    for (const held of this.held.splice(0)) held.fail(new Error('socket has been disconnected'));
    this.fire('disconnect', reason);
  }
  events(): string[] {
    return this.emitted.map((e) => e.event);
  }
}

/** What a handshake with these options presents to the server, as socket.io-client asks for it. */
function handshake(opened: { namespace: string; options: unknown }): unknown {
  const { auth } = opened.options as { auth: (send: (data: object) => void) => void };
  let data: object | undefined;
  auth((d) => (data = d));
  return { namespace: opened.namespace, auth: data };
}

/** Lets the service's await chains run. */
const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve));

describe('SocketService', () => {
  let fake: FakeIoSocket;
  let opened: { namespace: string; options: unknown }[];
  let service: SocketService;

  beforeEach(() => {
    fake = new FakeIoSocket();
    opened = [];
    TestBed.configureTestingModule({
      providers: [
        {
          provide: SOCKET_FACTORY,
          useValue: (namespace: string, options: unknown) => {
            opened.push({ namespace, options });
            return fake as unknown as SupportSocket;
          },
        },
      ],
    });
    service = TestBed.inject(SocketService);
  });

  it('opens /support with the token and joins the rooms asked for before it connected', async () => {
    const admin = service.joinAdminRoom();
    const chat = service.joinChat('c1');
    service.connect('tok');
    expect(opened.map(handshake)).toEqual([{ namespace: '/support', auth: { token: 'tok' } }]);
    expect(service.status()).toBe('connecting');
    fake.serverAccepts();
    expect(service.status()).toBe('online');
    expect(fake.emitted).toEqual([
      { event: 'subscribe_admin', payload: {} },
      { event: 'subscribe', payload: { chat_id: 'c1' } },
    ]);
    await expect(admin).resolves.toEqual({ ok: true });
    await expect(chat).resolves.toEqual({ ok: true });
  });

  it('joins every room again after a reconnect and says it reconnected', async () => {
    const reconnects: void[] = [];
    service.reconnected$.subscribe(() => reconnects.push(undefined));
    service.connect('tok');
    fake.serverAccepts();
    void service.joinAdminRoom();
    void service.joinChat('c1');
    void service.joinChat('c2');
    service.leaveChat('c2');
    await flush();
    expect(reconnects).toHaveLength(0);

    fake.drops('transport close', true);
    expect(service.status()).toBe('reconnecting');
    fake.emitted.length = 0;
    fake.serverAccepts();
    await flush();
    expect(reconnects).toHaveLength(1);
    expect(fake.emitted).toEqual([
      { event: 'subscribe_admin', payload: {} },
      { event: 'subscribe', payload: { chat_id: 'c1' } },
    ]);
  });

  it('says it reconnected only once every room has been joined again', async () => {
    const reconnects: void[] = [];
    service.reconnected$.subscribe(() => reconnects.push(undefined));
    service.connect('tok');
    fake.serverAccepts();
    void service.joinAdminRoom();
    void service.joinChat('c1');
    void service.joinChat('c2');
    await flush();

    fake.drops('transport close', true);
    fake.holdAcks();
    fake.serverAccepts();
    await flush();
    expect(fake.held.map((h) => h.event)).toEqual(['subscribe_admin', 'subscribe', 'subscribe']);
    fake.release('subscribe_admin');
    fake.release('subscribe', { ok: true }, 'c2');
    await flush();
    // One room is still waiting for the server: fetching now could miss what it broadcasts.
    expect(reconnects).toHaveLength(0);
    fake.release('subscribe', { ok: true }, 'c1');
    await flush();
    expect(reconnects).toHaveLength(1);
  });

  it('answers a join with the server ack, waiting for the connection when it is down', async () => {
    const answers: unknown[] = [];
    service.connect('tok');
    void service.joinChat('c1').then((ack) => answers.push(ack));
    await flush();
    expect(fake.emitted).toEqual([]);
    expect(answers).toEqual([]);

    fake.holdAcks();
    fake.serverAccepts();
    await flush();
    expect(answers).toEqual([]);
    fake.release('subscribe');
    await flush();
    expect(answers).toEqual([{ ok: true }]);
    await expect(service.chatJoin('c1')).resolves.toEqual({ ok: true });
    // A second view of the same room shares the join; it is not sent twice.
    await expect(service.joinChat('c1')).resolves.toEqual({ ok: true });
    expect(fake.events()).toEqual(['subscribe']);
    expect(service.chatJoin('unknown')).toBeUndefined();
  });

  it('reports a failed join and tries it again on the next reconnect', async () => {
    const reconnects: void[] = [];
    service.reconnected$.subscribe(() => reconnects.push(undefined));
    service.connect('tok');
    fake.serverAccepts();
    fake.answer = (event, payload) => {
      if (event !== 'subscribe') return Promise.resolve({ ok: true });
      if ((payload as { chat_id: string }).chat_id === 'gone') {
        return Promise.resolve({ ok: false, error: 'not_found' });
      }
      return Promise.reject(new Error('operation has timed out'));
    };
    await expect(service.joinChat('slow')).resolves.toEqual({ ok: false, error: 'timeout' });
    await expect(service.joinChat('gone')).resolves.toEqual({ ok: false, error: 'not_found' });

    fake.drops('transport close', true);
    fake.answer = () => Promise.resolve({ ok: true });
    fake.emitted.length = 0;
    fake.serverAccepts();
    await flush();
    expect(fake.emitted).toEqual([
      { event: 'subscribe', payload: { chat_id: 'slow' } },
      { event: 'subscribe', payload: { chat_id: 'gone' } },
    ]);
    expect(reconnects).toHaveLength(1);
    await expect(service.chatJoin('slow')).resolves.toEqual({ ok: true });
  });

  it("ignores an answer to a connection that dropped; the next connection's join counts", async () => {
    const answers: unknown[] = [];
    const reconnects: void[] = [];
    service.reconnected$.subscribe(() => reconnects.push(undefined));
    service.connect('tok');
    fake.serverAccepts();
    await flush();
    fake.holdAcks();
    void service.joinChat('c1').then((ack) => answers.push(ack));
    await flush();
    // The connection drops with the join in flight: its ack can never come.
    fake.drops('transport close', true);
    await flush();
    expect(answers).toEqual([]);

    fake.serverAccepts();
    await flush();
    expect(reconnects).toHaveLength(0);
    fake.release('subscribe');
    await flush();
    expect(answers).toEqual([{ ok: true }]);
    expect(reconnects).toHaveLength(1);
  });

  it('counts views of a chat so one closing does not unsubscribe the other', () => {
    service.connect('tok');
    fake.serverAccepts();
    void service.joinChat('c1');
    void service.joinChat('c1');
    service.leaveChat('c1');
    expect(fake.events()).toEqual(['subscribe']);
    service.leaveChat('c1');
    expect(fake.events()).toEqual(['subscribe', 'unsubscribe']);
  });

  it('passes server events to subscribers', () => {
    const seen: NewMessageEvent[] = [];
    service.on('new_message').subscribe((e) => seen.push(e));
    service.connect('tok');
    const event = { type: 'new_message', chat_id: 'c1', message: { id: 'm1' } };
    fake.fire('new_message', event);
    expect(seen).toEqual([event]);
  });

  it('reports a refused token, and only a refused token', () => {
    let refused = 0;
    service.unauthorized$.subscribe(() => refused++);
    service.connect('tok');
    // Any other handshake failure is a connection problem: keep trying.
    fake.fire('connect_error', new Error('xhr poll error'));
    expect(refused).toBe(0);
    expect(service.status()).toBe('connecting');
    fake.fire('connect_error', new Error('unauthorized'));
    expect(refused).toBe(1);
    expect(service.status()).toBe('offline');
  });

  it('retries once the server drops the session, so an expired token ends in a refusal', () => {
    vi.useFakeTimers();
    try {
      let refused = 0;
      service.unauthorized$.subscribe(() => refused++);
      service.connect('tok');
      fake.serverAccepts();
      fake.drops('io server disconnect', false);
      expect(service.status()).toBe('reconnecting');
      expect(fake.connectCalls).toBe(0);
      vi.advanceTimersByTime(1_000);
      expect(fake.connectCalls).toBe(1);
      expect(refused).toBe(0);
      // The retry's handshake is refused: the token has expired.
      fake.fire('connect_error', new Error('unauthorized'));
      expect(refused).toBe(1);
      expect(service.status()).toBe('offline');
    } finally {
      vi.useRealTimers();
    }
  });

  it('retries once the server drops the session, and carries on when the token still holds', () => {
    vi.useFakeTimers();
    try {
      let refused = 0;
      service.unauthorized$.subscribe(() => refused++);
      service.connect('tok');
      fake.serverAccepts();
      fake.drops('io server disconnect', false);
      vi.advanceTimersByTime(1_000);
      expect(fake.connectCalls).toBe(1);
      fake.serverAccepts();
      expect(service.status()).toBe('online');
      expect(refused).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('signs the reconnect after a password change in with the new token, keeping its rooms', async () => {
    vi.useFakeTimers();
    try {
      let refused = 0;
      service.unauthorized$.subscribe(() => refused++);
      void service.joinAdminRoom();
      service.connect('old');
      expect(handshake(opened[0])).toMatchObject({ auth: { token: 'old' } });
      fake.serverAccepts();
      await vi.advanceTimersByTimeAsync(0);
      // The server ends every session of the agent, this one included, and answers the
      // password change with a fresh token.
      fake.drops('io server disconnect', false);
      service.setToken('fresh');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(fake.connectCalls).toBe(1);
      expect(handshake(opened[0])).toMatchObject({ auth: { token: 'fresh' } });
      fake.serverAccepts();
      await vi.advanceTimersByTimeAsync(0);
      expect(service.status()).toBe('online');
      expect(refused).toBe(0);
      expect(fake.events()).toEqual(['subscribe_admin', 'subscribe_admin']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not sign out over a refusal of the token a password change replaced', () => {
    let refused = 0;
    service.unauthorized$.subscribe(() => refused++);
    service.connect('old');
    handshake(opened[0]); // the handshake went out with the old token…
    service.setToken('fresh'); // …and the new one came back before the refusal did.
    fake.fire('connect_error', new Error('unauthorized'));
    expect(refused).toBe(0);
    expect(fake.connectCalls).toBe(1);
    expect(service.status()).toBe('reconnecting');
    // The new token is refused too (the agent was deactivated meanwhile): now it is final.
    handshake(opened[0]);
    fake.fire('connect_error', new Error('unauthorized'));
    expect(refused).toBe(1);
    expect(service.status()).toBe('offline');
  });

  it('turns an unanswered send into a timeout error', async () => {
    service.connect('tok');
    fake.serverAccepts();
    fake.answer = () => Promise.reject(new Error('operation has timed out'));
    const ack = await service.sendMessage({ chat_id: 'c1', content: 'hi', client_id: 'k' });
    expect(ack).toEqual({ ok: false, error: 'timeout' });
    expect(fake.emitted.at(-1)).toEqual({
      event: 'send_message',
      payload: { chat_id: 'c1', content: 'hi', client_id: 'k' },
    });
  });

  it('forgets rooms and goes offline on disconnect', async () => {
    service.connect('tok');
    fake.serverAccepts();
    void service.joinAdminRoom();
    void service.joinChat('c1');
    await flush();
    expect(fake.events()).toEqual(['subscribe_admin', 'subscribe']);
    service.disconnect();
    expect(service.status()).toBe('offline');
    expect(fake.active).toBe(false);
    expect(service.chatJoin('c1')).toBeUndefined();

    // The next agent to log in starts with no rooms: nothing of the last session is joined.
    const previous = fake;
    fake = new FakeIoSocket();
    service.connect('tok-2');
    fake.serverAccepts();
    await flush();
    expect(handshake(opened[1])).toEqual({ namespace: '/support', auth: { token: 'tok-2' } });
    expect(fake.emitted).toEqual([]);
    expect(previous.events()).toEqual(['subscribe_admin', 'subscribe']);
  });
});
