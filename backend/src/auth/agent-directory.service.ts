import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';
import type { AgentRole } from './admin.entity';

/** An agent as every request and socket event needs to know them, without asking Postgres. */
export interface AgentRecord {
  id: string;
  email: string;
  /** Display name: the agent's name, or their email's local part. */
  name: string;
  role: AgentRole;
  active: boolean;
  sessionVersion: number;
}

const REFRESH_MS = 30_000;

/**
 * Every agent's role, status and session version, in memory on each instance. A change is
 * written to Postgres, then announced on Redis so every instance reloads at once: a
 * deactivated agent's tokens stop working everywhere within a round trip, not at their expiry.
 * A periodic reload covers an announcement lost while Redis was away.
 */
@Injectable()
export class AgentDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AgentDirectory.name);
  private agents = new Map<string, AgentRecord>();
  private subscriber: Redis | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfigService,
  ) {}

  private get channel(): string {
    return `${this.config.get('redisPrefix')}:agents-changed`;
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', () => void this.reload().catch((err: unknown) => this.warn(err)));
    this.subscriber.on('error', () => undefined);
    await this.subscriber.subscribe(this.channel).catch((err: unknown) => this.warn(err));
    this.timer = setInterval(() => void this.reload().catch((err: unknown) => this.warn(err)), REFRESH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  get(id: string): AgentRecord | undefined {
    return this.agents.get(id);
  }

  /** The agent as a chat names them; null for no agent. */
  ref(id: string | null): { id: string; name: string } | null {
    if (!id) return null;
    return { id, name: this.agents.get(id)?.name ?? 'Former agent' };
  }

  all(): AgentRecord[] {
    return [...this.agents.values()];
  }

  /** Whether a console token for this agent, issued under `sessionVersion`, still works. */
  accepts(id: string, sessionVersion: unknown): boolean {
    const agent = this.agents.get(id);
    return Boolean(agent?.active) && agent?.sessionVersion === (typeof sessionVersion === 'number' ? sessionVersion : 0);
  }

  /** After a change in Postgres: reload here, and tell the other instances to. */
  async changed(): Promise<void> {
    await this.reload();
    await this.redis.publish(this.channel, '1').catch((err: unknown) => this.warn(err));
  }

  async reload(): Promise<void> {
    const rows: { id: string; email: string; name: string | null; role: AgentRole; active: boolean; session_version: number }[] =
      await this.db.query(
        `SELECT id, email, name, role, deactivated_at IS NULL AS active, session_version FROM admins`,
      );
    this.agents = new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          email: r.email,
          name: r.name?.trim() || r.email.split('@')[0],
          role: r.role,
          active: r.active,
          sessionVersion: r.session_version,
        },
      ]),
    );
  }

  private warn(err: unknown): void {
    this.logger.warn(`agent directory: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
}
