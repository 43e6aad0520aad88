import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEND_MESSAGE_V3 } from './1796256000000-assignment';

// The send of SEND_MESSAGE_V3, returning the chat's labels too, so the list item it broadcasts
// keeps them. (Superseded by a later migration; kept for its down.)
export const SEND_MESSAGE_V4 = `
      CREATE FUNCTION support_send_message(p_chat uuid, p_sender text, p_admin uuid, p_sender_name text, p_content text, p_client text)
      RETURNS TABLE (
        id uuid, chat_id uuid, content text, sender_type text, read_at timestamptz, created_at timestamptz,
        client_id text, admin_id uuid, sender_name text, created boolean, user_id uuid, user_email text, user_name text,
        message_count integer, archived boolean, unread boolean, assignee_id uuid, reopened boolean, labels text[]
      )
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_chat support_chats%ROWTYPE;
        v_msg support_messages%ROWTYPE;
        v_at timestamptz;
        v_created boolean := true;
        v_reopened boolean := false;
      BEGIN
        SELECT * INTO v_chat FROM support_chats c WHERE c.id = p_chat FOR UPDATE;
        IF NOT FOUND THEN
          RETURN;
        END IF;
        IF p_client IS NOT NULL THEN
          SELECT * INTO v_msg FROM support_messages m WHERE m.chat_id = p_chat AND m.client_id = p_client;
          v_created := NOT FOUND;
        END IF;
        IF v_created THEN
          v_reopened := p_sender = 'user' AND v_chat.archived_at IS NOT NULL;
          v_at := GREATEST(date_trunc('milliseconds', clock_timestamp()),
                           COALESCE(v_chat.last_message_at, '-infinity') + interval '1 millisecond');
          UPDATE support_chats c SET
            last_message_at = v_at,
            message_count = c.message_count + 1,
            archived_at = CASE WHEN p_sender = 'user' THEN NULL ELSE c.archived_at END,
            admin_viewed_at = CASE WHEN p_sender = 'admin' THEN GREATEST(c.admin_viewed_at, v_at) ELSE c.admin_viewed_at END,
            updated_at = now()
          WHERE c.id = p_chat
          RETURNING * INTO v_chat;
          INSERT INTO support_messages (chat_id, content, sender_type, admin_id, sender_name, client_id, created_at, updated_at)
          VALUES (p_chat, p_content, p_sender, p_admin, p_sender_name, p_client, v_at, v_at)
          RETURNING * INTO v_msg;
        END IF;
        RETURN QUERY
          SELECT v_msg.id, v_msg.chat_id, v_msg.content, v_msg.sender_type::text, v_msg.read_at, v_msg.created_at,
                 v_msg.client_id::text, v_msg.admin_id, v_msg.sender_name, v_created, u.id, u.email, u.name,
                 v_chat.message_count, v_chat.archived_at IS NOT NULL,
                 -- After a new message, every user message is at or before last_message_at, and an
                 -- agent's message moves the view up to it: this is the list's "a user message newer
                 -- than the agents' view" without scanning messages. (Not used for a resend.)
                 v_chat.last_message_at > COALESCE(v_chat.admin_viewed_at, '-infinity'),
                 v_chat.assignee_id, v_reopened,
                 ARRAY(SELECT l.name::text FROM support_chat_labels cl JOIN support_labels l ON l.id = cl.label_id
                       WHERE cl.chat_id = p_chat ORDER BY lower(l.name))
          FROM users u WHERE u.id = v_chat.user_id;
      END
      $fn$`;

/**
 * Labels: a shared catalogue (names unique whatever their case) and the labels on each chat.
 * The list's label filter walks its usual order and checks each chat's labels by primary key,
 * or starts from the label's chats when it is a rare one: both are index lookups.
 */
export class Labels1796342400000 implements MigrationInterface {
  name = 'Labels1796342400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_labels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(50) NOT NULL,
        color varchar(7) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT chk_support_labels_color CHECK (color ~ '^#[0-9a-f]{6}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_support_labels_name ON support_labels (lower(name))`);
    await q.query(`
      CREATE TABLE support_chat_labels (
        chat_id uuid NOT NULL,
        label_id uuid NOT NULL,
        label_key varchar(50) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (chat_id, label_id),
        CONSTRAINT fk_support_chat_labels_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE,
        CONSTRAINT fk_support_chat_labels_label FOREIGN KEY (label_id) REFERENCES support_labels(id) ON DELETE CASCADE
      )`);
    // The filter's side of the list: a label's chats, by the name's lower case. Kept here rather
    // than joined so Postgres knows, from this column's statistics, whether a label is common
    // (walk the list's order) or rare (start from its chats) when it plans a page.
    await q.query(`CREATE INDEX idx_support_chat_labels_key ON support_chat_labels (label_key, chat_id)`);
    await q.query(`CREATE INDEX idx_support_chat_labels_label ON support_chat_labels (label_id)`);

    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text)`);
    await q.query(SEND_MESSAGE_V4);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text)`);
    await q.query(SEND_MESSAGE_V3);
    await q.query(`DROP TABLE support_chat_labels`);
    await q.query(`DROP TABLE support_labels`);
  }
}
