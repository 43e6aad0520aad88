import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  answerPollAfterRest,
  FairWebSocketServer,
  FIRST_REST_MS,
  forgiveRefusals,
  holdWhileQueueFull,
  LONGEST_REST_MS,
  releaseQueue,
  restAfterRefusal,
  type PaceState,
} from './inbound-pace';

/** A socket as engine.io's WebSocket transport presents it: reading and writing are what is watched. */
function fakeSocket() {
  const state = { reading: true, corked: 0 };
  const ws = {
    pause: () => (state.reading = false),
    resume: () => (state.reading = true),
    _socket: { cork: () => state.corked++, uncork: () => state.corked-- },
  };
  const socket = { conn: { transport: { name: 'websocket', socket: ws } }, data: {} as PaceState } as unknown as Parameters<
    typeof restAfterRefusal
  >[0] & { data: PaceState };
  return { socket, state };
}

describe('inbound pace', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('stops reading a refused socket and holds its answers until the rest ends', () => {
    const { socket, state } = fakeSocket();
    restAfterRefusal(socket);
    expect(state).toEqual({ reading: false, corked: 1 });
    // Refusals during the rest change nothing: one rest, one held batch.
    restAfterRefusal(socket);
    expect(state.corked).toBe(1);
    jest.advanceTimersByTime(FIRST_REST_MS - 1);
    expect(state.reading).toBe(false);
    jest.advanceTimersByTime(1);
    expect(state).toEqual({ reading: true, corked: 0 });
  });

  it('doubles the rest while refusals go on, up to the cap, and starts over after an admitted send', () => {
    const { socket, state } = fakeSocket();
    const rests: number[] = [];
    for (let i = 0; i < 6; i++) {
      restAfterRefusal(socket);
      let waited = 0;
      while (!state.reading) {
        jest.advanceTimersByTime(10);
        waited += 10;
      }
      rests.push(waited);
    }
    expect(rests).toEqual([FIRST_REST_MS, 2 * FIRST_REST_MS, 4 * FIRST_REST_MS, LONGEST_REST_MS, LONGEST_REST_MS, LONGEST_REST_MS]);
    forgiveRefusals(socket);
    restAfterRefusal(socket);
    jest.advanceTimersByTime(FIRST_REST_MS);
    expect(state.reading).toBe(true);
  });

  it('reads again only when neither a full queue nor a rest holds the socket back', () => {
    const { socket, state } = fakeSocket();
    holdWhileQueueFull(socket);
    restAfterRefusal(socket);
    jest.advanceTimersByTime(FIRST_REST_MS);
    expect(state.reading).toBe(false);
    releaseQueue(socket);
    jest.runOnlyPendingTimers();
    expect(state.reading).toBe(true);

    holdWhileQueueFull(socket);
    restAfterRefusal(socket);
    releaseQueue(socket);
    jest.advanceTimersByTime(1);
    expect(state.reading).toBe(false);
    jest.advanceTimersByTime(2 * FIRST_REST_MS);
    expect(state.reading).toBe(true);
  });

  it('has no reading to stop on a long-polling socket', () => {
    const socket = { conn: { transport: { name: 'polling' } }, data: {} as PaceState } as unknown as Parameters<typeof restAfterRefusal>[0];
    expect(() => {
      restAfterRefusal(socket);
      holdWhileQueueFull(socket);
      releaseQueue(socket);
      jest.runOnlyPendingTimers();
    }).not.toThrow();
    expect(socket.data).toMatchObject({ paused: false, resting: false });
  });

  describe('over long-polling', () => {
    /** A response as engine.io writes one: what reached the wire is recorded. */
    function post(sid: string) {
      const wire: string[] = [];
      const res = {
        writeHead(status: number) {
          wire.push(String(status));
          return this;
        },
        end(body?: string) {
          wire.push(body ?? '');
          return this;
        },
      };
      let passed = false;
      answerPollAfterRest({ method: 'POST', url: `/socket.io/?EIO=4&transport=polling&sid=${sid}` } as IncomingMessage, res as unknown as ServerResponse, () => {
        passed = true;
      });
      return { res, wire, passed: () => passed };
    }
    const restingSocket = (sid: string) =>
      ({ conn: { id: sid, transport: { name: 'polling' } }, data: {} as PaceState }) as unknown as Parameters<typeof restAfterRefusal>[0];

    it('answers a body at once when it earned no rest', () => {
      const { res, wire, passed } = post('calm');
      expect(passed()).toBe(true);
      res.writeHead(200).end('ok');
      jest.advanceTimersByTime(0);
      expect(wire).toEqual(['200', 'ok']);
    });

    it('holds the answer to a body that earned a rest until the rest ends, and refuses a body sent meanwhile', () => {
      const { res, wire } = post('flooding');
      res.writeHead(200);
      res.end('ok');
      // The body's refusals are handled after engine.io has written its answer.
      restAfterRefusal(restingSocket('flooding'));
      jest.advanceTimersByTime(FIRST_REST_MS - 1);
      expect(wire).toEqual([]);

      const overlapping = post('flooding');
      expect(overlapping.passed()).toBe(false);
      expect(overlapping.wire).toEqual(['400', '']);

      jest.advanceTimersByTime(1);
      return Promise.resolve().then(() => {
        expect(wire).toEqual(['200', 'ok']);
        // Answered: the client's next body is read.
        expect(post('flooding').passed()).toBe(true);
      });
    });
  });

  it('has the WebSocket server emit one frame per turn of the event loop', () => {
    const server = new FairWebSocketServer({ noServer: true });
    expect(server.options.allowSynchronousEvents).toBe(false);
    server.close();
  });
});
