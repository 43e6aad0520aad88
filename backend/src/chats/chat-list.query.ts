import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentDirectory } from '../auth/agent-directory.service';
import { DomainError } from '../common/domain-error';
import type { SenderType, SupportChatListItem, SupportChatPage } from '../contracts/wire';

interface ListRow {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string | null;
  last_message_at: Date | null;
  last_message_preview: string | null;
  last_message_sender: SenderType | null;
  last_message_admin_id: string | null;
  last_message_sender_name: string | null;
  message_count: number;
  unread: boolean;
  archived: boolean;
  assignee_id: string | null;
  labels: string[];
  version: string;
}

/** Which chats by assignee: any, none, or one agent's. */
export type AssigneeFilter = { kind: 'all' } | { kind: 'none' } | { kind: 'agent'; id: string };

/** The chat's label names, alphabetically: one primary-key range per chat. */
export const LABEL_NAMES = `ARRAY(
  SELECT l.name::text FROM support_chat_labels cl JOIN support_labels l ON l.id = cl.label_id
  WHERE cl.chat_id = c.id ORDER BY lower(l.name)
)`;

/** Which chats, by the list's filters; absent ones do not narrow. */
export interface ListFilter {
  assignee?: AssigneeFilter;
  /** A label's name, in any case; an unknown one gives an empty list. */
  label?: string;
}

/** Keyset position: the last item's sort time (null for a chat without messages) and id. */
interface Cursor {
  t: string | null;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SORT_KEY = `COALESCE(c.last_message_at, '-infinity'::timestamptz)`;

// One statement per page whatever its size: preview, last sender and unread are computed by
// Postgres per row from indexes, and the count is kept on the chat.
const SELECT = `
  SELECT c.id, c.user_id, u.email AS user_email, u.name AS user_name, c.last_message_at,
         lm.preview AS last_message_preview, lm.sender_type AS last_message_sender,
         lm.admin_id AS last_message_admin_id, lm.sender_name AS last_message_sender_name,
         c.message_count, c.archived_at IS NOT NULL AS archived, c.assignee_id, c.version,
         ${LABEL_NAMES} AS labels,
         EXISTS (
           SELECT 1 FROM support_messages um
           WHERE um.chat_id = c.id AND um.sender_type = 'user'
             AND um.created_at > COALESCE(c.admin_viewed_at, '-infinity'::timestamptz)
         ) AS unread
  FROM support_chats c
  JOIN users u ON u.id = c.user_id
  LEFT JOIN LATERAL (
    SELECT left(m.content, 100) AS preview, m.sender_type, m.admin_id, m.sender_name
    FROM support_messages m WHERE m.chat_id = c.id AND NOT m.private
    ORDER BY m.created_at DESC, m.id DESC LIMIT 1
  ) lm ON true`;

@Injectable()
export class ChatListQuery {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly agents: AgentDirectory,
  ) {}

  /**
   * Each assignee filter is one range of a per-tab index on (assignee, sort key); a label is a
   * semi-join Postgres runs from either side, as the label's frequency makes cheaper (the chat's
   * labels by primary key while walking the list's order, or a rare label's chats by their
   * index, then sorted): one statement per page either way. The name is compared as a value the
   * link rows carry (not through a join) so the planner can see how common that label is.
   */
  async page(archived: boolean, limit: number, cursor?: string, filter: ListFilter = {}): Promise<SupportChatPage> {
    const params: unknown[] = [limit + 1];
    const assignee = filter.assignee ?? { kind: 'all' };
    let where = archived ? 'c.archived_at IS NOT NULL' : 'c.archived_at IS NULL';
    if (assignee.kind === 'none') where += ' AND c.assignee_id IS NULL';
    if (assignee.kind === 'agent') {
      params.push(assignee.id);
      where += ` AND c.assignee_id = $${params.length}::uuid`;
    }
    if (filter.label !== undefined) {
      params.push(filter.label);
      where += ` AND EXISTS (SELECT 1 FROM support_chat_labels fl WHERE fl.chat_id = c.id AND fl.label_key = lower($${params.length}))`;
    }
    if (cursor) {
      const { t, id } = decodeCursor(cursor);
      params.push(t ?? '-infinity', id);
      where += ` AND (${SORT_KEY}, c.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    const rows: ListRow[] = await this.db.query(
      `${SELECT} WHERE ${where} ORDER BY ${SORT_KEY} DESC, c.id DESC LIMIT $1`,
      params,
    );
    const items = rows.slice(0, limit).map((row) => this.toItem(row));
    const last = items[items.length - 1];
    const next_cursor = rows.length > limit && last ? encodeCursor({ t: last.last_message_at, id: last.id }) : null;
    return { items, next_cursor };
  }

  async item(chatId: string): Promise<SupportChatListItem | null> {
    const [row]: ListRow[] = await this.db.query(`${SELECT} WHERE c.id = $1`, [chatId]);
    return row ? this.toItem(row) : null;
  }

  /** Several chats' list items in one statement (search results), by id; unknown ids are left out. */
  async items(chatIds: string[]): Promise<Map<string, SupportChatListItem>> {
    if (!chatIds.length) return new Map();
    const rows: ListRow[] = await this.db.query(`${SELECT} WHERE c.id = ANY($1::uuid[])`, [chatIds]);
    return new Map(rows.map((row) => [row.id, this.toItem(row)]));
  }

  private toItem(row: ListRow): SupportChatListItem {
    return { ...toItem(row), assignee: this.agents.ref(row.assignee_id) };
  }
}

function toItem(row: ListRow): Omit<SupportChatListItem, 'assignee'> {
  return {
    id: row.id,
    user_id: row.user_id,
    user_email: row.user_email,
    user_name: row.user_name,
    last_message_at: row.last_message_at ? row.last_message_at.toISOString() : null,
    last_message_preview: row.last_message_preview,
    last_message_sender: row.last_message_sender,
    last_message_admin_id: row.last_message_admin_id,
    last_message_sender_name: row.last_message_sender_name,
    message_count: Number(row.message_count),
    unread: row.unread,
    archived: row.archived,
    labels: row.labels,
    version: Number(row.version),
  };
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Only the form encodeCursor writes: Date.parse takes many strings Postgres refuses ("2022",
 * "Tue Mar 01"), and year 0 is out of its range, which would turn a made-up cursor into a 500.
 */
function isCursorTime(t: string): boolean {
  if (!ISO_TIME.test(t)) return false;
  const ms = Date.parse(t);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === t && new Date(ms).getUTCFullYear() >= 1;
}

/** A cursor the client altered or made up is a 400, never a 500. */
export function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      const { t, id } = parsed as Record<string, unknown>;
      const validTime = t === null || (typeof t === 'string' && isCursorTime(t));
      if (validTime && typeof id === 'string' && UUID.test(id)) return { t: t as string | null, id };
    }
  } catch {
    // falls through to the refusal below
  }
  throw new DomainError('invalid_content', 'Malformed cursor');
}
