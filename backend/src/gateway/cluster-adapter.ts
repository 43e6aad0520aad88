import { createAdapter as createPubSubAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import Redis from 'ioredis';
import type { Server } from 'socket.io';
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
  // Commands wait out a Redis restart instead of failing after a few retries.
  const pub = logRedisOutages(new Redis(redisUrl, { maxRetriesPerRequest: null }), 'socket adapter');
  const key = `${prefix}:socket.io`;
  if (kind === 'pubsub') {
    const sub = logRedisOutages(pub.duplicate(), 'socket adapter subscriber');
    return { factory: createPubSubAdapter(pub, sub, { key }), clients: [pub, sub] };
  }
  // The adapter duplicates `pub` for its blocking reads and closes those itself; a short
  // block lets that happen soon after shutdown. 10 000 entries is minutes of history even at
  // a busy hour, enough for an instance to catch up after a Redis blip.
  const factory = createStreamsAdapter(pub, { streamName: key, channelPrefix: key, blockTimeInMs: 1000, maxLen: 10_000 });
  return { factory, clients: [pub] };
}
