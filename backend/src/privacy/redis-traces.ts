import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type Redis from 'ioredis';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';
import { MessageRateLimiter } from '../messages/message-rate-limiter';
import { chatJobIdPrefix, NOTIFY_QUEUE, type NotifyJobData } from '../notifications/notification-queue';

/** SCAN and XRANGE pages; both loops end when Redis says the walk is done. */
const PAGE = 500;
/** The socket adapter keeps at most 10 000 broadcasts; a bound on the walk whatever happens. */
const MAX_STREAM_PAGES = 100;

/**
 * What Redis holds about a user or their chat: queued email jobs, message rate-limit counters
 * and the broadcasts the socket adapter keeps for other instances to read. Each step is safe to
 * repeat.
 */
@Injectable()
export class RedisTraces {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(NOTIFY_QUEUE) private readonly notifications: Queue<NotifyJobData>,
    private readonly limiter: MessageRateLimiter,
    private readonly config: AppConfigService,
  ) {}

  /** Every unread-reply job of the chat, whatever its state (delayed, waiting, failed, completed). */
  async removeChatJobs(chatId: string): Promise<void> {
    const base = this.notifications.toKey(chatJobIdPrefix(chatId));
    const keys = await this.scan(`${base}*`);
    const ids = new Set(keys.map((k) => chatJobIdPrefix(chatId) + k.slice(base.length, base.length + 36)));
    for (const id of ids) {
      const job = await this.notifications.getJob(id);
      // A job being processed cannot be removed; the erase fails and its retry finishes it.
      if (job) await job.remove();
    }
    const left = await this.scan(`${base}*`);
    if (left.length) await this.redis.del(...left);
  }

  /** The user's message allowance, here and in Redis. */
  async removeRateLimits(externalId: string): Promise<void> {
    const sender = `user:${externalId}`;
    this.limiter.forget(sender);
    const keys = await this.scan(this.limiter.keyPattern(sender));
    if (keys.length) await this.redis.del(...keys);
  }

  /** Broadcasts still in the socket adapter's stream that carry any of `needles` (an email, ids). */
  async removeBroadcasts(needles: string[]): Promise<void> {
    const stream = `${this.config.get('redisPrefix')}:socket.io`;
    if ((await this.redis.type(stream)) !== 'stream') return;
    const patterns = needles.flatMap((n) => [n, JSON.stringify(n).slice(1, -1)]);
    let start = '-';
    for (let page = 0; page < MAX_STREAM_PAGES; page++) {
      const entries = await this.redis.xrange(stream, start, '+', 'COUNT', PAGE);
      const doomed = entries.filter(([, fields]) => fields.some((f) => patterns.some((p) => f.includes(p)))).map(([id]) => id);
      if (doomed.length) await this.redis.xdel(stream, ...doomed);
      if (entries.length < PAGE) return;
      start = `(${entries[entries.length - 1][0]}`;
    }
  }

  private async scan(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', PAGE);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }
}
