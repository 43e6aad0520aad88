import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { BATCH_SQL, BURSTS_SQL, COUNTS_SQL, ENDS_SQL, WATERMARK_KEY, WATERMARK_SQL } from './rollup.sql';

/** How often each instance tries to bring the report tables up to date (one at a time). */
const CATCH_UP_EVERY_MS = 30_000;
/**
 * Messages younger than this wait for the next round: one stamped just before the catch-up's
 * snapshot could still be committing, and must not fall behind the watermark unseen.
 */
const SETTLE = `interval '5 seconds'`;
const LOCK = `hashtext('support_report_rollup')`;

/**
 * Keeps `support_report_counts` and `support_report_bursts` up to date from the messages and
 * archives, in rounds: each round takes what was stamped since the last one (up to 5 s ago),
 * in one transaction under an advisory lock, so instances never count twice. Reports then read
 * a few thousand rows instead of a million messages.
 */
@Injectable()
export class ReportRollup implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ReportRollup.name);
  private timer?: ReturnType<typeof setInterval>;
  private running: Promise<unknown> | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.catchUp().catch((err: unknown) => this.warn(err)), CATCH_UP_EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One round; false when another instance holds the lock. */
  catchUp(): Promise<boolean> {
    return this.once(async (tx) => {
      const [{ locked, since, until }]: { locked: boolean; since: string | null; until: Date }[] = await tx.query(
        `SELECT pg_try_advisory_xact_lock(${LOCK}) AS locked,
                (SELECT value #>> '{}' FROM support_settings WHERE key = $1) AS since,
                date_trunc('milliseconds', now() - ${SETTLE}) AS until`,
        [WATERMARK_KEY],
      );
      if (!locked) return false;
      await this.round(tx, since ?? '-infinity', until);
      return true;
    });
  }

  /**
   * Recounts everything from the history: after history was imported or changed behind the
   * catch-up's back (its rounds only take what is newer than the last one).
   */
  rebuild(): Promise<boolean> {
    return this.once(async (tx) => {
      const [{ until }]: { until: Date }[] = await tx.query(
        `SELECT pg_advisory_xact_lock(${LOCK}), date_trunc('milliseconds', now() - ${SETTLE}) AS until`,
      );
      await tx.query(`TRUNCATE support_report_counts, support_report_bursts`);
      await this.round(tx, '-infinity', until);
      return true;
    });
  }

  private async round(tx: EntityManager, since: string, until: Date): Promise<void> {
    if (since !== '-infinity' && new Date(since) >= until) return;
    const range = [since, until];
    await tx.query(COUNTS_SQL, range);
    await tx.query(BATCH_SQL, range);
    await tx.query(BURSTS_SQL);
    await tx.query(ENDS_SQL);
    await tx.query(WATERMARK_SQL, [until]);
  }

  /** Rounds on this instance one after another, each in its own transaction. */
  private once<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    const previous = this.running ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.db.transaction(work));
    this.running = next;
    return next;
  }

  private warn(err: unknown): void {
    this.logger.warn(`report catch-up failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
}
