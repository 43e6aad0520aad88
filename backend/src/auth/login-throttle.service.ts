import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DomainError } from '../common/domain-error';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';

interface Rule {
  /** Attempts allowed before any delay. */
  free: number;
  /** The delay doubles from one second with each attempt past `free`, up to this. */
  capMs: number;
}

/** An account: someone else's guesses can slow it to one try per 30 s, never lock it out. */
export const ACCOUNT_RULE: Rule = { free: 5, capMs: 30_000 };
/** An address: one that keeps guessing waits up to 15 minutes between tries. */
export const ADDRESS_RULE: Rule = { free: 20, capMs: 15 * 60_000 };
/** Attempts are forgotten this long after the last one. */
const MEMORY_MS = 15 * 60_000;

/**
 * Both keys hold "attempts:until". Checks that neither must still wait and, if so, counts the
 * attempt in both and sets their next allowed time, in one step: guesses that arrive together
 * are each counted, so the second one already sees the delay the first one started.
 * KEYS: account, address. ARGV: now, memory ms, then free and cap for each key.
 * Returns 0, or the ms left to wait (nothing counted).
 */
const ATTEMPT_SCRIPT = `
  local now = tonumber(ARGV[1])
  local counts = {}
  local wait = 0
  for i = 1, 2 do
    local v = redis.call('GET', KEYS[i])
    local n, untl = 0, 0
    if v then
      local a, b = string.match(v, '^(%d+):(%d+)$')
      n, untl = tonumber(a) or 0, tonumber(b) or 0
    end
    counts[i] = n
    if untl - now > wait then wait = untl - now end
  end
  if wait > 0 then return wait end
  for i = 1, 2 do
    local n = counts[i] + 1
    local free, cap = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
    local delay = 0
    if n > free then delay = math.min(1000 * 2 ^ (n - free - 1), cap) end
    redis.call('SET', KEYS[i], n .. ':' .. string.format('%d', now + delay), 'PX', ARGV[2])
  end
  return 0`;

/**
 * Takes back one attempt from an address whose attempt turned out to be a success, so that an
 * office behind one address only waits for its failures. KEYS: address. ARGV: now, free, cap.
 */
const REFUND_SCRIPT = `
  local v = redis.call('GET', KEYS[1])
  if not v then return 0 end
  local a, b = string.match(v, '^(%d+):(%d+)$')
  local n, untl = (tonumber(a) or 1) - 1, tonumber(b) or 0
  if n <= 0 then redis.call('DEL', KEYS[1]) return 0 end
  local free, cap = tonumber(ARGV[2]), tonumber(ARGV[3])
  local delay = 0
  if n > free then delay = math.min(1000 * 2 ^ (n - free - 1), cap) end
  untl = math.min(untl, tonumber(ARGV[1]) + delay)
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl <= 0 then ttl = 1 end
  redis.call('SET', KEYS[1], n .. ':' .. string.format('%d', untl), 'PX', ttl)
  return n`;

/**
 * Login attempts, per account and per address, with a delay that grows with each attempt past
 * the free ones: an attempt that comes before the delay has passed is refused (429) without
 * checking the password, so guessing gets slower and slower while a colleague behind the same
 * address, or the agent after a mistyped password, is barely held up.
 *
 * An attempt is counted before its password is checked, not after it failed: checking takes a
 * deliberately slow hash, and guesses sent together would otherwise all pass the check before
 * any of them was counted. A success then clears the account's count and gives the address its
 * attempt back.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
  ) {}

  /** Counts an attempt for its account and its address, or refuses it if either must still wait. */
  async attempt(email: string, ip: string, now = Date.now()): Promise<void> {
    const wait = Number(
      await this.redis.eval(
        ATTEMPT_SCRIPT,
        2,
        this.key('acct', email),
        this.key('addr', ip),
        String(now),
        String(MEMORY_MS),
        String(ACCOUNT_RULE.free),
        String(ACCOUNT_RULE.capMs),
        String(ADDRESS_RULE.free),
        String(ADDRESS_RULE.capMs),
      ),
    );
    if (wait > 0) {
      throw new DomainError('rate_limited', `Too many failed logins; try again in ${Math.ceil(wait / 1000)} s`);
    }
  }

  async succeeded(email: string, ip: string, now = Date.now()): Promise<void> {
    await Promise.all([
      this.redis.del(this.key('acct', email)),
      this.redis.eval(REFUND_SCRIPT, 1, this.key('addr', ip), String(now), String(ADDRESS_RULE.free), String(ADDRESS_RULE.capMs)),
    ]);
  }

  private key(kind: 'acct' | 'addr', subject: string): string {
    return `${this.config.get('redisPrefix')}:login:${kind}:${subject.trim().toLowerCase()}`;
  }
}
