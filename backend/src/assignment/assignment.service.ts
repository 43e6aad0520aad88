import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource, type EntityManager } from 'typeorm';
import { AgentDirectory } from '../auth/agent-directory.service';
import type { AgentIdentity } from '../auth/identity';
import { ChatsService } from '../chats/chats.service';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import { REDIS } from '../common/redis.module';
import { AppConfigService } from '../config/app-config.service';
import type { SupportChatListItem } from '../contracts/wire';
import { PresenceService } from '../presence/presence.service';
import { ACTIVITY_COLUMNS, toActivity, type ActivityRow } from './activity';
import type { AssignmentSettings } from './dto/assignment.dto';

const DEFAULTS: AssignmentSettings = { auto_assign: false, max_open_per_agent: 10 };
const SETTINGS_TTL_MS = 5_000;

/**
 * Who works which chat. An agent assigns a chat to themselves, to a colleague or to nobody;
 * with auto-assignment on, new and reopened chats go to the online agent with the fewest open
 * chats below the cap (ties to whoever got one least recently), chats wait unassigned when
 * nobody has room and are handed out oldest first as soon as someone does, and a chat whose
 * agent stays offline past the grace period returns to the queue. Every change is a line in
 * the conversation and reaches every console live.
 */
@Injectable()
export class AssignmentService {
  private readonly logger = new Logger(AssignmentService.name);
  private cached: { settings: AssignmentSettings; at: number } | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly directory: AgentDirectory,
    private readonly chats: ChatsService,
    private readonly presence: PresenceService,
    private readonly events: ChatEvents,
    private readonly config: AppConfigService,
  ) {}

  async assign(actor: AgentIdentity, chatId: string, agentId: string | null): Promise<SupportChatListItem> {
    if (agentId) {
      const agent = this.directory.get(agentId);
      if (!agent) throw new DomainError('not_found', 'No such agent');
      if (!agent.active) throw new DomainError('invalid_content', 'This agent is deactivated');
    }
    const activity = await this.db.transaction(async (tx) => {
      const [chat]: { archived: boolean; assignee_id: string | null }[] = await tx.query(
        'SELECT archived_at IS NOT NULL AS archived, assignee_id FROM support_chats WHERE id = $1 FOR UPDATE',
        [chatId],
      );
      if (!chat) throw new DomainError('not_found', 'Chat not found');
      if (chat.archived) throw new DomainError('invalid_content', 'An archived chat cannot be assigned; restore it first');
      if (chat.assignee_id === agentId) return null;
      await tx.query(
        `UPDATE support_chats SET assignee_id = $2, assigned_at = CASE WHEN $2::uuid IS NULL THEN NULL ELSE now() END, updated_at = now()
         WHERE id = $1`,
        [chatId, agentId],
      );
      if (agentId) await tx.query('UPDATE admins SET last_assigned_at = clock_timestamp() WHERE id = $1', [agentId]);
      return this.record(tx, chatId, agentId ? 'assigned' : 'unassigned', actor.adminId, agentId ?? chat.assignee_id);
    });
    const chat = await this.chats.listItem(chatId);
    if (activity) this.announce(chat, activity);
    // Unassigning makes room for the queue.
    if (!agentId) void this.autoAssign();
    return chat;
  }

  async settings(): Promise<AssignmentSettings> {
    if (this.cached && Date.now() - this.cached.at < SETTINGS_TTL_MS) return this.cached.settings;
    const [row]: { value: Partial<AssignmentSettings> }[] = await this.db.query(`SELECT value FROM support_settings WHERE key = 'assignment'`);
    const settings = { ...DEFAULTS, ...(row?.value ?? {}) };
    this.cached = { settings, at: Date.now() };
    return settings;
  }

  async updateSettings(patch: Partial<AssignmentSettings>): Promise<AssignmentSettings> {
    const settings = { ...(await this.settings()), ...patch };
    await this.db.query(
      `INSERT INTO support_settings (key, value) VALUES ('assignment', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [JSON.stringify(settings)],
    );
    this.cached = { settings, at: Date.now() };
    if (settings.auto_assign) void this.autoAssign();
    return settings;
  }

  /** Hands waiting chats to online agents with room; safe to call from any instance at any time. */
  async autoAssign(): Promise<number> {
    try {
      const settings = await this.settings();
      if (!settings.auto_assign) return 0;
      const statuses = await this.presence.statuses();
      const online = Object.entries(statuses)
        .filter(([, status]) => status === 'online')
        .map(([id]) => id);
      if (!online.length) return 0;
      const rows: { chat_id: string; activity_id: string }[] = await this.db.query(
        'SELECT chat_id, activity_id FROM support_auto_assign($1::uuid[], $2)',
        [online, settings.max_open_per_agent],
      );
      if (!rows.length) return 0;
      const lines: ActivityRow[] = await this.db.query(
        `SELECT ${ACTIVITY_COLUMNS} FROM support_chat_activity WHERE id = ANY($1::uuid[])`,
        [rows.map((r) => r.activity_id)],
      );
      for (const line of lines) this.announce(await this.chats.listItem(line.chat_id), line);
      return rows.length;
    } catch (err) {
      this.logger.warn(`auto-assignment failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
      return 0;
    }
  }

  /** Returns to the queue the open chats of agents offline longer than the grace period. */
  async releaseAbsent(): Promise<number> {
    if (!(await this.settings()).auto_assign) return 0;
    const since = await this.redis.hgetall(this.offlineKey());
    const statuses = await this.presence.statuses();
    const cutoff = Date.now() - this.config.get('assignmentGraceMs');
    let released = 0;
    for (const [agentId, at] of Object.entries(since)) {
      if (statuses[agentId] !== 'offline' || Number(at) > cutoff) continue;
      const [rows]: [{ id: string }[]] = await this.db.query(
        `UPDATE support_chats SET assignee_id = NULL, assigned_at = NULL, updated_at = now()
         WHERE assignee_id = $1 AND archived_at IS NULL RETURNING id`,
        [agentId],
      );
      for (const { id } of rows) {
        const activity = await this.record(this.db.manager, id, 'unassigned', null, agentId);
        this.announce(await this.chats.listItem(id), activity);
      }
      released += rows.length;
    }
    if (released) await this.autoAssign();
    return released;
  }

  /** When each agent went offline, for the grace period; kept in Redis so every instance agrees. */
  async presenceChanged(agentId: string, status: string): Promise<void> {
    if (status === 'offline') await this.redis.hset(this.offlineKey(), agentId, Date.now());
    else await this.redis.hdel(this.offlineKey(), agentId);
  }

  private offlineKey(): string {
    return `${this.config.get('redisPrefix')}:presence:offline-since`;
  }

  private async record(
    tx: EntityManager,
    chatId: string,
    kind: 'assigned' | 'unassigned',
    actorId: string | null,
    assigneeId: string | null,
  ): Promise<ActivityRow> {
    const [row]: ActivityRow[] = await tx.query(
      `INSERT INTO support_chat_activity (chat_id, kind, actor_id, actor_name, assignee_id, assignee_name)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ACTIVITY_COLUMNS}`,
      [
        chatId,
        kind,
        actorId,
        actorId ? (this.directory.get(actorId)?.name ?? null) : null,
        assigneeId,
        assigneeId ? (this.directory.get(assigneeId)?.name ?? null) : null,
      ],
    );
    return row;
  }

  private announce(chat: SupportChatListItem, activity: ActivityRow): void {
    this.events.publish({ kind: 'chat_changed', chatId: chat.id, chat });
    this.events.publish({ kind: 'chat_activity', activity: toActivity(activity) });
  }
}
