import type Redis from 'ioredis';
import type { AppConfigService } from '../config/app-config.service';
import { MessageRateLimiter } from './message-rate-limiter';

/** Redis's INCRBY and PEXPIRE over a shared map: enough to reconcile several instances. */
function sharedCounters() {
  const counts = new Map<string, number>();
  let rounds = 0;
  let down = false;
  const client = {
    pipeline() {
      const ops: (() => [Error | null, unknown])[] = [];
      const p = {
        incrby(key: string, by: number) {
          ops.push(() => {
            counts.set(key, (counts.get(key) ?? 0) + by);
            return [null, counts.get(key)];
          });
          return p;
        },
        pexpire() {
          ops.push(() => [null, 1]);
          return p;
        },
        async exec() {
          rounds++;
          if (down) throw new Error('Connection is closed.');
          return ops.map((op) => op());
        },
      };
      return p;
    },
  };
  return {
    redis: client as unknown as Redis,
    counts,
    get rounds() {
      return rounds;
    },
    setDown(value: boolean) {
      down = value;
    },
  };
}

function limiter(redis: Redis, limit = 10, windowMs = 60_000) {
  const values = { messageRateLimit: limit, messageRateWindowMs: windowMs, redisPrefix: 't' } as const;
  const config = { get: (key: keyof typeof values) => values[key] } as unknown as AppConfigService;
  return new MessageRateLimiter(redis, config);
}

describe('MessageRateLimiter', () => {
  const T = 6_000_000; // the start of a window

  it('admits up to the limit per window on one instance, with no Redis round trip per message', async () => {
    const shared = sharedCounters();
    const one = limiter(shared.redis, 3);
    expect([1, 2, 3, 4].map(() => one.tryConsume('user:a', T))).toEqual([true, true, true, false]);
    expect(shared.rounds).toBe(0);
    expect(one.tryConsume('user:b', T)).toBe(true);
    expect(one.tryConsume('user:a', T + 60_000)).toBe(true);
    await one.onModuleDestroy();
  });

  it('gives back a refund, so a resend or a failed store is not counted', async () => {
    const shared = sharedCounters();
    const one = limiter(shared.redis, 2);
    expect(one.tryConsume('user:a', T)).toBe(true);
    expect(one.tryConsume('user:a', T)).toBe(true);
    one.refund('user:a', T);
    expect(one.tryConsume('user:a', T)).toBe(true);
    expect(one.tryConsume('user:a', T)).toBe(false);
    await one.reconcile(T);
    expect([...shared.counts.values()]).toEqual([2]);
    await one.onModuleDestroy();
  });

  it('lets a sender over its allowance look up stored messages as often as its allowance per window, no more', async () => {
    const shared = sharedCounters();
    const one = limiter(shared.redis, 3);
    expect([1, 2, 3, 4].map(() => one.tryLookup('user:a', T))).toEqual([true, true, true, false]);
    expect(one.tryLookup('user:b', T)).toBe(true);
    expect(one.tryLookup('user:a', T + 60_000)).toBe(true);
    // Look-ups are not messages: the allowance is untouched, and nothing goes to Redis.
    expect(one.tryConsume('user:a', T)).toBe(true);
    await one.reconcile(T);
    expect([...shared.counts.values()]).toEqual([1]);
    await one.onModuleDestroy();
  });

  it('counts a sender on several instances together once they reconcile', async () => {
    const shared = sharedCounters();
    const a = limiter(shared.redis, 4);
    const b = limiter(shared.redis, 4);
    for (let i = 0; i < 3; i++) expect(a.tryConsume('user:x', T)).toBe(true);
    await a.reconcile(T);
    expect(b.tryConsume('user:x', T)).toBe(true);
    await b.reconcile(T);
    expect(b.tryConsume('user:x', T)).toBe(false);
    // A watches a sender past half its allowance and learns of B's admission.
    await a.reconcile(T);
    expect(a.tryConsume('user:x', T)).toBe(false);
    expect([...shared.counts.values()]).toEqual([4]);
    await Promise.all([a.onModuleDestroy(), b.onModuleDestroy()]);
  });

  it('keeps enforcing the limit alone while Redis is away, and shares the counts when it is back', async () => {
    const shared = sharedCounters();
    const one = limiter(shared.redis, 2);
    shared.setDown(true);
    expect(one.tryConsume('user:a', T)).toBe(true);
    await one.reconcile(T);
    expect(one.tryConsume('user:a', T)).toBe(true);
    expect(one.tryConsume('user:a', T)).toBe(false);
    shared.setDown(false);
    await one.reconcile(T);
    expect([...shared.counts.values()]).toEqual([2]);
    await one.onModuleDestroy();
  });
});
