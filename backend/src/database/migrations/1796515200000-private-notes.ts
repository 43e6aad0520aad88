import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEND_MESSAGE_V4 } from './1796342400000-labels';

// The send of SEND_MESSAGE_V4 that also writes internal notes (p_private), and returns the list
// item's last message, which a note leaves as it was.
export const SEND_MESSAGE_V5 = `
      CREATE FUNCTION support_send_message(p_chat uuid, p_sender text, p_admin uuid, p_sender_name text, p_content text, p_client text, p_private boolean DEFAULT false)
      RETURNS TABLE (
        id uuid, chat_id uuid, content text, sender_type text, read_at timestamptz, created_at timestamptz,
        client_id text, admin_id uuid, sender_name text, created boolean, user_id uuid, user_email text, user_name text,
        message_count integer, archived boolean, unread boolean, assignee_id uuid, reopened boolean, labels text[],
        private boolean, last_message_at timestamptz, last_message_preview text, last_message_sender text,
        last_message_admin_id uuid, last_message_sender_name text
      )
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_chat support_chats%ROWTYPE;
        v_msg support_messages%ROWTYPE;
        v_at timestamptz;
        v_created boolean := true;
        v_reopened boolean := false;
        v_last support_messages%ROWTYPE;
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
          -- Notes do not move last_message_at, so the newest note counts too: created_at still
          -- strictly increases within the chat, notes included, and ?after= never skips one.
          v_at := GREATEST(date_trunc('milliseconds', clock_timestamp()),
                           COALESCE(v_chat.last_message_at, '-infinity') + interval '1 millisecond',
                           COALESCE((SELECT max(m.created_at) FROM support_messages m WHERE m.chat_id = p_chat), '-infinity')
                             + interval '1 millisecond');
          IF p_private THEN
            -- An internal note: for the agents' eyes only, it leaves the user's side of the chat
            -- as it was (last message, archive state); agents have seen the chat up to it.
            UPDATE support_chats c SET
              message_count = c.message_count + 1,
              admin_viewed_at = GREATEST(c.admin_viewed_at, v_at),
              updated_at = now()
            WHERE c.id = p_chat
            RETURNING * INTO v_chat;
          ELSE
          UPDATE support_chats c SET
            last_message_at = v_at,
            message_count = c.message_count + 1,
            archived_at = CASE WHEN p_sender = 'user' THEN NULL ELSE c.archived_at END,
            admin_viewed_at = CASE WHEN p_sender = 'admin' THEN GREATEST(c.admin_viewed_at, v_at) ELSE c.admin_viewed_at END,
            updated_at = now()
          WHERE c.id = p_chat
          RETURNING * INTO v_chat;
          END IF;
          INSERT INTO support_messages (chat_id, content, sender_type, admin_id, sender_name, client_id, created_at, updated_at, private)
          VALUES (p_chat, p_content, p_sender, p_admin, p_sender_name, p_client, v_at, v_at, p_private)
          RETURNING * INTO v_msg;
        END IF;
        -- The list item's last message is the newest one users see: this one, unless it is a note.
        IF v_msg.private THEN
          SELECT * INTO v_last FROM support_messages m WHERE m.chat_id = p_chat AND NOT m.private
          ORDER BY m.created_at DESC, m.id DESC LIMIT 1;
        ELSE
          v_last := v_msg;
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
                       WHERE cl.chat_id = p_chat ORDER BY lower(l.name)),
                 v_msg.private, v_chat.last_message_at, left(v_last.content, 100), v_last.sender_type::text,
                 v_last.admin_id, v_last.sender_name
          FROM users u WHERE u.id = v_chat.user_id;
      END
      $fn$`;

/**
 * Internal notes: private messages agents leave for each other in a conversation. A note is
 * stamped in the chat's order like any message, but it is not the chat's last message, does not
 * unarchive it, and is never a user's to read (or to be emailed about).
 */
export class PrivateNotes1796515200000 implements MigrationInterface {
  name = 'PrivateNotes1796515200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support_messages ADD COLUMN private boolean NOT NULL DEFAULT false`);
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text)`);
    await q.query(SEND_MESSAGE_V5);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text, boolean)`);
    await q.query(SEND_MESSAGE_V4);
    await q.query(`ALTER TABLE support_messages DROP COLUMN private`);
  }
}
