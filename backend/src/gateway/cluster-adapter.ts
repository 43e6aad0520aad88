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

type ClusterBroadcaster = Adapter & { publish(message: { type: MessageType; data: unknown }): void };

/**
 * The cluster adapter waits for Redis to accept a broadcast before delivering it to this
 * instance's own sockets, which puts a Redis round trip into every relay even when the agent is
 * on the same instance. Order needs no such wait: local deliveries happen in call order, and the
 * stream keeps call order for the other instances because one connection writes it. The wait only
 * serves connection-state recovery offsets, which this server does not use (clients catch up
 * from Postgres).
 */
function deliverLocallyFirst(adapter: Adapter): Adapter {
  const cluster = adapter as ClusterBroadcaster;
  cluster.broadcast = (packet: unknown, opts: BroadcastOptions): void => {
    if (!opts.flags?.local) {
      cluster.publish({
        type: MessageType.BROADCAST,
        data: { packet, opts: { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags } },
      });
    }
    Adapter.prototype.broadcast.call(cluster, packet, opts);
  };
  return cluster;
}
