import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import type { SenderType, SupportMessage } from '../contracts/wire';

interface MessageRow {
  id: string;
  chat_id: string;
  content: string;
  sender_type: SenderType;
  read_at: Date | null;
  created_at: Date;
  client_id: string | null;
}

const COLUMNS = 'id, chat_id, content, sender_type, read_at, created_at, client_id';

export function toWire(row: MessageRow): SupportMessage {
  return {
    id: row.id,
    chat_id: row.chat_id,
    content: row.content,
    sender_type: row.sender_type,
    read_at: row.read_at ? row.read_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    client_id: row.client_id,
  };
}

export interface NewMessage {
  chatId: string;
  senderType: SenderType;
  adminId: string | null;
  content: string;
  clientId: string | null;
}

@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ChatEvents,
  ) {}

  /**
   * Stores a message and publishes it once committed. The chat row is locked while the
   * message is stamped, so within a chat `created_at` strictly increases in commit order:
   * a client that asks for what came after its last message can never skip one that
   * committed late.
   */
  async send(input: NewMessage): Promise<{ message: SupportMessage; created: boolean }> {
    const result = await this.db.transaction(async (tx) => {
      const [chat]: { user_email: string }[] = await tx.query(
        `SELECT u.email AS user_email FROM support_chats c JOIN users u ON u.id = c.user_id
         WHERE c.id = $1 FOR UPDATE OF c`,
        [input.chatId],
      );
      if (!chat) throw new DomainError('not_found');
      if (input.clientId) {
        const existing = await this.byClientId(tx, input.chatId, input.clientId);
        if (existing) return { row: existing, created: false, userEmail: chat.user_email };
      }
      const [[stamp]]: [[{ at: Date }], number] = await tx.query(
        `UPDATE support_chats SET
           last_message_at = GREATEST(date_trunc('milliseconds', clock_timestamp()),
                                      COALESCE(last_message_at, '-infinity') + interval '1 millisecond'),
           message_count = message_count + 1,
           archived_at = CASE WHEN $2 = 'user' THEN NULL ELSE archived_at END,
           admin_viewed_at = CASE WHEN $2 = 'admin' THEN GREATEST(admin_viewed_at, clock_timestamp()) ELSE admin_viewed_at END,
           updated_at = now()
         WHERE id = $1
         RETURNING last_message_at AS at`,
        [input.chatId, input.senderType],
      );
      const [row]: MessageRow[] = await tx.query(
        `INSERT INTO support_messages (chat_id, content, sender_type, admin_id, client_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         RETURNING ${COLUMNS}`,
        [input.chatId, input.content, input.senderType, input.adminId, input.clientId, stamp.at],
      );
      return { row, created: true, userEmail: chat.user_email };
    });
    const message = toWire(result.row);
    if (result.created) {
      this.events.publish({ kind: 'message_created', chatId: input.chatId, message, userEmail: result.userEmail });
    }
    return { message, created: result.created };
  }

  /** The newest `limit` messages, or those before `before`; oldest first. */
  async page(chatId: string, before: string | undefined, limit = 50): Promise<{ messages: SupportMessage[]; has_more: boolean }> {
    const params: unknown[] = [chatId, limit + 1];
    let where = 'chat_id = $1';
    if (before) {
      const anchor = await this.anchor(chatId, before);
      params.push(anchor.created_at, anchor.id);
      where += ' AND (created_at, id) < ($3, $4)';
    }
    const rows: MessageRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM support_messages WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    const has_more = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toWire), has_more };
  }

  /** What came after `after`, oldest first: the catch-up after a reconnect. */
  async after(chatId: string, after: string, limit = 1000): Promise<SupportMessage[]> {
    const anchor = await this.anchor(chatId, after);
    const rows: MessageRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM support_messages WHERE chat_id = $1 AND (created_at, id) > ($2, $3)
       ORDER BY created_at, id LIMIT $4`,
      [chatId, anchor.created_at, anchor.id, limit],
    );
    return rows.map(toWire);
  }

  /**
   * Marks the other side's messages read, up to `upTo` when given. Only rows already committed
   * are touched, so a message that arrives meanwhile stays unread.
   */
  async markRead(chatId: string, reader: SenderType, upTo?: string): Promise<number> {
    const written: SenderType = reader === 'user' ? 'admin' : 'user';
    const params: unknown[] = [chatId, written];
    let bound = '';
    if (upTo) {
      const anchor = await this.anchor(chatId, upTo);
      params.push(anchor.created_at);
      bound = ' AND created_at <= $3';
    }
    const [rows]: [{ id: string; read_at: Date }[], number] = await this.db.query(
      `UPDATE support_messages SET read_at = now(), updated_at = now()
       WHERE chat_id = $1 AND sender_type = $2 AND read_at IS NULL${bound}
       RETURNING id, read_at`,
      params,
    );
    if (rows.length) {
      this.events.publish({
        kind: 'messages_read',
        chatId,
        reader,
        readAt: rows[0].read_at.toISOString(),
        messageIds: rows.map((r) => r.id),
      });
    }
    return rows.length;
  }

  private async anchor(chatId: string, messageId: string): Promise<{ id: string; created_at: Date }> {
    const [anchor]: { id: string; created_at: Date }[] = await this.db.query(
      'SELECT id, created_at FROM support_messages WHERE id = $1 AND chat_id = $2',
      [messageId, chatId],
    );
    if (!anchor) throw new DomainError('invalid_content', 'No such message in this chat');
    return anchor;
  }

  private async byClientId(tx: EntityManager, chatId: string, clientId: string): Promise<MessageRow | undefined> {
    const [row]: MessageRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM support_messages WHERE chat_id = $1 AND client_id = $2`,
      [chatId, clientId],
    );
    return row;
  }
}
