import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';

/** One sender's count in the current window, as this instance knows it. */
interface Tally {
  window: number;
  /** Admitted here in this window. */
  local: number;
  /** Admitted here and not yet added to the shared count in Redis (negative after refunds). */
  unsynced: number;
  /** Admitted by the other instances, as of the last reconciliation. */
  others: number;
  /** Look-ups of a stored message made here for this sender while over its allowance. */
  lookups: number;
}

type Pending = { sender: string; tally: Tally; delta: number };

/** How often the instance adds its counts to Redis and learns the others'. */
export const RECONCILE_MS = 50;

/**
 * The per-sender message allowance (`MESSAGE_RATE_LIMIT` per `MESSAGE_RATE_WINDOW_MS`),
 * decided in memory so a message costs no Redis round trip: each instance counts what it
 * admits and, every 50 ms, adds its new counts to a shared counter per sender and window in
 * Redis and reads back the total. Windows are aligned to the clock, so every instance agrees
 * on them. A sender new to this instance in a window is reconciled at once (off the message's
 * way), and one past half its allowance on every round, so instances hear of each other while
 * it matters.
 *
 * One instance never admits more than the limit by itself. A sender whose connections are
 * spread over N instances can get past it only by what the others admit before they hear of
 * each other (about one reconciliation apart): never more than N × limit in one window, and in
 * practice a few messages. When Redis is away, each instance enforces the limit on its own.
 */
@Injectable()
export class MessageRateLimiter implements OnModuleDestroy {
  private readonly logger = new Logger(MessageRateLimiter.name);
  private readonly tallies = new Map<string, Tally>();
  private timer: NodeJS.Timeout | null = null;
  private immediate = false;
  private closed = false;
  private rounds: Promise<void> = Promise.resolve();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
  ) {}

  /** Admits one message from `sender` if its allowance has room; counts it if so. */
  tryConsume(sender: string, now = Date.now()): boolean {
    const tally = this.tally(sender, now);
    if (tally.local + tally.others >= this.config.get('messageRateLimit')) return false;
    tally.local++;
    tally.unsynced++;
    this.schedule(tally.local === 1);
    return true;
  }

  /**
   * Whether a sender over its allowance may still have Postgres asked for a stored message (a
   * resend after a lost ack is answered, not refused): as many times per window as its
   * allowance, counted on this instance. Past that, a flood of sends is refused without a query.
   */
  tryLookup(sender: string, now = Date.now()): boolean {
    const tally = this.tally(sender, now);
    if (tally.lookups >= this.config.get('messageRateLimit')) return false;
    tally.lookups++;
    return true;
  }

  /** Gives back one admission: a resend of a stored message, or a send that failed. */
  refund(sender: string, now = Date.now()): void {
    const tally = this.tallies.get(sender);
    if (!tally || tally.window !== this.windowOf(now) || tally.local === 0) return;
    tally.local--;
    tally.unsynced--;
    this.schedule(false);
  }

  /**
   * Drops what this instance counts for `sender`, so an erased user's key is not written back to
   * Redis by the next reconciliation.
   */
  forget(sender: string): void {
    this.tallies.delete(sender);
  }

  /** The Redis keys that count `sender`, as a SCAN pattern (glob characters in the name escaped). */
  keyPattern(sender: string): string {
    return `${this.config.get('redisPrefix')}:rl:msg:${sender.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  }

  /** Adds this instance's new counts to Redis and learns what the other instances admitted. */
  reconcile(now?: number): Promise<void> {
    // One round at a time, each after the one before: a count admitted during a round is in the next.
    this.rounds = this.rounds.then(() => this.sync(now ?? Date.now())).catch(() => undefined);
    return this.rounds;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    await this.reconcile().catch(() => undefined);
  }

  private async sync(now: number): Promise<void> {
    this.clearTimer();
    const current = this.windowOf(now);
    const half = this.config.get('messageRateLimit') / 2;
    const batch: Pending[] = [];
    for (const [sender, tally] of this.tallies) {
      if (tally.window < current) this.tallies.delete(sender);
      else if (tally.unsynced !== 0 || tally.local + tally.others >= half) batch.push({ sender, tally, delta: tally.unsynced });
    }
    if (!batch.length) return;
    const windowMs = this.config.get('messageRateWindowMs');
    const pipeline = this.redis.pipeline();
    for (const { sender, tally, delta } of batch) {
      tally.unsynced -= delta;
      const key = this.key(sender, tally.window);
      // INCRBY 0 reads the count of a sender near its limit without a second kind of command.
      pipeline.incrby(key, delta).pexpire(key, windowMs * 2);
    }
    try {
      const replies = (await pipeline.exec()) ?? [];
      batch.forEach(({ tally }, i) => {
        const [err, total] = replies[i * 2] ?? [new Error('no reply'), null];
        // Whatever this instance admitted meanwhile is still in `unsynced`, not in the total.
        if (!err) tally.others = Math.max(Number(total) - (tally.local - tally.unsynced), 0);
      });
    } catch (err) {
      // Keep the counts for the next try; meanwhile this instance enforces the limit alone.
      for (const { tally, delta } of batch) tally.unsynced += delta;
      this.logger.warn(`rate-limit counts not shared: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
    }
    // Senders near their limit are watched while their window lasts.
    if (batch.some(({ tally }) => tally.window === current)) this.schedule(false);
  }

  private schedule(now: boolean): void {
    if (this.closed) return;
    if (now && this.timer && !this.immediate) this.clearTimer();
    if (this.timer) return;
    this.immediate = now;
    this.timer = setTimeout(() => void this.reconcile(), now ? 0 : RECONCILE_MS);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private tally(sender: string, now: number): Tally {
    const window = this.windowOf(now);
    let tally = this.tallies.get(sender);
    if (!tally || tally.window !== window) {
      tally = { window, local: 0, unsynced: 0, others: 0, lookups: 0 };
      this.tallies.set(sender, tally);
    }
    return tally;
  }

  private windowOf(now: number): number {
    return Math.floor(now / this.config.get('messageRateWindowMs'));
  }

  private key(sender: string, window: number): string {
    return `${this.config.get('redisPrefix')}:rl:msg:${sender}:${window}`;
  }
}
