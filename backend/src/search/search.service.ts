import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChatListQuery, decodeCursor, encodeCursor } from '../chats/chat-list.query';
import { ChatsService } from '../chats/chats.service';
import { DomainError } from '../common/domain-error';
import { isStorableText } from '../common/text';
import type { AdminSupportChat, SearchPage, SearchResult, SenderType } from '../contracts/wire';
import { toWire } from '../messages/messages.service';
import { SEARCH_PAGE } from './dto/search.dto';
import { findAll, queryLexemes, snippetAt } from './highlight';

/** Opening a chat at a message: this many older messages above it for context… */
export const AROUND_BEFORE = 20;
/** …and at most this many messages in the page. */
export const AROUND_MAX = 1000;

interface HitRow {
  t: Date;
  key: string;
  chat_id: string;
  /** Null for a user match. */
  id: string | null;
  content: string | null;
  sender_type: SenderType | null;
  read_at: Date | null;
  created_at: Date | null;
  client_id: string | null;
  admin_id: string | null;
  sender_name: string | null;
  private: boolean | null;
  /** ts_parse('default', content): each token's type and text. */
  tokids: number[] | null;
  tokens: string[] | null;
  /** Where the query's lexemes stand in the message's tsvector. */
  positions: number[] | null;
}

/**
 * Both sides are newest first by (time, id) and each is cut at the page size before they are
 * merged, so a page reads at most twice its size however many rows match. Messages: the GIN
 * index for rare words, or a walk back along the messages' time index for common ones (the
 * planner picks by the word's frequency). Users: the trigram indexes on lower(email) and
 * lower(name). The snippet's tokens are parsed only for the page's rows.
 */
function hitsSql(cursor: boolean): string {
  const after = (t: string, id: string) => (cursor ? `AND (${t}, ${id}) < ($5::timestamptz, $6::uuid)` : '');
  return `
  SELECT h.t, h.key, h.chat_id, m.id, m.content, m.sender_type, m.read_at, m.created_at, m.client_id,
         m.admin_id, m.sender_name, m.private, p.tokids, p.tokens,
         ARRAY(SELECT unnest(v.positions) FROM unnest(m.search) v WHERE v.lexeme = ANY($4::text[])) AS positions
  FROM (
    (SELECT m.created_at AS t, m.id AS key, m.chat_id, true AS is_message
     FROM support_messages m
     WHERE m.search @@ websearch_to_tsquery('english', $1) ${after('m.created_at', 'm.id')}
     ORDER BY m.created_at DESC, m.id DESC LIMIT $2)
    UNION ALL
    (SELECT COALESCE(c.last_message_at, c.created_at), c.id, c.id, false
     FROM users u JOIN support_chats c ON c.user_id = u.id
     WHERE (lower(u.email) LIKE $3 OR lower(u.name) LIKE $3) ${after('COALESCE(c.last_message_at, c.created_at)', 'c.id')}
     ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, c.id DESC LIMIT $2)
    ORDER BY t DESC, key DESC LIMIT $2
  ) h
  LEFT JOIN support_messages m ON h.is_message AND m.id = h.key
  LEFT JOIN LATERAL (
    SELECT array_agg(t.tokid ORDER BY t.n) AS tokids, array_agg(t.token ORDER BY t.n) AS tokens
    FROM ts_parse('default', m.content) WITH ORDINALITY t(tokid, token, n)
  ) p ON m.id IS NOT NULL
  ORDER BY h.t DESC, h.key DESC`;
}

/**
 * Search over message content (notes included: agents only) and users' emails and names, and
 * opening a chat at a result. A page costs three statements: the query's check, the hits, and
 * the hits' chats as list items.
 */
