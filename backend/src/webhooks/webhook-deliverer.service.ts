import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';
import type { WebhookDeliveryStatus } from '../contracts/wire';
import { describeError } from '../logging/log-privacy';
import { backoffMs } from './retry-policy';
import { announceEndpointsChanged } from './webhook-endpoint-cache';
import { sendAttempt, type AttemptOutcome } from './webhook-sender';
import { signedHeaders } from './webhook-signer';
import { parseTargetUrl, resolveTarget, TargetRefused } from './webhook-target';
import { WebhookQueue } from './webhook-queue';
import { SecretBox } from './secret-box';

interface DueDelivery {
  id: string;
  endpoint_id: string;
  event_type: string;
  body: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  retry_until: Date;
  url: string;
  enabled: boolean;
  secrets: string[];
}

/**
 * What settling a delivery as failed writes, besides its error: no next attempt, and the body
 * of a `user.erased` event dropped (it names the person, and will not be sent now).
 */
const SETTLED_AS_FAILED = `status = 'failed', next_attempt_at = NULL, updated_at = now(),
            body = CASE WHEN event_type = 'user.erased' THEN NULL ELSE body END`;

/**
 * A disabled endpoint's pending deliveries are settled at once, as failed, rather than each at
 * its next attempt (which backoff may put many seconds away): the deliveries list shows at once
 * what will not go, and each may be resent once the endpoint is enabled again.
 */
