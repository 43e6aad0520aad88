import { TestBed } from '@angular/core/testing';
import { NewMessageEvent } from './api.types';
import { SOCKET_FACTORY, SocketService, SupportSocket } from './socket.service';

type Handler = (...args: unknown[]) => void;

/** The parts of a socket.io-client socket the service uses, driven by the test. */
class FakeIoSocket {
  connected = false;
  active = true;
  connectCalls = 0;
  readonly emitted: { event: string; payload: unknown }[] = [];
  answer: (event: string) => Promise<unknown> = () => Promise.resolve({ ok: true });
  private readonly handlers = new Map<string, Handler[]>();

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
        return this.answer(event);
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
    this.fire('disconnect', reason);
  }
  events(): string[] {
    return this.emitted.map((e) => e.event);
  }
}

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

  it('opens /support with the token and joins the rooms asked for before it connected', () => {
    service.joinAdminRoom();
    service.joinChat('c1');
    service.connect('tok');
    expect(opened).toEqual([{ namespace: '/support', options: { auth: { token: 'tok' } } }]);
    expect(service.status()).toBe('connecting');
    fake.serverAccepts();
    expect(service.status()).toBe('online');
    expect(fake.emitted).toEqual([
      { event: 'subscribe_admin', payload: {} },
      { event: 'subscribe', payload: { chat_id: 'c1' } },
    ]);
  });

  it('joins every room again after a reconnect and says it reconnected', () => {
    const reconnects: void[] = [];
    service.reconnected$.subscribe(() => reconnects.push(undefined));
    service.connect('tok');
    fake.serverAccepts();
    service.joinAdminRoom();
    service.joinChat('c1');
    service.joinChat('c2');
    service.leaveChat('c2');
    expect(reconnects).toHaveLength(0);

    fake.drops('transport close', true);
    expect(service.status()).toBe('reconnecting');
    fake.emitted.length = 0;
    fake.serverAccepts();
    expect(reconnects).toHaveLength(1);
    expect(fake.emitted).toEqual([
      { event: 'subscribe_admin', payload: {} },
      { event: 'subscribe', payload: { chat_id: 'c1' } },
    ]);
  });

  it('counts views of a chat so one closing does not unsubscribe the other', () => {
    service.connect('tok');
    fake.serverAccepts();
    service.joinChat('c1');
    service.joinChat('c1');
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

  it('reports a refused token', () => {
    let refused = false;
    service.unauthorized$.subscribe(() => (refused = true));
    service.connect('tok');
    fake.fire('connect_error', new Error('unauthorized'));
    expect(refused).toBe(true);
    expect(service.status()).toBe('offline');
  });

  it('retries once the server drops the session, so an expired token ends in a refusal', () => {
    vi.useFakeTimers();
    try {
      service.connect('tok');
      fake.serverAccepts();
      fake.drops('io server disconnect', false);
      expect(service.status()).toBe('reconnecting');
      expect(fake.connectCalls).toBe(0);
      vi.advanceTimersByTime(1_000);
      expect(fake.connectCalls).toBe(1);
    } finally {
      vi.useRealTimers();
    }
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

  it('forgets rooms and goes offline on disconnect', () => {
    service.connect('tok');
    fake.serverAccepts();
    service.joinChat('c1');
    service.disconnect();
    expect(service.status()).toBe('offline');
    expect(fake.active).toBe(false);
  });
});
