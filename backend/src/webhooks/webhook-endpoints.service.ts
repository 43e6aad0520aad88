import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { AppConfigService } from '../config/app-config.service';
import type { WebhookDelivery, WebhookDeliveryPage, WebhookEndpointView, WebhookEndpointWithSecret } from '../contracts/wire';
import type { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook.dto';
import { failPendingDeliveries, webhookIdOf } from './webhook-deliverer.service';
import { WebhookEndpointCache } from './webhook-endpoint-cache';
import { WebhookQueue } from './webhook-queue';
import { SecretBox } from './secret-box';
import { newSecret } from './webhook-signer';
import { parseTargetUrl, resolveTarget, TargetRefused } from './webhook-target';

/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_HOURS = 24;

const ENDPOINT_COLUMNS = `e.id, e.url, e.description, e.event_types, e.include_private, e.enabled, e.disabled_reason,
  e.disabled_at, e.failing_since, e.created_at, e.updated_at,
  (SELECT max(s.expires_at) FROM webhook_secrets s WHERE s.endpoint_id = e.id AND s.expires_at > now()) AS rotation_ends_at`;

const DELIVERY_COLUMNS = `d.id, d.event_type, d.status, d.attempts, d.response_code, d.latency_ms, d.last_error,
  d.last_attempt_at, d.next_attempt_at, d.created_at`;

/** A row as pg answers it: timestamps as Date where the wire has ISO strings. */
type Row<T, Dates extends keyof T> = Omit<T, Dates> & { [K in Dates]: T[K] extends string ? Date : Date | null };
type EndpointRow = Row<WebhookEndpointView, 'disabled_at' | 'failing_since' | 'rotation_ends_at' | 'created_at' | 'updated_at'>;
type DeliveryRow = Row<Omit<WebhookDelivery, 'webhook_id'>, 'last_attempt_at' | 'next_attempt_at' | 'created_at'>;
const iso = (v: Date | null): string | null => (v === null ? null : v.toISOString());

function toEndpoint(r: EndpointRow): WebhookEndpointView {
  return {
    ...r,
    disabled_at: iso(r.disabled_at),
    failing_since: iso(r.failing_since),
    rotation_ends_at: iso(r.rotation_ends_at),
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function toDelivery(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    webhook_id: webhookIdOf(r.id),
    event_type: r.event_type,
    status: r.status,
    attempts: r.attempts,
    response_code: r.response_code,
    latency_ms: r.latency_ms,
    last_error: r.last_error,
    last_attempt_at: iso(r.last_attempt_at),
    next_attempt_at: iso(r.next_attempt_at),
    created_at: r.created_at.toISOString(),
  };
}

/** What admins do with webhook endpoints: register, change, rotate, inspect and resend. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: WebhookEndpointCache,
    private readonly queue: WebhookQueue,
    private readonly config: AppConfigService,
    private readonly box: SecretBox,
  ) {}

  async list(): Promise<WebhookEndpointView[]> {
    const rows: EndpointRow[] = await this.db.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e ORDER BY e.created_at, e.id`);
    return rows.map(toEndpoint);
  }

  async get(id: string): Promise<WebhookEndpointView> {
    const [row]: EndpointRow[] = await this.db.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1`, [id]);
    if (!row) throw new DomainError('not_found', 'No such webhook endpoint');
    return toEndpoint(row);
  }

  async create(dto: CreateWebhookDto): Promise<WebhookEndpointWithSecret> {
    const url = await this.checkedUrl(dto.url);
    const secret = newSecret();
    const id = await this.db.transaction(async (tx) => {
      const [row]: { id: string }[] = await tx.query(
        `INSERT INTO webhook_endpoints (url, description, event_types, include_private) VALUES ($1, $2, $3, $4) RETURNING id`,
        [url, dto.description?.trim() || null, dto.event_types, dto.include_private ?? false],
      );
      await tx.query(`INSERT INTO webhook_secrets (endpoint_id, secret) VALUES ($1, $2)`, [row.id, this.box.seal(secret)]);
      return row.id;
    });
    await this.cache.changed();
    return { endpoint: await this.get(id), secret };
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookEndpointView> {
    await this.get(id);
    const url = dto.url === undefined ? null : await this.checkedUrl(dto.url);
    // Re-enabling forgets why it was disabled and starts its failure window afresh.
    await this.db.query(
      `UPDATE webhook_endpoints SET
         url = COALESCE($2, url),
         event_types = COALESCE($3, event_types),
         include_private = COALESCE($4, include_private),
         description = CASE WHEN $5::boolean THEN $6 ELSE description END,
         enabled = COALESCE($7, enabled),
         disabled_reason = CASE WHEN $7 IS TRUE THEN NULL WHEN $7 IS FALSE AND enabled THEN 'Disabled by an admin' ELSE disabled_reason END,
         disabled_at = CASE WHEN $7 IS TRUE THEN NULL WHEN $7 IS FALSE AND enabled THEN now() ELSE disabled_at END,
         failing_since = CASE WHEN $7 IS TRUE THEN NULL ELSE failing_since END,
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        url,
        dto.event_types ?? null,
        dto.include_private ?? null,
        dto.description !== undefined,
        dto.description?.trim() || null,
        dto.enabled ?? null,
      ],
    );
    if (dto.enabled === false) await failPendingDeliveries(this.db, id);
    await this.cache.changed();
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const [rows]: [unknown[], number] = await this.db.query(`DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id`, [id]);
    if (!rows.length) throw new DomainError('not_found', 'No such webhook endpoint');
    await this.cache.changed();
  }

  /** A new secret, shown once; the current one keeps signing beside it for a day. */
  async rotate(id: string): Promise<WebhookEndpointWithSecret> {
    await this.get(id);
    const secret = newSecret();
    await this.db.transaction(async (tx) => {
      await tx.query(`SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, [id]);
      await tx.query(
        `UPDATE webhook_secrets SET expires_at = now() + $2 * interval '1 hour' WHERE endpoint_id = $1 AND expires_at IS NULL`,
        [id, ROTATION_OVERLAP_HOURS],
      );
      await tx.query(`INSERT INTO webhook_secrets (endpoint_id, secret) VALUES ($1, $2)`, [id, this.box.seal(secret)]);
      await tx.query(`UPDATE webhook_endpoints SET updated_at = now() WHERE id = $1`, [id]);
    });
    return { endpoint: await this.get(id), secret };
  }

  /** The endpoint's deliveries, newest first, `limit` at a time. */
  async deliveries(id: string, limit = 50, cursor?: string): Promise<WebhookDeliveryPage> {
    await this.get(id);
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
       WHERE d.endpoint_id = $1
         AND ($2::uuid IS NULL OR (d.created_at, d.id) < (SELECT c.created_at, c.id FROM webhook_deliveries c WHERE c.id = $2 AND c.endpoint_id = $1))
       ORDER BY d.created_at DESC, d.id DESC LIMIT $3`,
      [id, cursor ?? null, limit + 1],
    );
    const items = rows.slice(0, limit).map(toDelivery);
    return { items, next_cursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** Sends a finished delivery again: same `webhook-id` and body, a fresh retry window. */
  async resend(id: string, deliveryId: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(id);
    if (!endpoint.enabled) throw new ConflictException('The endpoint is disabled; enable it before resending');
    const [rows]: [{ attempts: number }[], number] = await this.db.query(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now(),
              retry_until = now() + $3 * interval '1 millisecond'
       WHERE id = $2 AND endpoint_id = $1 AND status <> 'pending' AND body IS NOT NULL
       RETURNING attempts`,
      [id, deliveryId, this.config.get('webhookRetryForMs')],
    );
    if (!rows.length) {
      const [found]: { status: string; has_body: boolean }[] = await this.db.query(
        `SELECT status, body IS NOT NULL AS has_body FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2`,
        [deliveryId, id],
      );
      if (!found) throw new DomainError('not_found', 'No such delivery for this endpoint');
      if (found.status === 'pending') throw new ConflictException('This delivery is still being attempted');
      throw new ConflictException('Nothing to resend: the body of a user.erased event is dropped once it was delivered');
    }
    // A job left from before the delivery was settled (its endpoint disabled while it waited)
    // carries the same id and would keep the new one from being queued: it goes first.
    await this.queue.remove([{ id: deliveryId, attempts: rows[0].attempts }]);
    await this.queue.enqueue([{ deliveryId, attempt: rows[0].attempts, delayMs: 0 }]);
    const [row]: DeliveryRow[] = await this.db.query(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.id = $1`, [
      deliveryId,
    ]);
    return toDelivery(row);
  }

  private async checkedUrl(raw: string): Promise<string> {
    try {
      const url = parseTargetUrl(raw.trim(), this.config.get('production'));
      await resolveTarget(url, this.config.get('webhookAllowPrivate'));
      return url.toString();
    } catch (err) {
      if (err instanceof TargetRefused) throw new BadRequestException(err.reason);
      throw err;
    }
  }
}