export async function failPendingDeliveries(db: Pick<DataSource, 'query'>, endpointId: string): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET ${SETTLED_AS_FAILED}, last_error = 'the endpoint is disabled' WHERE endpoint_id = $1 AND status = 'pending'`,
    [endpointId],
  );
}

/** The `webhook-id` of a delivery: stable across its attempts and resends. */
export const webhookIdOf = (deliveryId: string): string => `msg_${deliveryId.replace(/-/g, '')}`;

/** How long a finished delivery stays listed for admins. */
const KEEP_FINISHED_DAYS = 30;

export const formatDuration = (ms: number): string =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;

/**
 * One attempt of one delivery, and what follows from it: done, retried later (Retry-After, or
 * backoff with jitter within the retry window), or given up; and the endpoint's health, which
 * disables it once every attempt has failed for the configured window.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queue: WebhookQueue,
    private readonly config: AppConfigService,
    private readonly box: SecretBox,
  ) {}

  /** A secret no configured key opens (SECRETS_KEY changed without keeping the old key) is retried, not lost. */
  private openSecrets(sealed: string[]): string[] {
    try {
      return sealed.map((s) => this.box.open(s));
    } catch {
      throw new TargetRefused('its signing secret cannot be opened with the keys in SECRETS_KEY', true);
    }
  }

  async attempt(deliveryId: string, attempt: number): Promise<string> {
    const [d]: DueDelivery[] = await this.db.query(
      `SELECT d.id, d.endpoint_id, d.event_type, d.body, d.status, d.attempts, d.retry_until, e.url, e.enabled,
              ARRAY(SELECT s.secret FROM webhook_secrets s
                    WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > now())
                    ORDER BY s.created_at DESC, s.id) AS secrets
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
      [deliveryId],
    );
    // Erased, finished, or a job left over from an attempt already made: nothing to do.
    if (!d || d.status !== 'pending' || d.attempts !== attempt) return 'stale';
    if (!d.enabled) return this.giveUp(d, 'the endpoint is disabled');
    if (d.body === null || !d.secrets.length) return this.giveUp(d, 'nothing left to send');

    let outcome: AttemptOutcome;
    try {
      const url = parseTargetUrl(d.url, this.config.get('production'));
      const addresses = await resolveTarget(url, this.config.get('webhookAllowPrivate'));
      const id = webhookIdOf(d.id);
      const headers = signedHeaders(this.openSecrets(d.secrets), id, Math.floor(Date.now() / 1000), d.body);
      outcome = await sendAttempt(url, addresses, headers, d.body, this.config.get('webhookTimeoutMs'));
    } catch (err) {
      if (!(err instanceof TargetRefused)) throw err;
      outcome = err.transient
        ? { kind: 'retry', status: null, latencyMs: null, error: err.reason, retryAfterMs: null }
        : { kind: 'rejected', status: null, latencyMs: null, error: `refused: ${err.reason}` };
    }
    return this.record(d, outcome);
  }

  private async record(d: DueDelivery, outcome: AttemptOutcome): Promise<string> {
    const made = d.attempts + 1;
    let next: { status: WebhookDeliveryStatus; delayMs: number | null; error: string | null };
    if (outcome.kind === 'delivered') next = { status: 'succeeded', delayMs: null, error: null };
    else if (outcome.kind === 'rejected') next = { status: 'failed', delayMs: null, error: outcome.error };
    else {
      const delayMs = outcome.retryAfterMs ?? backoffMs(made, this.config.get('webhookBackoffBaseMs'));
      next =
        Date.now() + delayMs > d.retry_until.getTime()
          ? { status: 'failed', delayMs: null, error: `gave up after ${made} attempts: ${outcome.error}` }
          : { status: 'pending', delayMs, error: outcome.error };
    }
    // UPDATE answers [rows, count] through TypeORM.
    const [written]: [unknown[], number] = await this.db.query(
      `UPDATE webhook_deliveries SET status = $3::text, attempts = attempts + 1, response_code = $4, latency_ms = $5,
              last_error = $6, last_attempt_at = now(), updated_at = now(),
              next_attempt_at = CASE WHEN $7::int IS NULL THEN NULL ELSE now() + $7::int * interval '1 millisecond' END,
              body = CASE WHEN $3::text <> 'pending' AND event_type = 'user.erased' THEN NULL ELSE body END
       WHERE id = $1 AND attempts = $2 RETURNING id`,
      [d.id, d.attempts, next.status, outcome.status, outcome.latencyMs, next.error?.slice(0, 300) ?? null, next.delayMs],
    );
    // The row went (an erase) while the request was out.
    if (!written.length) return 'gone';
    if (next.status === 'pending' && next.delayMs !== null) {
      await this.queue.enqueue([{ deliveryId: d.id, attempt: made, delayMs: next.delayMs }]);
    }
    if (outcome.kind === 'delivered') {
      await this.db.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [d.endpoint_id]);
    } else {
      this.logger.warn(`webhook delivery ${d.id} attempt ${made}: ${outcome.error}${next.status === 'pending' ? `, next in ${next.delayMs} ms` : ', not retried'}`);
      await this.failing(d.endpoint_id, outcome.error);
    }
    return next.status;
  }

  private async giveUp(d: DueDelivery, error: string): Promise<string> {
    await this.db.query(
      `UPDATE webhook_deliveries SET ${SETTLED_AS_FAILED}, last_error = $3 WHERE id = $1 AND attempts = $2`,
      [d.id, d.attempts, error],
    );
    return 'failed';
  }

  /** Another failure of the endpoint: past the window of continuous failure, it is disabled. */
  private async failing(endpointId: string, lastError: string): Promise<void> {
    const window = this.config.get('webhookDisableAfterMs');
    const [[row]]: [{ failing_since: Date }[], number] = await this.db.query(
      `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, now()) WHERE id = $1 AND enabled RETURNING failing_since`,
      [endpointId],
    );
    if (!row || Date.now() - row.failing_since.getTime() < window) return;
    const reason = `Disabled automatically: every delivery failed for ${formatDuration(window)} since ${row.failing_since.toISOString()} (last error: ${lastError})`;
    const [[disabled]]: [unknown[], number] = await this.db.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
       WHERE id = $1 AND enabled RETURNING id`,
      [endpointId, reason.slice(0, 500)],
    );
    if (!disabled) return;
    this.logger.warn(`webhook endpoint ${endpointId} disabled after failing for ${formatDuration(window)}`);
    await failPendingDeliveries(this.db, endpointId);
    await announceEndpointsChanged(this.redis, this.config.get('redisPrefix')).catch((err: unknown) =>
      this.logger.warn(`could not announce a webhook endpoint change: ${describeError(err)}`),
    );
  }

  /**
   * Re-queues pending deliveries whose job Redis lost (overdue by a minute), prunes finished
   * deliveries past their keep and secrets past their rotation.
   */
  async sweep(): Promise<number> {
    const due: { id: string; attempts: number }[] = await this.db.query(
      `SELECT id, attempts FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at < now() - interval '1 minute' ORDER BY next_attempt_at LIMIT 500`,
    );
    await this.queue.enqueue(due.map((d) => ({ deliveryId: d.id, attempt: d.attempts, delayMs: 0 })));
    await this.db.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - $1 * interval '1 day' LIMIT 1000)`,
      [KEEP_FINISHED_DAYS],
    );
    await this.db.query(`DELETE FROM webhook_secrets WHERE expires_at < now()`);
    return due.length;
  }
}
