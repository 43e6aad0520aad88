import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChatListQuery, decodeCursor, encodeCursor } from '../chats/chat-list.query';
import { ChatsService } from '../chats/chats.service';
import { DomainError } from '../common/domain-error';
import { isStorableText } from '../common/text';
import type { AdminSupportChat, SearchPage, SearchResult } from '../contracts/wire';
import { toWire } from '../messages/messages.service';
import { SEARCH_PAGE } from './dto/search.dto';
import { CHECK_SQL, customerMatches, hitsQuery, likePattern, type CustomerMatches, type HitRow } from './search.query';
import { findAll, queryLexemes, snippetAt } from './highlight';

/** Opening a chat at a message: this many older messages above it for context… */
export const AROUND_BEFORE = 20;
/** …and at most this many messages in the page. */
export const AROUND_MAX = 1000;

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
    const { lexemes, customers } = await this.check(q);

    const hits = hitsQuery(q, limit + 1, lexemes, cursor, customers);
    const rows: HitRow[] = await this.db.query(hits.text, hits.values);
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
    const next_cursor = rows.length > limit && last ? encodeCursor({ t: last.t ? last.t.toISOString() : null, id: last.key }) : null;
    return { items, next_cursor };
  }

  /**
   * What websearch_to_tsquery makes of `q` must be searchable: it never fails on syntax, but a
   * query of only common words ("the") or punctuation is empty, and one that only excludes
   * ("-spam") would read every message. Answers the lexemes it looks for, to mark them, and how
   * many customers match, which decides how they are read.
   */
  private async check(q: string): Promise<{ lexemes: string[]; customers: CustomerMatches }> {
    const [row]: { nodes: number; tree: string; users: number }[] = await this.db.query(CHECK_SQL, [q, likePattern(q)]);
    if (!row || row.nodes === 0) {
      throw new DomainError('invalid_content', 'q has nothing to search for: only common words such as "the", or punctuation');
    }
    if (row.tree === 'T' || row.tree === '') {
      throw new DomainError('invalid_content', 'q must include a word to find, not only words to exclude with "-"');
    }
    return { lexemes: queryLexemes(row.tree), customers: customerMatches(row.users) };
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
