import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764115200000 implements MigrationInterface {
  name = 'InitialSchema1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_id text NOT NULL,
        email text NOT NULL,
        name text,
        return_url text,
        unsubscribed_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT uq_users_external_id UNIQUE (external_id)
      )`);
    await q.query(`
      CREATE TABLE admins (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        name text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT uq_admins_email UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE support_chats (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        last_message_at timestamptz(3),
        admin_viewed_at timestamptz(3),
        archived_at timestamptz(3),
        message_count integer NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT uq_support_chats_user_id UNIQUE (user_id),
        CONSTRAINT fk_support_chats_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_support_chats_last_message_at ON support_chats (last_message_at)`);
    await q.query(`CREATE INDEX idx_support_chats_archived_at ON support_chats (archived_at)`);
    // The agents' list pages by this key in each tab; chats without messages sort last.
    await q.query(`
      CREATE INDEX idx_support_chats_active_order
        ON support_chats ((COALESCE(last_message_at, '-infinity'::timestamptz)) DESC, id DESC)
        WHERE archived_at IS NULL`);
    await q.query(`
      CREATE INDEX idx_support_chats_archived_order
        ON support_chats ((COALESCE(last_message_at, '-infinity'::timestamptz)) DESC, id DESC)
        WHERE archived_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE support_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chat_id uuid NOT NULL,
        content text NOT NULL,
        sender_type varchar(8) NOT NULL,
        admin_id uuid,
        read_at timestamptz(3),
        client_id varchar(64),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT chk_support_messages_sender CHECK (sender_type IN ('user', 'admin')),
        CONSTRAINT chk_support_messages_content CHECK (char_length(content) BETWEEN 1 AND 5000),
        CONSTRAINT fk_support_messages_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE,
        CONSTRAINT fk_support_messages_admin FOREIGN KEY (admin_id) REFERENCES admins(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX idx_support_messages_chat_created ON support_messages (chat_id, created_at, id)`);
    await q.query(`
      CREATE UNIQUE INDEX uq_support_messages_chat_client
        ON support_messages (chat_id, client_id) WHERE client_id IS NOT NULL`);
    // Unread counts look only at unread rows, which stay few however long a chat grows.
    await q.query(`
      CREATE INDEX idx_support_messages_unread
        ON support_messages (chat_id, sender_type, created_at) WHERE read_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE support_messages`);
    await q.query(`DROP TABLE support_chats`);
    await q.query(`DROP TABLE admins`);
    await q.query(`DROP TABLE users`);
  }
}
