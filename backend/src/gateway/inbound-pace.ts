import type { Socket } from 'socket.io';
import { WebSocketServer, type ServerOptions } from 'ws';

/**
 * How fast the server reads one client's WebSocket, so that one client emitting thousands of
 * events cannot take the event loop from everyone else. Three measures, each found by
 * flooding a server while timing other users' messages:
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
 *
 * Long-polling needs none of this: a poll's body is capped at 64 KB and answered in one response.
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
  setTimeout(() => {
    data.resting = false;
    stream?.uncork();
    updateReading(socket);
  }, ms).unref();
}

/** An admitted send: the next refusal starts again from the first rest. */
export function forgiveRefusals(socket: PacedSocket): void {
  delete socket.data.restMs;
}
