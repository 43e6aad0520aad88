import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEND_MESSAGE_V1 } from './1796083200000-hot-path-functions';

// The send of SEND_MESSAGE_V1, storing the author's name too. (Superseded by a later
// migration; kept for its down.)
export const SEND_MESSAGE_V2 = `
      CREATE FUNCTION support_send_message(p_chat uuid, p_sender text, p_admin uuid, p_sender_name text, p_content text, p_client text)
      RETURNS TABLE (
        id uuid, chat_id uuid, content text, sender_type text, read_at timestamptz, created_at timestamptz,
        client_id text, admin_id uuid, sender_name text, created boolean, user_id uuid, user_email text, user_name text,
        message_count integer, archived boolean, unread boolean
      )
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_chat support_chats%ROWTYPE;
        v_msg support_messages%ROWTYPE;
        v_at timestamptz;
        v_created boolean := true;
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
                 v_chat.last_message_at > COALESCE(v_chat.admin_viewed_at, '-infinity')
          FROM users u WHERE u.id = v_chat.user_id;
      END
      $fn$`;

/**
 * Agents as people: roles, deactivation, sessions that a password change or a deactivation
 * ends (by version), one-time set-password links, and the author's name kept on every agent message as it
 * was when sent.
 */
export class AgentsAsPeople1796169600000 implements MigrationInterface {
  name = 'AgentsAsPeople1796169600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE admins ADD COLUMN role varchar(8) NOT NULL DEFAULT 'agent'`);
    await q.query(`ALTER TABLE admins ADD CONSTRAINT chk_admins_role CHECK (role IN ('admin', 'agent'))`);
    // Until now every account could do everything: they stay admins.
    await q.query(`UPDATE admins SET role = 'admin'`);
    await q.query(`ALTER TABLE admins ADD COLUMN deactivated_at timestamptz(3)`);
    // Console tokens carry the version they were issued under; a deactivation or a password
    // change moves it on, and every older token is refused.
    await q.query(`ALTER TABLE admins ADD COLUMN session_version integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE admins ADD COLUMN password_link_hash text`);
    await q.query(`ALTER TABLE admins ADD COLUMN password_link_expires_at timestamptz(3)`);
    await q.query(`CREATE UNIQUE INDEX uq_admins_password_link ON admins (password_link_hash) WHERE password_link_hash IS NOT NULL`);

    await q.query(`ALTER TABLE support_messages ADD COLUMN sender_name text`);
    await q.query(`
      UPDATE support_messages m SET sender_name = COALESCE(NULLIF(a.name, ''), split_part(a.email, '@', 1))
      FROM admins a WHERE m.admin_id = a.id AND m.sender_type = 'admin'`);

    // The send now stores the author's name with the message, and returns it.
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text)`);
    await q.query(SEND_MESSAGE_V2);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text)`);
    await q.query(SEND_MESSAGE_V1);
    await q.query(`ALTER TABLE support_messages DROP COLUMN sender_name`);
    await q.query(`DROP INDEX uq_admins_password_link`);
    await q.query(`ALTER TABLE admins DROP COLUMN password_link_expires_at`);
    await q.query(`ALTER TABLE admins DROP COLUMN password_link_hash`);
    await q.query(`ALTER TABLE admins DROP COLUMN session_version`);
    await q.query(`ALTER TABLE admins DROP COLUMN deactivated_at`);
    await q.query(`ALTER TABLE admins DROP CONSTRAINT chk_admins_role`);
    await q.query(`ALTER TABLE admins DROP COLUMN role`);
  }
}
