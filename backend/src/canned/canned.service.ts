import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentDirectory } from '../auth/agent-directory.service';
import type { AgentIdentity } from '../auth/identity';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation } from '../common/names';
import type { CannedExpansion, CannedReply } from '../contracts/wire';
import { MAX_CONTENT } from '../messages/dto/message.dto';
import { expandCanned } from './expand';

const COLUMNS = 'id, title, shortcut, content, created_at, updated_at';

interface Row {
  id: string;
  title: string;
  shortcut: string;
  content: string;
  created_at: Date;
  updated_at: Date;
}

const toWire = (r: Row): CannedReply => ({
  id: r.id,
  title: r.title,
  shortcut: r.shortcut,
  content: r.content,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

/** LIKE's own characters in a search are meant literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The team's shared replies. Admins keep the library; any agent searches it and expands one for
 * a chat, which fills the variables from that chat's user and the agent and refuses what could
 * not be sent (an unknown shortcut, a text over the message limit once filled).
 */
@Injectable()
export class CannedService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly agents: AgentDirectory,
  ) {}

  /** Every reply, by shortcut; with `q`, those whose shortcut, title or text contain every word of it. */
  async search(q?: string): Promise<CannedReply[]> {
    const words = (q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 10);
    const params = words.map(likePattern);
    const where = words.length
      ? `WHERE ${words.map((_, i) => `(shortcut || ' ' || title || ' ' || content) ILIKE $${i + 1}`).join(' AND ')}`
      : '';
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM support_canned_replies ${where}
       ORDER BY ${words.length ? `(shortcut ILIKE $1) DESC, ` : ''}shortcut LIMIT 500`,
      params,
    );
    return rows.map(toWire);
  }

  async create(input: { title: string; shortcut: string; content: string }): Promise<CannedReply> {
    return this.unique(input.shortcut, async () => {
      const [row]: Row[] = await this.db.query(
        `INSERT INTO support_canned_replies (title, shortcut, content) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [input.title.trim(), input.shortcut, input.content.trim()],
      );
      return toWire(row);
    });
  }

  async update(id: string, change: { title?: string; shortcut?: string; content?: string }): Promise<CannedReply> {
    return this.unique(change.shortcut ?? '', async () => {
      const [rows]: [Row[], number] = await this.db.query(
        `UPDATE support_canned_replies
         SET title = COALESCE($2, title), shortcut = COALESCE($3, shortcut), content = COALESCE($4, content), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, change.title?.trim() ?? null, change.shortcut ?? null, change.content?.trim() ?? null],
      );
      if (!rows.length) throw new DomainError('not_found', 'No such canned reply');
      return toWire(rows[0]);
    });
  }

  async remove(id: string): Promise<void> {
    const [rows]: [unknown[], number] = await this.db.query(`DELETE FROM support_canned_replies WHERE id = $1 RETURNING id`, [id]);
    if (!rows.length) throw new DomainError('not_found', 'No such canned reply');
  }

  /** The reply for `shortcut` with this chat's user and this agent filled in, ready to send or edit. */
  async expand(agent: AgentIdentity, chatId: string, shortcut: string): Promise<CannedExpansion> {
    const [row]: (Row & { user_name: string | null; user_email: string | null; chat_found: boolean })[] = await this.db.query(
      `SELECT r.id, r.title, r.shortcut, r.content, r.created_at, r.updated_at, u.name AS user_name, u.email AS user_email,
              c.id IS NOT NULL AS chat_found
       FROM (SELECT 1) one
       LEFT JOIN support_chats c ON c.id = $1
       LEFT JOIN users u ON u.id = c.user_id
       LEFT JOIN support_canned_replies r ON r.shortcut = $2`,
      [chatId, shortcut],
    );
    if (!row?.chat_found) throw new DomainError('not_found', 'Chat not found');
    if (!row.id) throw new DomainError('not_found', `No canned reply has the shortcut ${shortcut}`);
    const { content, unfilled } = expandCanned(row.content, {
      user: { name: row.user_name, email: row.user_email },
      agent: { name: this.agents.get(agent.adminId)?.name ?? agent.email.split('@')[0] },
    });
    if (content.trim().length > MAX_CONTENT) {
      throw new DomainError(
        'invalid_content',
        `${shortcut} is ${content.trim().length} characters once filled in; a message may have at most ${MAX_CONTENT}`,
      );
    }
    return { id: row.id, title: row.title, shortcut: row.shortcut, content: content.trim(), unfilled };
  }

  private async unique<T>(shortcut: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException(`Another canned reply already has the shortcut ${shortcut}`);
      throw err;
    }
  }
}
