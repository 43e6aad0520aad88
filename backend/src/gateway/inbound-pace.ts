import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'socket.io';
import { WebSocketServer, type ServerOptions } from 'ws';

/**
 * How fast the server reads one client, so that one client emitting thousands of events cannot
 * take the event loop from everyone else. Each measure was found by flooding a server while
 * timing other users' messages:
 *
 * - Each frame is handed on in a turn of the event loop of its own (`FairWebSocketServer`),
 *   with every other socket's input read in between; `ws` by default emits all the frames of
 *   one read, hundreds of small messages, in one go.
 * - A socket whose send queue is full is not read until the queue drains: the rest of its burst
 *   waits in the kernel. Unpaused, libuv read a burst of up to 2 MB in one go.
 * - A socket refused `rate_limited` rests: it is not read for a while, and its answers meanwhile
 *   are written together when the rest ends (one write per read's worth of refusals instead of
 *   one each). The rest doubles while refusals go on, up to a cap, and is forgiven by the next
 *   admitted send. A flood is then answered a read (up to 64 KB of frames) at a time, at a pace
 *   that leaves the server to everyone else; the sender still gets an answer to each message.
 *   An honest client refused once waits longer than the first rest before it tries again.
 * - Over long-polling, the answer to the body that earned a rest waits for the rest to end
 *   (`answerPollAfterRest`), and the client sends no next body before it: a body (up to 64 KB)
 *   per rest. Unpaced, a 60,000-message flood over long-polling was over in under a second at
 *   three times the others' calm p95.
 */

/** The WebSocket server engine.io is given: `ws`'s, emitting one frame per turn. */
export class FairWebSocketServer extends WebSocketServer {
  constructor(options: ServerOptions, callback?: () => void) {
    super({ ...options, allowSynchronousEvents: false }, callback);
  }
}

export interface PaceState {
  /** Not read while its send queue is full. */
  paused?: boolean;
  /** Not read for a while after a refusal for its rate. */
  resting?: boolean;
  /** The next rest's length, doubled by each refusal after a rest. */
  restMs?: number;
}

export const FIRST_REST_MS = 100;
export const LONGEST_REST_MS = 400;

/** What is used of engine.io's WebSocket transport: the `ws` socket and its TCP stream. */
interface WebSocketTransport {
  name?: string;
  socket?: { pause(): void; resume(): void; _socket?: { cork(): void; uncork(): void } };
}

type PacedSocket = Pick<Socket, 'conn'> & { data: PaceState };

function webSocketOf(socket: PacedSocket): WebSocketTransport['socket'] {
  const transport = (socket.conn as unknown as { transport?: WebSocketTransport }).transport;
  return transport?.name === 'websocket' ? transport.socket : undefined;
}

/** Reads again only when neither a full queue nor a rest holds it back. */
function updateReading(socket: PacedSocket): void {
  const ws = webSocketOf(socket);
  if (!socket.data.paused && !socket.data.resting) ws?.resume();
  else ws?.pause();
}

export function holdWhileQueueFull(socket: PacedSocket): void {
  if (socket.data.paused) return;
  socket.data.paused = true;
  updateReading(socket);
}

/** The queue has drained: read again, after whatever else is waiting for the event loop. */
export function releaseQueue(socket: PacedSocket): void {
  if (!socket.data.paused) return;
  socket.data.paused = false;
  setImmediate(() => updateReading(socket));
}

export function restAfterRefusal(socket: PacedSocket): void {
  const data = socket.data;
  if (data.resting) return;
  const ms = data.restMs ?? FIRST_REST_MS;
  data.restMs = Math.min(ms * 2, LONGEST_REST_MS);
  data.resting = true;
  updateReading(socket);
  const stream = webSocketOf(socket)?._socket;
  stream?.cork();
  // engine.io's id for the connection: the `sid` a long-polling client's requests carry.
  const connection = (socket.conn as unknown as { id: string }).id;
  let ended: () => void = () => undefined;
  restsByConnection.set(connection, new Promise<void>((resolve) => (ended = resolve)));
  setTimeout(() => {
    data.resting = false;
    stream?.uncork();
    updateReading(socket);
    restsByConnection.delete(connection);
    ended();
  }, ms).unref();
}

/** Rests under way by engine.io connection id, each settled when it ends. */
const restsByConnection = new Map<string, Promise<void>>();
/** Long-polling connections whose last body's answer is held until a rest ends. */
const heldPolls = new Set<string>();

/**
 * An engine.io middleware: a long-polling client's POST is answered only when its rest, if one
 * began while the body's events were handled, is over. A client sends its next body only once
 * the last is answered, so a flood over long-polling is read a body (up to 64 KB) per rest, as a
 * WebSocket's is a read per rest. A body sent while the last one's answer is held is refused
 * with 400, as engine.io refuses overlapping bodies; no honest client sends one.
 */
export function answerPollAfterRest(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
  const sid = req.method === 'POST' ? new URL(req.url ?? '/', 'http://localhost').searchParams.get('sid') : null;
  if (!sid) return next();
  if (heldPolls.has(sid)) {
    res.writeHead(400).end();
    return;
  }
  const { writeHead, end } = res;
  let head: Parameters<ServerResponse['writeHead']> | undefined;
  const answer = (body: unknown[]) => {
    heldPolls.delete(sid);
    res.writeHead = writeHead;
    res.end = end;
    if (head) res.writeHead(...head);
    (res.end as (...args: unknown[]) => ServerResponse)(...body);
  };
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    head = args;
    return this;
  } as ServerResponse['writeHead'];
  res.end = function (this: ServerResponse, ...body: unknown[]) {
    heldPolls.add(sid);
    // The body's events have been dispatched; by the next turn those refused have said so.
    setImmediate(() => {
      const rest = restsByConnection.get(sid);
      if (rest) void rest.then(() => answer(body));
      else answer(body);
    });
    return this;
  } as ServerResponse['end'];
  next();
}

/** An admitted send: the next refusal starts again from the first rest. */
export function forgiveRefusals(socket: PacedSocket): void {
  delete socket.data.restMs;
}
