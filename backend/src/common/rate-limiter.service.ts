import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfigService } from '../config/app-config.service';
import { DomainError } from './domain-error';
import { REDIS } from './redis.module';

/**
 * Fixed-window counters in Redis, so every instance counts together. Keys name a subject
 * (a user, an agent, an email at an address), never just an IP, so people who share an
 * address are not throttled for one another.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
  ) {}

  /** Counts one hit; throws `rate_limited` once the window's allowance is spent. */
  async consume(key: string, limit: number, windowMs: number): Promise<void> {
    const full = `${this.config.get('redisPrefix')}:rl:${key}`;
    const result = await this.redis.multi().incr(full).pexpire(full, windowMs, 'NX').exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    if (count > limit) throw new DomainError('rate_limited');
  }

  /** The message allowance of one sender (user `sub` or agent id). */
  consumeMessage(senderKey: string): Promise<void> {
    return this.consume(`msg:${senderKey}`, this.config.get('messageRateLimit'), this.config.get('messageRateWindowMs'));
  }
}