@Injectable()
export class SearchService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly list: ChatListQuery,
    private readonly chats: ChatsService,
  ) {}

  async search(q: string, rawCursor?: string, limit = SEARCH_PAGE): Promise<SearchPage> {
    if (!isStorableText(q)) throw new DomainError('invalid_content', 'q must be plain text');
    const cursor = rawCursor ? decodeCursor(rawCursor) : null;
    if (cursor && cursor.t === null) throw new DomainError('invalid_content', 'Malformed cursor');
    const lexemes = await this.check(q);

    const params: unknown[] = [q, limit + 1, `%${likeEscape(q.toLowerCase())}%`, lexemes];
    if (cursor) params.push(cursor.t, cursor.id);
    const rows: HitRow[] = await this.db.query(hitsSql(Boolean(cursor)), params);
    const page = rows.slice(0, limit);
    const chats = await this.list.items([...new Set(page.map((r) => r.chat_id))]);

    const items: SearchResult[] = [];
    for (const row of page) {
      const chat = chats.get(row.chat_id);
      // Erased between the two statements: left out rather than shown half.
      if (!chat) continue;
      if (row.id !== null && row.created_at !== null && row.sender_type !== null) {
        const message = toWire({
          id: row.id,
          chat_id: row.chat_id,
          content: row.content ?? '',
          sender_type: row.sender_type,
          read_at: row.read_at,
          created_at: row.created_at,
          client_id: row.client_id,
          admin_id: row.admin_id,
          sender_name: row.sender_name,
          private: row.private === true,
        });
        items.push({ chat, message, ...snippetAt(message.content, row.tokids ?? [], row.tokens ?? [], row.positions ?? []) });
      } else {
        const who = chat.user_name ? `${chat.user_name} <${chat.user_email}>` : chat.user_email;
        items.push({ chat, message: null, ...findAll(who, q) });
      }
    }
    const last = page[page.length - 1];
    const next_cursor = rows.length > limit && last ? encodeCursor({ t: last.t.toISOString(), id: last.key }) : null;
    return { items, next_cursor };
  }

  /**
   * What websearch_to_tsquery makes of `q` must be searchable: it never fails on syntax, but a
   * query of only common words ("the") or punctuation is empty, and one that only excludes
   * ("-spam") would read every message. Answers the lexemes it looks for, to mark them.
   */
  private async check(q: string): Promise<string[]> {
    const [row]: { nodes: number; tree: string }[] = await this.db.query(
      `SELECT numnode(tq) AS nodes, querytree(tq) AS tree FROM websearch_to_tsquery('english', $1) tq`,
      [q],
    );
    if (!row || row.nodes === 0) {
      throw new DomainError('invalid_content', 'q has nothing to search for: only common words such as "the", or punctuation');
    }
    if (row.tree === 'T' || row.tree === '') {
      throw new DomainError('invalid_content', 'q must include a word to find, not only words to exclude with "-"');
    }
    return queryLexemes(row.tree);
  }

  /**
   * The chat as `GET /api/admin/chats/:id` answers it, with a page long enough to reach
   * AROUND_BEFORE messages past `messageId` (at most AROUND_MAX): one statement to count back
   * to the message, then the chat's usual reads.
   */
  async openAround(chatId: string, messageId: string, view: boolean): Promise<AdminSupportChat> {
    const [row]: { newer: number }[] = await this.db.query(
      `SELECT (SELECT count(*)::int FROM (
                 SELECT 1 FROM support_messages m
                 WHERE m.chat_id = a.chat_id AND (m.created_at, m.id) >= (a.created_at, a.id) LIMIT $3
               ) upto) AS newer
       FROM support_messages a WHERE a.id = $2 AND a.chat_id = $1`,
      [chatId, messageId, AROUND_MAX],
    );
    if (!row) throw new DomainError('not_found', 'No such message in this chat');
    return this.chats.openForAgent(chatId, undefined, Math.min(row.newer + AROUND_BEFORE, AROUND_MAX), view);
  }
}

/** `q` taken literally inside LIKE: its own %, _ and \ are not wildcards. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
