import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../common/redis.module';
import { UserDataRegistry } from '../common/user-data';
import { AppConfigService } from '../config/app-config.service';
import type { RetentionStatus } from '../contracts/wire';
import { describeError } from '../logging/log-privacy';
import { RedisTraces } from '../privacy/redis-traces';
import { cutoffAt, nextRunAfter, runKey } from './retention-schedule';
import { ChatEvents } from '../common/chat-events';

/** An archived chat whose last message (or, without one, its creation) is before $1; the retention index's range. */
const expired = (c: string) => `${c}.archived_at IS NOT NULL AND COALESCE(${c}.last_message_at, ${c}.created_at) < $1`;
const LAST_RUN = 'retention_last_run';

interface Doomed {
  chat_id: string;
  user_id: string;
  external_id: string;
  email: string;
}

export interface RetentionRun {
  deleted: number;
  /** Chats deleted by each transaction, in order. */
  batches: number[];
}

/**
 * Deletes archived chats whose last message is older than `RETENTION_DAYS`, once a day. Each
 * batch is one short transaction that skips chats someone holds (a reply being written), so the
 * chat table is never locked for long; the features' erase parts and the chat's queued emails go
 * with each chat. One instance runs each day's pass: the first to claim the day in Redis.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly registry: UserDataRegistry,
    private readonly traces: RedisTraces,
    private readonly config: AppConfigService,
    private readonly events: ChatEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  async status(now = new Date()): Promise<RetentionStatus> {
    const days = this.config.get('retentionDays');
    const [setting]: { value: { finished_at: string; deleted: number } }[] = await this.db.query(
      `SELECT value FROM support_settings WHERE key = $1`,
      [LAST_RUN],
    );
    const next = days === null ? null : nextRunAfter(now);
    return {
      retention_days: days,
      next_run_at: next?.toISOString() ?? null,
      would_delete: next && days !== null ? await this.count(cutoffAt(next, days)) : null,
      batch_size: this.config.get('retentionBatchSize'),
      last_run: setting?.value ?? null,
    };
  }

  /** Archived chats whose last message is before `cutoff`: what a run with that cutoff deletes. */
  async count(cutoff: Date): Promise<number> {
    const [row]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM support_chats c WHERE ${expired('c')}`, [cutoff]);
    return row.n;
  }

  /** One pass, now: every expired archived chat, a batch per transaction. */
  async run(now = new Date()): Promise<RetentionRun> {
    const days = this.config.get('retentionDays');
    if (days === null) return { deleted: 0, batches: [] };
    const cutoff = cutoffAt(now, days);
    const size = this.config.get('retentionBatchSize');
    // Bounded by what was expired at the start (plus one pass for chats skipped while held).
    const most = Math.ceil((await this.count(cutoff)) / size) + 1;
    const batches: number[] = [];
    for (let i = 0; i < most; i++) {
      const deleted = await this.batch(cutoff, size);
      if (!deleted) break;
      batches.push(deleted);
    }
    const deleted = batches.reduce((a, b) => a + b, 0);
    await this.db.query(
      `INSERT INTO support_settings (key, value, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [LAST_RUN, JSON.stringify({ finished_at: new Date().toISOString(), deleted })],
    );
    return { deleted, batches };
  }

  /**
   * One batch in one transaction. The chats are locked as they are picked, so the features' parts
   * erase only chats that will go: a chat reopened before the pick is no longer expired and
   * stays whole, one someone holds (a reply being written) is skipped until the next pass, and
   * once picked none can be reopened until it is gone. The parts run on their own connections
   * and must not write to the chat rows (they hold only the chats' other records). If the pass
   * stops halfway the chats are still there and still expired, and the next pass finishes them.
   */
  private async batch(cutoff: Date, size: number): Promise<number> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    let doomed: Doomed[];
    try {
      await runner.startTransaction();
      doomed = await runner.query(
        `SELECT c.id AS chat_id, u.id AS user_id, u.external_id, u.email FROM support_chats c JOIN users u ON u.id = c.user_id
         WHERE ${expired('c')}
         ORDER BY COALESCE(c.last_message_at, c.created_at), c.id LIMIT $2
         FOR UPDATE OF c SKIP LOCKED`,
        [cutoff, size],
      );
      for (const d of doomed) {
        const subject = { userId: d.user_id, externalId: d.external_id, email: d.email, chatId: d.chat_id };
        for (const part of this.registry.list()) await part.erase?.(subject);
      }
      if (doomed.length) await runner.query(`DELETE FROM support_chats WHERE id = ANY($1::uuid[])`, [doomed.map((d) => d.chat_id)]);
      await runner.commitTransaction();
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }
    const ids = doomed.map((d) => d.chat_id);
    for (const id of ids) await this.traces.removeChatJobs(id);
    if (ids.length) this.events.publish({ kind: 'chat_removed', chatIds: ids });
    return ids.length;
  }

  private schedule(): void {
    if (this.config.get('retentionDays') === null) return;
    const next = nextRunAfter(new Date());
    this.timer = setTimeout(() => void this.scheduled(next), next.getTime() - Date.now());
    this.timer.unref();
  }

  /**
   * The daily pass for the run due `at`, on whichever instance claims that day first in Redis;
   * null on the others (and on a repeat the same day).
   */
  async runDaily(at: Date): Promise<RetentionRun | null> {
    const claimed = await this.redis.set(`${this.config.get('redisPrefix')}:retention:${runKey(at)}`, '1', 'EX', 2 * 86_400, 'NX');
    if (!claimed) return null;
    const run = await this.run(at);
    this.logger.log(`retention deleted ${run.deleted} archived chat(s) in ${run.batches.length} batch(es)`);
    return run;
  }

  private async scheduled(at: Date): Promise<void> {
    try {
      await this.runDaily(at);
    } catch (err) {
      this.logger.warn(`retention run failed; tomorrow's run continues where it stopped: ${describeError(err)}`);
    } finally {
      this.schedule();
    }
  }
}
