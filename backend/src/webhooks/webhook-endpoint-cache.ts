import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';
import type { WebhookEventType } from '../contracts/wire';
import { describeError } from '../logging/log-privacy';

interface ActiveEndpoint {
  id: string;
  types: ReadonlySet<string>;
  includePrivate: boolean;
}

/** A backstop for a change notice Redis dropped: every instance compares versions this often. */
const REFRESH_MS = 30_000;

export const endpointsChannel = (prefix: string): string => `${prefix}:webhooks:endpoints-changed`;
const versionKey = (prefix: string): string => `${prefix}:webhooks:endpoints-version`;

/**
 * Tells every instance (this one through its subscription too) to re-read the endpoint list,
 * and bumps the version an instance that missed the notice finds on its next check.
 */
export async function announceEndpointsChanged(redis: Redis, prefix: string): Promise<void> {
  await redis.incr(versionKey(prefix));
  await redis.publish(endpointsChannel(prefix), '1');
}

/**
 * The enabled endpoints, held in memory so that a domain event with nobody to hear it costs a
 * lookup in a small array: no query, no job. Kept current on every instance by a Redis notice
 * on each change; every 30 s a version counter in Redis (not Postgres, so the message path's
 * statements stay what they are) shows whether a notice was missed.
 */
@Injectable()
export class WebhookEndpointCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookEndpointCache.name);
  private endpoints: readonly ActiveEndpoint[] = [];
  private generation = 0;
  /** The Redis version the list was read at; the backstop re-reads Postgres only when it moved. */
  private version: string | null = null;
  private subscriber?: Redis;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', () => void this.reload());
    // Not awaited: with Redis away the subscription waits for it, and the start must not.
    this.subscriber.subscribe(endpointsChannel(this.config.get('redisPrefix'))).catch((err: unknown) => {
      this.logger.warn(`webhook endpoint notices unavailable, checking every ${REFRESH_MS / 1000} s: ${describeError(err)}`);
    });
    await this.reload();
    this.timer = setInterval(() => void this.check(), REFRESH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** No enabled endpoint at all: the common case, answered before any event is looked at. */
  get empty(): boolean {
    return this.endpoints.length === 0;
  }

  /** The endpoints that want this event type (a note only those that include notes). */
  targets(type: WebhookEventType, isPrivate: boolean): string[] {
    const ids: string[] = [];
    for (const e of this.endpoints) if (e.types.has(type) && (!isPrivate || e.includePrivate)) ids.push(e.id);
    return ids;
  }

  /** After a change: this instance re-reads before answering, the others on the notice. */
  async changed(): Promise<void> {
    await announceEndpointsChanged(this.redis, this.config.get('redisPrefix')).catch((err: unknown) => {
      this.logger.warn(`could not announce a webhook endpoint change: ${describeError(err)}`);
    });
    await this.reload();
  }

  private async check(): Promise<void> {
    const version = await this.redis.get(versionKey(this.config.get('redisPrefix'))).catch(() => undefined);
    if (version !== undefined && version !== this.version) await this.reload();
  }

  async reload(): Promise<void> {
    // Reads may finish out of order; only the newest one started is kept.
    const generation = ++this.generation;
    try {
      const version = await this.redis.get(versionKey(this.config.get('redisPrefix'))).catch(() => this.version);
      const rows: { id: string; event_types: string[]; include_private: boolean }[] = await this.db.query(
        `SELECT id, event_types, include_private FROM webhook_endpoints WHERE enabled`,
      );
      if (generation !== this.generation) return;
      this.version = version;
      this.endpoints = rows.map((r) => ({ id: r.id, types: new Set(r.event_types), includePrivate: r.include_private }));
    } catch (err) {
      this.logger.warn(`could not read the webhook endpoints: ${describeError(err)}`);
    }
  }
}
