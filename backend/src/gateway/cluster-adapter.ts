import { createAdapter as createPubSubAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import Redis from 'ioredis';
import type { Server } from 'socket.io';
import { Adapter, type BroadcastOptions, MessageType } from 'socket.io-adapter';
import { logRedisOutages } from '../common/redis-outages';
import type { SocketAdapterKind } from '../config/app-config';

type AdapterFactory = Parameters<Server['adapter']>[0];

/**
 * How broadcasts reach the sockets of every instance.
 *
 * `streams` (the default) appends each broadcast to a Redis stream every instance reads from
 * where it left off, so a dropped Redis connection delays broadcasts instead of losing them.
 * `pubsub` is the classic adapter: fire and forget, kept as a fallback.
 */
export function clusterAdapter(kind: SocketAdapterKind, redisUrl: string, prefix: string): { factory: AdapterFactory; clients: Redis[] } {
  // Commands wait out a Redis restart instead of failing after a few retries. No
  // auto-pipelining: it defers a broadcast's write to the next tick, after the sender's ack has
  // gone out, so an instance killed in between would have acknowledged a message the other
  // instances never hear of. Written at once, the broadcast leaves before the ack.
  const pub = logRedisOutages(new Redis(redisUrl, { maxRetriesPerRequest: null }), 'socket adapter');
  const key = `${prefix}:socket.io`;
  if (kind === 'pubsub') {
    const sub = logRedisOutages(pub.duplicate(), 'socket adapter subscriber');
    return { factory: createPubSubAdapter(pub, sub, { key }), clients: [pub, sub] };
  }
  // The adapter duplicates `pub` for its blocking reads and closes those itself; a short
  // block lets that happen soon after shutdown. 10 000 entries is minutes of history even at
  // a busy hour, enough for an instance to catch up after a Redis blip.
  const streams = createStreamsAdapter(pub, { streamName: key, channelPrefix: key, blockTimeInMs: 1000, maxLen: 10_000 });
  // Socket.IO calls the factory with `new`, so it must be a function, not an arrow.
  const factory = function (nsp: Parameters<typeof streams>[0]) {
    return deliverLocallyFirst(streams(nsp));
  } as unknown as AdapterFactory;
  return { factory, clients: [pub] };
}

type ClusterMessage = { uid?: string; nsp?: string; type: number; data?: unknown };
type ClusterBroadcaster = Adapter & {
  publish(message: { type: number; data: unknown }): void;
  onMessage(message: ClusterMessage, offset?: string): void;
};
type BroadcastData = { packet: unknown; opts: { rooms: string[]; except: string[]; flags: BroadcastOptions['flags'] } };

/**
 * A message type of this product's own: several broadcasts in one stream entry, delivered on
 * the other instances one by one in the order they were made. Past the adapter's own types.
 */
const BROADCASTS = 100;

/** An adapter that can send the broadcasts `work` makes to the other instances as one entry. */
export interface BatchingAdapter extends Adapter {
  together<T>(work: () => T): T;
}

/**
 * Runs `work`, whose broadcasts reach the other instances in one Redis write instead of one
 * each (a user's message makes three). Only synchronous work: the entry is written when it
 * returns, before anything after it (the sender's ack) can go out.
 */
export function broadcastTogether<T>(adapter: Adapter, work: () => T): T {
  const batching = adapter as Adapter & { together?: BatchingAdapter['together'] };
  return batching.together ? batching.together(work) : work();
}

/**
 * The cluster adapter waits for Redis to accept a broadcast before delivering it to this
 * instance's own sockets, which puts a Redis round trip into every relay even when the agent is
 * on the same instance. Order needs no such wait: local deliveries happen in call order, and the
 * stream keeps call order for the other instances because one connection writes it. The wait only
 * serves connection-state recovery offsets, which this server does not use (clients catch up
 * from Postgres).
 */
function deliverLocallyFirst(adapter: Adapter): Adapter {
  const cluster = adapter as ClusterBroadcaster & BatchingAdapter;
  let gathering: BroadcastData[] | null = null;
  cluster.broadcast = (packet: unknown, opts: BroadcastOptions): void => {
    if (!opts.flags?.local) {
      const data: BroadcastData = { packet, opts: { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags } };
      if (gathering) gathering.push(data);
      else cluster.publish({ type: MessageType.BROADCAST, data });
    }
    Adapter.prototype.broadcast.call(cluster, packet, opts);
  };
  cluster.together = <T>(work: () => T): T => {
    if (gathering) return work();
    gathering = [];
    try {
      return work();
    } finally {
      const made = gathering;
      gathering = null;
      if (made.length === 1) cluster.publish({ type: MessageType.BROADCAST, data: made[0] });
      // An object, not an array: the streams adapter reads entries whose data is not `{…}` as binary.
      else if (made.length > 1) cluster.publish({ type: BROADCASTS, data: { broadcasts: made } });
    }
  };
  const onMessage = cluster.onMessage.bind(cluster);
  cluster.onMessage = (message: ClusterMessage, offset?: string): void => {
    if (message.type !== BROADCASTS) return onMessage(message, offset);
    for (const data of (message.data as { broadcasts: BroadcastData[] }).broadcasts) onMessage({ ...message, type: MessageType.BROADCAST, data }, offset);
  };
  return cluster;
}
