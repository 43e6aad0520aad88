import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The record of unread-reply emails: what makes one email per burst survive retries and Redis. */
export class EmailNotifications1764201600000 implements MigrationInterface {
  name = 'EmailNotifications1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_email_notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chat_id uuid NOT NULL,
        first_message_id uuid NOT NULL,
        recipient text NOT NULL,
        status varchar(12) NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        lease_until timestamptz(3),
        finished_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT uq_support_email_notifications_first_message UNIQUE (first_message_id),
        CONSTRAINT chk_support_email_notifications_status CHECK (status IN ('pending', 'sent', 'unsent', 'failed', 'cancelled')),
        CONSTRAINT fk_support_email_notifications_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE,
        CONSTRAINT fk_support_email_notifications_message FOREIGN KEY (first_message_id) REFERENCES support_messages(id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE INDEX idx_support_email_notifications_pending
        ON support_email_notifications (chat_id, created_at) WHERE status = 'pending'`);
    await q.query(`ALTER TABLE support_messages ADD COLUMN notification_id uuid`);
    await q.query(`
      ALTER TABLE support_messages ADD CONSTRAINT fk_support_messages_notification
        FOREIGN KEY (notification_id) REFERENCES support_email_notifications(id) ON DELETE SET NULL`);
    // The sweep's question: which agent replies are unread and not yet covered by an email?
    await q.query(`
      CREATE INDEX idx_support_messages_unnotified
        ON support_messages (created_at, chat_id)
        WHERE sender_type = 'admin' AND read_at IS NULL AND notification_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_support_messages_unnotified`);
    await q.query(`ALTER TABLE support_messages DROP CONSTRAINT fk_support_messages_notification`);
    await q.query(`ALTER TABLE support_messages DROP COLUMN notification_id`);
    await q.query(`DROP TABLE support_email_notifications`);
  }
}
