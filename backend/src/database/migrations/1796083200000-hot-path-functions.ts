import type { MigrationInterface, QueryRunner } from 'typeorm';

// One message, stored under the chat's row lock: the idempotency check, the stamp (strictly
// increasing per chat in commit order), the counters, unarchiving and the agent's implied
// view. It returns the message and what the agents' list item needs, so nobody queries again
// to broadcast it. No row: the chat does not exist. (Superseded by a later migration; kept for
// its down.)
export const SEND_MESSAGE_V1 = `
      CREATE FUNCTION support_send_message(p_chat uuid, p_sender text, p_admin uuid, p_content text, p_client text)
      RETURNS TABLE (
        id uuid, chat_id uuid, content text, sender_type text, read_at timestamptz, created_at timestamptz,
        client_id text, created boolean, user_id uuid, user_email text, user_name text,
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
          INSERT INTO support_messages (chat_id, content, sender_type, admin_id, client_id, created_at, updated_at)
          VALUES (p_chat, p_content, p_sender, p_admin, p_client, v_at, v_at)
          RETURNING * INTO v_msg;
        END IF;
        RETURN QUERY
          SELECT v_msg.id, v_msg.chat_id, v_msg.content, v_msg.sender_type::text, v_msg.read_at, v_msg.created_at,
                 v_msg.client_id::text, v_created, u.id, u.email, u.name, v_chat.message_count,
                 v_chat.archived_at IS NOT NULL,
                 -- After a new message, every user message is at or before last_message_at, and an
                 -- agent's message moves the view up to it: this is the list's "a user message newer
                 -- than the agents' view" without scanning messages. (Not used for a resend.)
                 v_chat.last_message_at > COALESCE(v_chat.admin_viewed_at, '-infinity')
          FROM users u WHERE u.id = v_chat.user_id;
      END
      $fn$`;

/**
 * The message path as server-side functions, so storing a message, recording an agent's view
 * and resolving a user each cost one round trip. Each runs as one statement, hence in one
 * transaction that commits before the caller hears back: an ack still follows the commit.
 */
export class HotPathFunctions1796083200000 implements MigrationInterface {
  name = 'HotPathFunctions1796083200000';

  async up(q: QueryRunner): Promise<void> {
    // Upserts the user the token describes (writing only when email, name or return URL
    // changed) and finds their chat, creating it when asked. Concurrent first calls make one
    // user and one chat: both inserts are ON CONFLICT, and a loser reads the winner's row.
    await q.query(`
      CREATE FUNCTION support_resolve_user(p_sub text, p_email text, p_name text, p_return_url text, p_create_chat boolean)
      RETURNS TABLE (user_id uuid, chat_id uuid, chat_created boolean)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_user uuid;
        v_chat uuid;
        v_created boolean := false;
      BEGIN
        INSERT INTO users AS u (external_id, email, name, return_url)
        VALUES (p_sub, p_email, p_name, p_return_url)
        ON CONFLICT (external_id) DO UPDATE
          SET email = EXCLUDED.email, name = EXCLUDED.name, return_url = EXCLUDED.return_url, updated_at = now()
          WHERE (u.email, u.name, u.return_url) IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.name, EXCLUDED.return_url)
        RETURNING u.id INTO v_user;
        IF v_user IS NULL THEN
          SELECT u.id INTO v_user FROM users u WHERE u.external_id = p_sub;
        END IF;
        SELECT c.id INTO v_chat FROM support_chats c WHERE c.user_id = v_user;
        IF v_chat IS NULL AND p_create_chat THEN
          INSERT INTO support_chats (user_id) VALUES (v_user) ON CONFLICT (user_id) DO NOTHING RETURNING id INTO v_chat;
          IF v_chat IS NULL THEN
            SELECT c.id INTO v_chat FROM support_chats c WHERE c.user_id = v_user;
          ELSE
            v_created := true;
          END IF;
        END IF;
        RETURN QUERY SELECT v_user, v_chat, v_created;
      END
      $fn$`);

    await q.query(SEND_MESSAGE_V1);

    // An agent's view: everything committed up to the chat's last message counts as seen and
    // its user messages as read. The row lock orders it against sends, and the marking runs as
    // a later statement, so it sees every message the view covers and none that it does not.
    await q.query(`
      CREATE FUNCTION support_record_view(p_chat uuid)
      RETURNS TABLE (found boolean, message_ids uuid[], read_at timestamptz)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_seen timestamptz;
        v_ids uuid[];
        v_now timestamptz := date_trunc('milliseconds', clock_timestamp());
      BEGIN
        UPDATE support_chats c SET admin_viewed_at = GREATEST(c.admin_viewed_at, c.last_message_at), updated_at = now()
        WHERE c.id = p_chat
        RETURNING c.admin_viewed_at INTO v_seen;
        IF NOT FOUND THEN
          RETURN QUERY SELECT false, ARRAY[]::uuid[], NULL::timestamptz;
          RETURN;
        END IF;
        WITH marked AS (
          UPDATE support_messages m SET read_at = v_now, updated_at = v_now
          WHERE m.chat_id = p_chat AND m.sender_type = 'user' AND m.read_at IS NULL AND m.created_at <= v_seen
          RETURNING m.id, m.created_at
        )
        SELECT COALESCE(array_agg(marked.id ORDER BY marked.created_at), ARRAY[]::uuid[]) INTO v_ids FROM marked;
        RETURN QUERY SELECT true, v_ids, v_now;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION support_record_view(uuid)`);
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text)`);
    await q.query(`DROP FUNCTION support_resolve_user(text, text, text, text, boolean)`);
  }
}
