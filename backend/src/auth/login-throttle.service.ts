import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DomainError } from '../common/domain-error';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';

interface Rule {
  /** Failures allowed before any delay. */
  free: number;
  /** The delay doubles from one second with each failure past `free`, up to this. */
  capMs: number;
}

/** An account: someone else's guesses can slow it to one try per 30 s, never lock it out. */
export const ACCOUNT_RULE: Rule = { free: 5, capMs: 30_000 };
/** An address: one that keeps guessing waits up to 15 minutes between tries. */
export const ADDRESS_RULE: Rule = { free: 20, capMs: 15 * 60_000 };
/** Failures are forgotten this long after the last one. */
const MEMORY_MS = 15 * 60_000;

/**
 * Login attempts, per account and per address, with a delay that grows with each failure: a
 * guess that comes before the delay has passed is refused (429) without checking the password,
 * so guessing gets slower and slower while a colleague behind the same address, or the agent
 * after a mistyped password, is barely held up. A success clears the account's count.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
  ) {}

  /** Refuses an attempt that comes too early for its account or its address. */
  async check(email: string, ip: string, now = Date.now()): Promise<void> {
    const untils = await this.redis.mget(this.key('acct', email), this.key('addr', ip));
    const until = Math.max(...untils.map((v) => Number(v?.split(':')[1] ?? 0)));
    if (until > now) {
      throw new DomainError('rate_limited', `Too many failed logins; try again in ${Math.ceil((until - now) / 1000)} s`);
    }
  }

  async failed(email: string, ip: string, now = Date.now()): Promise<void> {
    await Promise.all([this.bump(this.key('acct', email), ACCOUNT_RULE, now), this.bump(this.key('addr', ip), ADDRESS_RULE, now)]);
  }

  async succeeded(email: string): Promise<void> {
    await this.redis.del(this.key('acct', email));
  }

  /** The delay after `failures` failures under `rule`, in ms. */
  static delayMs(rule: Rule, failures: number): number {
    if (failures <= rule.free) return 0;
    return Math.min(1000 * 2 ** (failures - rule.free - 1), rule.capMs);
  }

  private async bump(key: string, rule: Rule, now: number): Promise<void> {
    // "failures:until", updated atomically so concurrent failures each count.
    const script = `
      local v = redis.call('GET', KEYS[1])
      local n = 0
      if v then n = tonumber(string.match(v, '^(%d+)')) end
      n = n + 1
      local delay = 0
      if n > tonumber(ARGV[2]) then delay = math.min(1000 * 2 ^ (n - tonumber(ARGV[2]) - 1), tonumber(ARGV[3])) end
      redis.call('SET', KEYS[1], n .. ':' .. (tonumber(ARGV[1]) + delay), 'PX', ARGV[4])
      return n`;
    await this.redis.eval(script, 1, key, String(now), String(rule.free), String(rule.capMs), String(MEMORY_MS));
  }

  private key(kind: 'acct' | 'addr', subject: string): string {
    return `${this.config.get('redisPrefix')}:login:${kind}:${subject.trim().toLowerCase()}`;
  }
}
