import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserDataRegistry, type DataSubject, type UserDataPart } from '../common/user-data';

/** Messages are read in pages of this many by (created_at, id), so no history sits in memory whole. */
export const EXPORT_BATCH = 500;

type Query = Pick<DataSource, 'query'>;

/**
 * The product's own records about a user: their profile, chat, messages (notes about them
 * included, flagged `private`) and the emails sent to them. Their erase is the eraser's last
 * step (the rows go with the chat and the user), so these parts only export.
 */
@Injectable()
export class CoreDataParts implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: UserDataRegistry,
  ) {}

  onModuleInit(): void {
    for (const part of corePartsOf(this.db)) this.registry.register(part);
  }
}

export function corePartsOf(db: Query): UserDataPart[] {
  return [
    {
      name: 'profile',
      async *export(subject: DataSubject) {
        yield* await db.query(
          `SELECT id, external_id, email, name, return_url, unsubscribed_at, created_at, updated_at FROM users WHERE id = $1`,
          [subject.userId],
        );
      },
    },
    {
      name: 'chat',
      async *export(subject: DataSubject) {
        if (!subject.chatId) return;
        yield* await db.query(
          `SELECT c.id, c.created_at, c.last_message_at, c.archived_at, c.message_count,
                  COALESCE((SELECT array_agg(l.name ORDER BY lower(l.name)) FROM support_chat_labels cl
                            JOIN support_labels l ON l.id = cl.label_id WHERE cl.chat_id = c.id), '{}') AS labels,
                  COALESCE((SELECT json_agg(json_build_object('kind', a.kind, 'actor_name', a.actor_name,
                                   'assignee_name', a.assignee_name, 'created_at', a.created_at) ORDER BY a.created_at, a.id)
                            FROM support_chat_activity a WHERE a.chat_id = c.id), '[]') AS activity
           FROM support_chats c WHERE c.id = $1`,
          [subject.chatId],
        );
      },
    },
    {
      name: 'messages',
      async *export(subject: DataSubject) {
        if (!subject.chatId) return;
        let after: { created_at: Date; id: string } | null = null;
        // Bounded: each page moves the key strictly forward, and a chat's history is finite.
        for (;;) {
          const page: { id: string; created_at: Date }[] = await db.query(
            `SELECT id, sender_type, sender_name, private, content, client_id, read_at, created_at FROM support_messages
             WHERE chat_id = $1 ${after ? 'AND (created_at, id) > ($3, $4)' : ''}
             ORDER BY created_at, id LIMIT $2`,
            after ? [subject.chatId, EXPORT_BATCH, after.created_at, after.id] : [subject.chatId, EXPORT_BATCH],
          );
          yield* page;
          if (page.length < EXPORT_BATCH) return;
          after = page[page.length - 1];
        }
      },
    },
    {
      name: 'email_notifications',
      async *export(subject: DataSubject) {
        if (!subject.chatId) return;
        yield* await db.query(
          `SELECT id, recipient, status, attempts, created_at, finished_at FROM support_email_notifications
           WHERE chat_id = $1 ORDER BY created_at, id`,
          [subject.chatId],
        );
      },
    },
  ];
}
