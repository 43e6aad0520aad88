import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { BATCH_SQL, BURST_COUNTS_SQL, BURSTS_SQL, COUNTS_SQL, ENDS_SQL, WATERMARK_KEY, WATERMARK_SQL } from './rollup.sql';

/** A report finds the tables at most this old, plus the settling time below. */
const FRESH_FOR_MS = 30_000;
/**
 * Messages younger than this wait for the next round: one stamped just before the catch-up's
 * snapshot could still be committing, and must not fall behind the watermark unseen.
 */
const SETTLE = `interval '5 seconds'`;
const LOCK = `hashtext('support_report_rollup')`;

/**
 * Keeps `support_report_counts`, `support_report_bursts` and `support_report_ends` up to date from the messages and
 * archives, in rounds: each round takes what was stamped since the last one (up to 5 s ago),
 * in one transaction under an advisory lock, so instances never count twice. Reports then read
 * a few thousand rows instead of a million messages.
 *
 * Rounds run when a report asks and the last one is over 30 s old, not on a timer: nothing runs
 * while nobody reads reports, and the message path never waits for them.
 */
@Injectable()
export class ReportRollup implements OnModuleDestroy {
  private readonly logger = new Logger(ReportRollup.name);
  private running: Promise<unknown> | null = null;
  /** When this instance last finished a round (or found another instance running one). */
  private lastRound = 0;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async onModuleDestroy(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /**
   * Brings the tables up to date unless this instance did so in the last 30 s. A failed round
   * leaves the report a little older rather than failing it; the next report tries again.
   */
  async freshen(): Promise<void> {
    if (Date.now() - this.lastRound < FRESH_FOR_MS) return;
    await this.catchUp().catch((err: unknown) =>
      this.logger.warn(`report catch-up failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`),
    );
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
      // Another instance is counting: the tables are as fresh as they will be a moment from now.
      this.lastRound = Date.now();
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
      await tx.query(`TRUNCATE support_report_counts, support_report_bursts, support_report_ends`);
      await this.round(tx, '-infinity', until);
      this.lastRound = Date.now();
      return true;
    });
  }

  private async round(tx: EntityManager, since: string, until: Date): Promise<void> {
    if (since !== '-infinity' && new Date(since) >= until) return;
    const range = [since, until];
    await tx.query(COUNTS_SQL, range);
    await tx.query(BATCH_SQL, range);
    await tx.query(BURSTS_SQL);
    await tx.query(BURST_COUNTS_SQL);
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
}
