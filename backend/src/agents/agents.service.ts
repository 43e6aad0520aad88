import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { AgentRole } from '../auth/admin.entity';
import { AgentDirectory } from '../auth/agent-directory.service';
import { AuthService } from '../auth/auth.service';
import type { AgentIdentity } from '../auth/identity';
import { hashPassword, verifyPassword } from '../auth/password';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import { AppConfigService } from '../config/app-config.service';
import type { AgentView } from '../contracts/wire';

interface AgentRow {
  id: string;
  email: string;
  name: string | null;
  role: AgentRole;
  active: boolean;
  created_at: Date;
}

/** How long a set-password link works. */
const LINK_TTL_MS = 72 * 3600_000;
const COLUMNS = `id, email, name, role, deactivated_at IS NULL AS active, created_at`;

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] ?? '?'];
  return letters.map((w) => Array.from(w)[0]?.toUpperCase() ?? '').join('') || '?';
}

function toView(row: AgentRow): AgentView {
  const name = row.name?.trim() || row.email.split('@')[0];
  return { id: row.id, email: row.email, name, initials: initials(name), role: row.role, active: row.active, created_at: row.created_at.toISOString() };
}

const hashLink = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The team: admins add agents (with a password, or a one-time link to set one), rename them,
 * change roles, deactivate and reactivate them and reset passwords; every agent keeps their own
 * name and password. Whatever ends an agent's access (deactivation, a new password) moves their
 * session version on, which every instance's AgentDirectory hears of at once.
 */
