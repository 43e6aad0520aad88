import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { AgentDirectory } from '../auth/agent-directory.service';
import { ChatEvents } from '../common/chat-events';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';
import type { PresenceStatus } from '../contracts/wire';

/**
 * One agent's status from their connections, choice and last activity, compared with the status
 * last announced and stored if it changed, atomically: of several instances evaluating the same
 * change, exactly one hears "changed" and announces it.
 */
const EVALUATE = `
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
  local status = 'offline'
  if redis.call('ZCARD', KEYS[1]) > 0 then
    status = 'online'
    if redis.call('EXISTS', KEYS[2]) == 1 then
      status = 'away'
    elseif tonumber(ARGV[1]) - tonumber(redis.call('GET', KEYS[3]) or ARGV[1]) > tonumber(ARGV[2]) then
      status = 'away'
    end
  end
  if redis.call('HGET', KEYS[4], ARGV[3]) == status then return {status, 0} end
  redis.call('HSET', KEYS[4], ARGV[3], status)
  return {status, 1}`;

/** The team's availability for users, announced when it changes (same compare-and-set). */
const TEAM = `
  local all = redis.call('HVALS', KEYS[1])
  local team = 'offline'
  for _, s in ipairs(all) do
    if s == 'online' then team = 'online' break end
    if s == 'away' then team = 'away' end
  end
  if redis.call('GET', KEYS[2]) == team then return {team, 0} end
  redis.call('SET', KEYS[2], team)
  return {team, 1}`;

/**
 * Agents' presence across tabs and instances, in Redis. An agent is online while any console tab
 * of theirs is connected to any instance, away when they say so or after AGENT_IDLE_AWAY_MS
 * without activity, offline otherwise. Each instance renews its own connections every
 * PRESENCE_HEARTBEAT_MS and lets them lapse after three missed beats, so an instance that dies
 * takes its agents offline within four beats (20 s by default), found by the others' sweeps.
 * Changes are announced once, as `agent_presence` to the agents and `availability` to users.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  private readonly instance = randomUUID();
  /** This instance's agent connections: socket id → agent id. */
  private readonly local = new Map<string, string>();
  private readonly lastActivityWrite = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private team: PresenceStatus = 'offline';

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
    private readonly directory: AgentDirectory,
    private readonly events: ChatEvents,
  ) {}

  /** What users are told: whether any agent is available (no identities). */
  get availability(): PresenceStatus {
    return this.team;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.beat().catch((err: unknown) => this.warn(err)), this.config.get('presenceHeartbeatMs'));
    this.timer.unref();
    void this.readTeam().catch((err: unknown) => this.warn(err));
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // A graceful stop takes this instance's agents offline now rather than after the lapse.
    const agents = new Set(this.local.values());
    const pipeline = this.redis.pipeline();
    for (const [socketId, agentId] of this.local) pipeline.zrem(this.key('conns', agentId), this.member(socketId));
    this.local.clear();
    await pipeline.exec().catch(() => undefined);
    for (const agentId of agents) await this.evaluate(agentId).catch(() => undefined);
  }

  async connected(socketId: string, agentId: string): Promise<void> {
    this.local.set(socketId, agentId);
    await this.redis
      .multi()
      .zadd(this.key('conns', agentId), Date.now() + this.ttl(), this.member(socketId))
      .set(this.key('active', agentId), Date.now(), 'PX', this.config.get('agentIdleAwayMs') * 2)
      .exec();
    this.lastActivityWrite.set(agentId, Date.now());
    await this.evaluate(agentId);
  }

  async disconnected(socketId: string): Promise<void> {
    const agentId = this.local.get(socketId);
    if (!agentId) return;
    this.local.delete(socketId);
    await this.redis.zrem(this.key('conns', agentId), this.member(socketId));
    await this.evaluate(agentId);
  }

  /** The agent's own switch: away until they say they are back. */
  async choose(agentId: string, status: 'online' | 'away'): Promise<PresenceStatus> {
    if (status === 'away') await this.redis.set(this.key('away', agentId), '1');
    else await this.redis.multi().del(this.key('away', agentId)).set(this.key('active', agentId), Date.now()).exec();
    return this.evaluate(agentId);
  }

  /** Something the agent did: written at most every 30 s, so activity costs no round trip per event. */
  activity(agentId: string): void {
    const now = Date.now();
    if (now - (this.lastActivityWrite.get(agentId) ?? 0) < 30_000) return;
    this.lastActivityWrite.set(agentId, now);
    void this.redis
      .set(this.key('active', agentId), now, 'PX', this.config.get('agentIdleAwayMs') * 2)
      .then(() => this.evaluate(agentId))
      .catch((err: unknown) => this.warn(err));
  }

  /** Every agent's status as last announced. */
  async statuses(): Promise<Record<string, PresenceStatus>> {
    return (await this.redis.hgetall(this.key('status'))) as Record<string, PresenceStatus>;
  }

  /** Renews this instance's connections, then looks at every agent for changes nobody announced. */
  async beat(): Promise<void> {
    const expires = Date.now() + this.ttl();
    const pipeline = this.redis.pipeline();
    for (const [socketId, agentId] of this.local) pipeline.zadd(this.key('conns', agentId), expires, this.member(socketId));
    await pipeline.exec();
    for (const agent of this.directory.all()) await this.evaluate(agent.id);
    await this.readTeam();
  }

  async evaluate(agentId: string): Promise<PresenceStatus> {
    const [status, changed] = (await this.redis.eval(
      EVALUATE,
      4,
      this.key('conns', agentId),
      this.key('away', agentId),
      this.key('active', agentId),
      this.key('status'),
      String(Date.now()),
      String(this.config.get('agentIdleAwayMs')),
      agentId,
    )) as [PresenceStatus, number];
    if (changed) {
      this.events.publish({ kind: 'agent_presence', agentId, name: this.directory.get(agentId)?.name ?? '', status });
      const [team, teamChanged] = (await this.redis.eval(TEAM, 2, this.key('status'), this.key('team'))) as [PresenceStatus, number];
      this.team = team;
      if (teamChanged) this.events.publish({ kind: 'availability', status: team });
    }
    return status;
  }

  private async readTeam(): Promise<void> {
    const team = await this.redis.get(this.key('team'));
    if (team === 'online' || team === 'away' || team === 'offline') this.team = team;
  }

  private ttl(): number {
    return this.config.get('presenceHeartbeatMs') * 3;
  }

  private member(socketId: string): string {
    return `${this.instance}:${socketId}`;
  }

  private key(kind: string, agentId?: string): string {
    return `${this.config.get('redisPrefix')}:presence:${kind}${agentId ? `:${agentId}` : ''}`;
  }

  private warn(err: unknown): void {
    this.logger.warn(`presence: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
}
