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

/** A backstop for a change notice Redis dropped: every instance re-reads at least this often. */
const REFRESH_MS = 30_000;

export const endpointsChannel = (prefix: string): string => `${prefix}:webhooks:endpoints-changed`;

/** Tells every instance (this one through its subscription too) to re-read the endpoint list. */
export async function announceEndpointsChanged(redis: Redis, prefix: string): Promise<void> {
  await redis.publish(endpointsChannel(prefix), '1');
}

/**
 * The enabled endpoints, held in memory so that a domain event with nobody to hear it costs a
 * lookup in a small array: no query, no job. Kept current on every instance by a Redis notice
 * on each change, and re-read every 30 s in case a notice was lost.
 */
@Injectable()
export class WebhookEndpointCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookEndpointCache.name);
  private endpoints: readonly ActiveEndpoint[] = [];
  private generation = 0;
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
    await this.subscriber.subscribe(endpointsChannel(this.config.get('redisPrefix'))).catch((err: unknown) => {
      this.logger.warn(`webhook endpoint notices unavailable, re-reading every ${REFRESH_MS / 1000} s: ${describeError(err)}`);
    });
    await this.reload();
    this.timer = setInterval(() => void this.reload(), REFRESH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** The endpoints that want this event type (a note only those that include notes). */
  targets(type: WebhookEventType, isPrivate: boolean): string[] {
    const ids: string[] = [];
    for (const e of this.endpoints) if (e.types.has(type) && (!isPrivate || e.includePrivate)) ids.push(e.id);
    return ids;
  }

  /** After a change: this instance re-reads before answering, the others on the notice. */
  async changed(): Promise<void> {
    await this.reload();
    await announceEndpointsChanged(this.redis, this.config.get('redisPrefix')).catch((err: unknown) => {
      this.logger.warn(`could not announce a webhook endpoint change: ${describeError(err)}`);
    });
  }

  async reload(): Promise<void> {
    // Reads may finish out of order; only the newest one started is kept.
    const generation = ++this.generation;
    try {
      const rows: { id: string; event_types: string[]; include_private: boolean }[] = await this.db.query(
        `SELECT id, event_types, include_private FROM webhook_endpoints WHERE enabled`,
      );
      if (generation !== this.generation) return;
      this.endpoints = rows.map((r) => ({ id: r.id, types: new Set(r.event_types), includePrivate: r.include_private }));
    } catch (err) {
      this.logger.warn(`could not read the webhook endpoints: ${describeError(err)}`);
    }
  }
}