@Injectable()
export class AgentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly directory: AgentDirectory,
    private readonly auth: AuthService,
    private readonly config: AppConfigService,
    private readonly events: ChatEvents,
  ) {}

  async list(): Promise<AgentView[]> {
    const rows: AgentRow[] = await this.db.query(`SELECT ${COLUMNS} FROM admins ORDER BY lower(COALESCE(name, email)), id`);
    return rows.map(toView);
  }

  async get(id: string): Promise<AgentView> {
    const [row]: AgentRow[] = await this.db.query(`SELECT ${COLUMNS} FROM admins WHERE id = $1`, [id]);
    if (!row) throw new DomainError('not_found', 'No such agent');
    return toView(row);
  }

  async create(input: { email: string; name: string; role?: AgentRole; password?: string }): Promise<{ agent: AgentView; set_password_url?: string }> {
    const link = input.password ? null : this.newLink();
    // An agent invited by link has no password until they set one: no hash matches ''.
    const passwordHash = input.password ? await hashPassword(input.password) : '';
    const [row]: AgentRow[] = await this.db.query(
      `INSERT INTO admins (email, name, role, password_hash, password_link_hash, password_link_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
      [input.email.trim().toLowerCase(), input.name.trim(), input.role ?? 'agent', passwordHash, link?.hash ?? null, link?.expiresAt ?? null],
    );
    if (!row) throw new ConflictException('An agent with this email already exists');
    await this.directory.changed();
    return { agent: toView(row), ...(link ? { set_password_url: link.url } : {}) };
  }

  /** Renames or changes the role; the last active admin stays an admin. */
  async update(id: string, input: { name?: string; role?: AgentRole }): Promise<AgentView> {
    const view = await this.db.transaction(async (tx) => {
      await this.lockTeam(tx);
      const current = await this.row(tx, id);
      if (input.role === 'agent' && current.role === 'admin' && current.active) await this.keepAnAdmin(tx, id);
      const [[row]]: [[AgentRow]] = await tx.query(
        `UPDATE admins SET name = COALESCE($2, name), role = COALESCE($3, role), updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, input.name?.trim() ?? null, input.role ?? null],
      );
      return toView(row);
    });
    await this.directory.changed();
    return view;
  }

  /** Deactivation refuses the agent's tokens and ends their sockets at once, on every instance. */
  async setActive(id: string, active: boolean): Promise<AgentView> {
    const view = await this.db.transaction(async (tx) => {
      await this.lockTeam(tx);
      const current = await this.row(tx, id);
      if (!active && current.role === 'admin' && current.active) await this.keepAnAdmin(tx, id);
      const [[row]]: [[AgentRow]] = await tx.query(
        active
          ? `UPDATE admins SET deactivated_at = NULL, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`
          : `UPDATE admins SET deactivated_at = COALESCE(deactivated_at, now()), session_version = session_version + 1,
               password_link_hash = NULL, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      return toView(row);
    });
    await this.directory.changed();
    if (!active) this.events.publish({ kind: 'agent_signed_out', agentId: id });
    return view;
  }

  /** A new password, or a one-time link to set one; either way the agent's sessions end. */
  async resetPassword(id: string, password?: string): Promise<{ set_password_url?: string }> {
    const link = password ? null : this.newLink();
    const passwordHash = password ? await hashPassword(password) : null;
    const [rows]: [{ id: string }[]] = await this.db.query(
      // With a link the old password stops working at once: the reset may be for a leaked one.
      `UPDATE admins SET password_hash = COALESCE($2, ''), password_link_hash = $3, password_link_expires_at = $4,
         session_version = session_version + 1, updated_at = now()
       WHERE id = $1 RETURNING id`,
      [id, passwordHash, link?.hash ?? null, link?.expiresAt ?? null],
    );
    if (!rows.length) throw new DomainError('not_found', 'No such agent');
    await this.directory.changed();
    this.events.publish({ kind: 'agent_signed_out', agentId: id });
    return link ? { set_password_url: link.url } : {};
  }

  async rename(agent: AgentIdentity, name: string): Promise<AgentView> {
    return this.update(agent.adminId, { name });
  }

  /** The agent's own change: the other sessions end, and this one gets a fresh token. */
  async changePassword(agent: AgentIdentity, current: string, next: string): Promise<{ access_token: string; expires_in: number }> {
    const [row]: { password_hash: string }[] = await this.db.query('SELECT password_hash FROM admins WHERE id = $1', [agent.adminId]);
    if (!row || !(await verifyPassword(current, row.password_hash || undefined))) {
      throw new DomainError('invalid_content', 'The current password is wrong');
    }
    const [[updated]]: [[{ email: string; name: string | null; session_version: number }]] = await this.db.query(
      `UPDATE admins SET password_hash = $2, session_version = session_version + 1, password_link_hash = NULL, updated_at = now()
       WHERE id = $1 RETURNING email, name, session_version`,
      [agent.adminId, await hashPassword(next)],
    );
    await this.directory.changed();
    this.events.publish({ kind: 'agent_signed_out', agentId: agent.adminId });
    return this.auth.issue(agent.adminId, updated.email, updated.name, updated.session_version);
  }

  /** Redeems a set-password link: once, before it expires, for an active agent. */
  async setPasswordWithLink(token: string, password: string): Promise<void> {
    const [rows]: [{ id: string }[]] = await this.db.query(
      `UPDATE admins SET password_hash = $2, password_link_hash = NULL, password_link_expires_at = NULL,
         session_version = session_version + 1, updated_at = now()
       WHERE password_link_hash = $1 AND password_link_expires_at > now() AND deactivated_at IS NULL
       RETURNING id`,
      [hashLink(token), await hashPassword(password)],
    );
    if (!rows.length) throw new DomainError('invalid_content', 'This link is invalid or has expired; ask an admin for a new one');
    await this.directory.changed();
  }

  private newLink(): { url: string; hash: string; expiresAt: Date } {
    const token = randomBytes(32).toString('base64url');
    return {
      url: `${this.config.get('publicUrl')}/admin/set-password?token=${token}`,
      hash: hashLink(token),
      expiresAt: new Date(Date.now() + LINK_TTL_MS),
    };
  }

  /** Changes to roles and status take turns, so two admins cannot demote each other at once. */
  private async lockTeam(tx: EntityManager): Promise<void> {
    await tx.query('LOCK TABLE admins IN SHARE ROW EXCLUSIVE MODE');
  }

  private async row(tx: EntityManager, id: string): Promise<AgentRow> {
    const [row]: AgentRow[] = await tx.query(`SELECT ${COLUMNS} FROM admins WHERE id = $1`, [id]);
    if (!row) throw new DomainError('not_found', 'No such agent');
    return row;
  }

  private async keepAnAdmin(tx: EntityManager, leaving: string): Promise<void> {
    const [{ n }]: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM admins WHERE role = 'admin' AND deactivated_at IS NULL AND id <> $1`,
      [leaving],
    );
    if (n === 0) throw new ConflictException('The last active admin cannot be demoted or deactivated');
  }
}
