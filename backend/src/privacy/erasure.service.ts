import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChatEvents } from '../common/chat-events';
import { UserDataRegistry, type DataSubject } from '../common/user-data';
import { DataSubjects } from './data-subjects';
import { RedisTraces } from './redis-traces';

const HISTORY_PAGE = 5000;

/**
 * Erases a user: everything every feature holds about them, their chat and its history, the
 * jobs and Redis keys that name them, and last the user row itself.
 *
 * A `support_erasures` row is written first and names the user and chat while the erase runs.
 * Every step is idempotent and the user row (how the subject is found again) goes last, in the
 * same transaction that closes the record; so an erase that stopped halfway is finished by
 * asking again, and a finished one leaves only an audit line with no personal data: when, and by
 * which API key. Once finished the user is unknown: a repeat answers 404, as for anyone never seen.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subjects: DataSubjects,
    private readonly registry: UserDataRegistry,
    private readonly redis: RedisTraces,
    private readonly events: ChatEvents,
  ) {}

  async erase(externalId: string, apiKeyId: string | null): Promise<void> {
    const found = await this.subjects.get(externalId);
    const { id: erasureId, chat_id }: { id: string; chat_id: string | null } = (
      await this.db.query(
        `INSERT INTO support_erasures (user_id, chat_id, api_key_id) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) WHERE finished_at IS NULL
         DO UPDATE SET attempts = support_erasures.attempts + 1, chat_id = COALESCE(support_erasures.chat_id, EXCLUDED.chat_id)
         RETURNING id, chat_id`,
        [found.userId, found.chatId, apiKeyId],
      )
    )[0];
    // A first attempt that stopped after the chat went still knows which chat's jobs to clear.
    const subject: DataSubject = { ...found, chatId: found.chatId ?? chat_id };

    for (const part of this.registry.list()) await part.erase?.(subject);
    if (subject.chatId) await this.deleteHistory(subject.chatId);
    // The rest (email records, activity lines, label links, archives) goes with the chat.
    await this.db.query(`DELETE FROM support_chats WHERE user_id = $1`, [subject.userId]);
    // Consoles drop the card. Announced before the broadcasts naming the user are cleared below,
    // this one included: instances waiting on the stream have it by then.
    if (subject.chatId) this.events.publish({ kind: 'chat_removed', chatIds: [subject.chatId] });
    if (subject.chatId) await this.redis.removeChatJobs(subject.chatId);
    await this.redis.removeRateLimits(externalId);
    await this.redis.removeBroadcasts([subject.email, externalId, subject.userId, ...(subject.chatId ? [subject.chatId] : [])]);

    const erased = await this.db.transaction(async (tx) => {
      // A chat the user's widget made meanwhile goes with them (cascade).
      const [users]: [unknown[], number] = await tx.query(`DELETE FROM users WHERE id = $1 RETURNING id`, [subject.userId]);
      await tx.query(
        `UPDATE support_erasures SET user_id = NULL, chat_id = NULL, finished_at = now() WHERE id = $1 AND finished_at IS NULL`,
        [erasureId],
      );
      return users.length > 0;
    });
    // A simultaneous erase of the same user finished first and announced it.
    if (!erased) return;
    this.logger.log(`erasure ${erasureId} finished`);
    this.events.publish({ kind: 'user_erased', externalId });
  }

  /** Messages and notes a page at a time, so a long history never holds its locks in one long statement. */
  private async deleteHistory(chatId: string): Promise<void> {
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM support_messages WHERE chat_id = $1`, [chatId]);
    for (let page = 0; page <= n / HISTORY_PAGE; page++) {
      const [, deleted]: [unknown, number] = await this.db.query(
        `DELETE FROM support_messages WHERE id IN (SELECT id FROM support_messages WHERE chat_id = $1 LIMIT $2)`,
        [chatId, HISTORY_PAGE],
      );
      if (deleted < HISTORY_PAGE) return;
    }
  }
}

