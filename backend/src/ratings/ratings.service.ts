import { ConflictException, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import type { UserIdentity } from '../auth/identity';
import { ChatsService } from '../chats/chats.service';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import { UserDataRegistry, type DataSubject } from '../common/user-data';
import type { RatingStatus, SupportRating } from '../contracts/wire';

type RatingRow = Omit<SupportRating, 'archived_at' | 'created_at'> & { archived_at: Date; created_at: Date };

function toRating(row: RatingRow): SupportRating {
  return { ...row, archived_at: row.archived_at.toISOString(), created_at: row.created_at.toISOString() };
}

const RATING_COLUMNS = `r.id, r.chat_id, r.score, r.comment, r.archived_at, r.created_at`;

/**
 * One rating per archive: the user rates the conversation an agent just archived. The archive is
 * named by the chat's `archived_at` at the time, so a reopened and archived-again chat may be
 * rated again, and a repeated archive click (which changes nothing) cannot ask twice.
 */
@Injectable()
export class RatingsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RatingsService.name);
  private subscription?: Subscription;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly chats: ChatsService,
    private readonly events: ChatEvents,
    private readonly userData: UserDataRegistry,
  ) {}

  onModuleInit(): void {
    this.userData.register({
      name: 'ratings',
      export: (subject) => this.exportFor(subject),
      erase: async (subject) => {
        if (subject.chatId) await this.db.query(`DELETE FROM support_chat_ratings WHERE chat_id = $1`, [subject.chatId]);
      },
    });
    this.subscription = this.events.events$.subscribe((event) => {
      if (event.kind !== 'chat_archived' || !event.archived) return;
      this.recordArchiver(event.chatId, event.agentId).catch((err: unknown) =>
        this.logger.warn(`could not note who archived a chat: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  async status(user: UserIdentity): Promise<RatingStatus> {
    const chatId = await this.chats.userChat(user, false);
    if (!chatId) return { chat_id: null, requested: false };
    const [row]: { requested: boolean }[] = await this.db.query(
      `SELECT c.archived_at IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM support_chat_ratings r WHERE r.chat_id = c.id AND r.archived_at = c.archived_at) AS requested
       FROM support_chats c WHERE c.id = $1`,
      [chatId],
    );
    return { chat_id: chatId, requested: Boolean(row?.requested) };
  }

  async rate(user: UserIdentity, score: number, comment?: string): Promise<SupportRating> {
    const chatId = await this.chats.userChat(user, false);
    if (!chatId) throw new ConflictException('There is no conversation to rate: an agent has not archived your chat');
    const text = comment?.trim() || null;
    // One statement: the archive is whatever the chat's is now, and the unique key refuses a second.
    const [row]: (RatingRow & { outcome: 'rated' | 'not_archived' | 'duplicate' })[] = await this.db.query(
      `WITH chat AS (SELECT id, archived_at FROM support_chats WHERE id = $1),
       ins AS (
         INSERT INTO support_chat_ratings (chat_id, archived_at, score, comment)
         SELECT id, archived_at, $2, $3 FROM chat WHERE archived_at IS NOT NULL
         ON CONFLICT (chat_id, archived_at) DO NOTHING
         RETURNING ${RATING_COLUMNS.replace(/r\./g, '')})
       SELECT ins.*, 'rated' AS outcome FROM ins
       UNION ALL
       SELECT NULL, NULL, NULL, NULL, NULL, NULL, CASE WHEN chat.archived_at IS NULL THEN 'not_archived' ELSE 'duplicate' END
       FROM chat WHERE NOT EXISTS (SELECT 1 FROM ins)`,
      [chatId, score, text],
    );
    if (!row || row.outcome === 'not_archived') {
      throw new ConflictException('This chat is not archived: a rating follows an agent archiving the conversation');
    }
    if (row.outcome === 'duplicate') throw new ConflictException('This conversation is already rated');
    const { outcome: _outcome, ...stored } = row;
    const rating = toRating(stored);
    this.events.publish({
      kind: 'rating_created',
      chatId,
      rating: { id: rating.id, score: rating.score, comment: rating.comment, created_at: rating.created_at },
    });
    return rating;
  }

  /** Agents: a chat's ratings, oldest first, for the lines in the conversation. */
  async forChat(chatId: string): Promise<SupportRating[]> {
    if (!(await this.chats.exists(chatId))) throw new DomainError('not_found', 'Chat not found');
    const rows: RatingRow[] = await this.db.query(`SELECT ${RATING_COLUMNS} FROM support_chat_ratings r WHERE r.chat_id = $1 ORDER BY r.created_at, r.id`, [chatId]);
    return rows.map(toRating);
  }

  private async *exportFor(subject: DataSubject): AsyncIterable<SupportRating> {
    if (!subject.chatId) return;
    const rows: RatingRow[] = await this.db.query(
      `SELECT ${RATING_COLUMNS} FROM support_chat_ratings r WHERE r.chat_id = $1 ORDER BY r.created_at, r.id`,
      [subject.chatId],
    );
    yield* rows.map(toRating);
  }

  /** A conversation nobody was assigned to belongs, in reports, to the agent who archived it. */
  private async recordArchiver(chatId: string, agentId: string): Promise<void> {
    await this.db.query(
      `UPDATE support_chat_archives a SET agent_id = $2 FROM support_chats c
       WHERE c.id = $1 AND a.chat_id = c.id AND a.archived_at = c.archived_at AND a.agent_id IS NULL`,
      [chatId, agentId],
    );
  }
}
