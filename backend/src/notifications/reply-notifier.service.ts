import { Injectable, Logger } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { preview, renderReplyEmail } from './email-templates';
import { UnsubscribeTokens } from './unsubscribe-tokens';

const LEASE_SECONDS = 120;
const MAX_PREVIEWS = 5;

export type NotifyOutcome =
  | { kind: 'sent' | 'unsent' | 'nothing' | 'cancelled' | 'already-done' }
  | { kind: 'not-due'; firstMessageId: string; dueInMs: number };

interface Claim {
  id: string;
  recipient: string;
  userId: string;
  userName: string | null;
  returnUrl: string | null;
}

/** Another worker holds this email's lease; Bull retries the job later. */
export class EmailBusyError extends Error {}

/**
 * Decides and sends the unread-reply email of a chat. Bull runs a job at least once; the
 * claim in Postgres (one row per burst, with a lease) makes the email go out at most once.
 */
@Injectable()
export class ReplyNotifier {
  private readonly logger = new Logger(ReplyNotifier.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfigService,
    private readonly mailer: MailerService,
    private readonly unsubscribe: UnsubscribeTokens,
  ) {}

  async process(chatId: string, lastAttempt: boolean): Promise<NotifyOutcome> {
    const claimed = await this.claim(chatId);
    if ('kind' in claimed) return claimed;
    const claim = claimed;
    // The user may have read the replies, or stopped the emails, since the claim was made.
    const previews: { content: string }[] = await this.db.query(
      `SELECT content FROM support_messages WHERE notification_id = $1 AND read_at IS NULL ORDER BY created_at, id`,
      [claim.id],
    );
    if (!previews.length) return this.finish(claim.id, 'cancelled');

    if (!this.config.get('smtpUrl')) {
      this.logger.log(`An unread-reply email was due for chat ${chatId}; SMTP_URL is not set, so none was sent`);
      return this.finish(claim.id, 'unsent');
    }
    const email = renderReplyEmail({
      appName: this.config.get('appName'),
      userName: claim.userName,
      previews: previews.slice(0, MAX_PREVIEWS).map((m) => preview(m.content)),
      moreCount: Math.max(0, previews.length - MAX_PREVIEWS),
      openUrl: claim.returnUrl ?? this.config.get('appUrl'),
      unsubscribeUrl: this.unsubscribe.url(claim.userId),
    });
    try {
      await this.mailer.sendMail({
        to: claim.recipient,
        from: this.config.get('mailFrom'),
        subject: email.subject,
        html: email.html,
        text: email.text,
        // A stable id lets a mail system drop a copy if a crash ever made us send twice.
        messageId: `<${claim.id}@support-chat>`,
        list: {
          unsubscribe: { url: this.unsubscribe.url(claim.userId), comment: 'Stop these emails' },
        },
        headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    } catch (err) {
      await this.db.query(
        `UPDATE support_email_notifications SET lease_until = NULL, status = $2::varchar, updated_at = now(),
           finished_at = CASE WHEN $2::varchar = 'failed' THEN now() ELSE NULL END
         WHERE id = $1`,
        [claim.id, lastAttempt ? 'failed' : 'pending'],
      );
      const why = err instanceof Error ? err.message.slice(0, 200) : String(err);
      if (lastAttempt) this.logger.error(`Unread-reply email for chat ${chatId} failed for good: ${why}`);
      else this.logger.warn(`Unread-reply email for chat ${chatId} failed, will retry: ${why}`);
      throw err;
    }
    return this.finish(claim.id, 'sent');
  }

  /** Agent replies that are unread, due and covered by no email: the ones a lost job left behind. */
  async dueChats(limit = 500): Promise<{ chatId: string; firstMessageId: string }[]> {
    const rows: { chat_id: string; id: string }[] = await this.db.query(
      `SELECT DISTINCT ON (m.chat_id) m.chat_id, m.id
       FROM support_messages m
       JOIN support_chats c ON c.id = m.chat_id
       JOIN users u ON u.id = c.user_id
       WHERE m.sender_type = 'admin' AND NOT m.private AND m.read_at IS NULL AND m.notification_id IS NULL
         AND m.created_at <= now() - make_interval(secs => $1::double precision / 1000)
         AND c.archived_at IS NULL AND u.unsubscribed_at IS NULL
       ORDER BY m.chat_id, m.created_at
       LIMIT $2`,
      [this.config.get('notifyDelayMs'), limit],
    );
    const stuck: { chat_id: string; first_message_id: string }[] = await this.db.query(
      `SELECT chat_id, first_message_id FROM support_email_notifications
       WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < now()) LIMIT $1`,
      [limit],
    );
    return [
      ...rows.map((r) => ({ chatId: r.chat_id, firstMessageId: r.id })),
      ...stuck.map((r) => ({ chatId: r.chat_id, firstMessageId: r.first_message_id })),
    ];
  }

  /** The first unread agent reply not yet covered by an email, which names the burst's job. */
  async firstUncovered(chatId: string): Promise<{ id: string; dueInMs: number } | null> {
    const [row]: { id: string; due_in_ms: number }[] = await this.db.query(
      `SELECT id, EXTRACT(EPOCH FROM (created_at - now())) * 1000 + $2 AS due_in_ms
       FROM support_messages
       WHERE chat_id = $1 AND sender_type = 'admin' AND NOT private AND read_at IS NULL AND notification_id IS NULL
       ORDER BY created_at LIMIT 1`,
      [chatId, this.config.get('notifyDelayMs')],
    );
    return row ? { id: row.id, dueInMs: Math.max(0, Math.ceil(Number(row.due_in_ms))) } : null;
  }

  /**
   * Under the chat's row lock: reuse an unfinished claim, or claim the due burst; then take
   * the claim's lease so no other worker sends the same email meanwhile.
   */
  private async claim(chatId: string): Promise<Claim | NotifyOutcome> {
    return this.db.transaction(async (tx) => {
      const [chat]: { archived: boolean; user_id: string; email: string; name: string | null; return_url: string | null; unsubscribed: boolean }[] =
        await tx.query(
          `SELECT c.archived_at IS NOT NULL AS archived, u.id AS user_id, u.email, u.name, u.return_url,
                  u.unsubscribed_at IS NOT NULL AS unsubscribed
           FROM support_chats c JOIN users u ON u.id = c.user_id WHERE c.id = $1 FOR UPDATE OF c`,
          [chatId],
        );
      if (!chat) return { kind: 'nothing' } as const;
      let [pending]: { id: string; recipient: string }[] = await tx.query(
        `SELECT id, recipient FROM support_email_notifications WHERE chat_id = $1 AND status = 'pending'
         ORDER BY created_at LIMIT 1`,
        [chatId],
      );
      if (chat.archived || chat.unsubscribed || !chat.email) {
        if (pending) await this.finishIn(tx, pending.id, 'cancelled');
        return { kind: 'cancelled' } as const;
      }
      if (!pending) {
        const unread: { id: string; due_in_ms: number }[] = await tx.query(
          `SELECT id, EXTRACT(EPOCH FROM (created_at - now())) * 1000 + $2 AS due_in_ms
           FROM support_messages
           WHERE chat_id = $1 AND sender_type = 'admin' AND NOT private AND read_at IS NULL AND notification_id IS NULL
           ORDER BY created_at`,
          [chatId, this.config.get('notifyDelayMs')],
        );
        if (!unread.length) return { kind: 'nothing' } as const;
        const dueInMs = Math.ceil(Number(unread[0].due_in_ms));
        if (dueInMs > 0) return { kind: 'not-due', firstMessageId: unread[0].id, dueInMs } as const;
        [pending] = await tx.query(
          `INSERT INTO support_email_notifications (chat_id, first_message_id, recipient)
           VALUES ($1, $2, $3) RETURNING id, recipient`,
          [chatId, unread[0].id, chat.email],
        );
        await tx.query(`UPDATE support_messages SET notification_id = $1 WHERE id = ANY($2::uuid[])`, [
          pending.id,
          unread.map((m) => m.id),
        ]);
      }
      const [[leased]]: [{ id: string }[], number] = await tx.query(
        `UPDATE support_email_notifications
         SET lease_until = now() + make_interval(secs => $2), attempts = attempts + 1, updated_at = now()
         WHERE id = $1 AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
         RETURNING id`,
        [pending.id, LEASE_SECONDS],
      );
      if (!leased) throw new EmailBusyError(`the email of chat ${chatId} is being sent by another worker`);
      return { id: pending.id, recipient: pending.recipient, userId: chat.user_id, userName: chat.name, returnUrl: chat.return_url };
    });
  }

  private async finish(id: string, status: 'sent' | 'unsent' | 'cancelled'): Promise<NotifyOutcome> {
    await this.finishIn(this.db, id, status);
    return { kind: status };
  }

  private async finishIn(db: Pick<DataSource, 'query'>, id: string, status: string): Promise<void> {
    await db.query(
      `UPDATE support_email_notifications SET status = $2, lease_until = NULL, finished_at = now(), updated_at = now()
       WHERE id = $1`,
      [id, status],
    );
  }
}
