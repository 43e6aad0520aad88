import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEND_MESSAGE_V2 } from './1796169600000-agents-as-people';

// The send of SEND_MESSAGE_V2, returning the chat's assignee too. (Superseded by a later
// migration; kept for its down.)
export const SEND_MESSAGE_V3 = `
      CREATE FUNCTION support_send_message(p_chat uuid, p_sender text, p_admin uuid, p_sender_name text, p_content text, p_client text)
      RETURNS TABLE (
        id uuid, chat_id uuid, content text, sender_type text, read_at timestamptz, created_at timestamptz,
        client_id text, admin_id uuid, sender_name text, created boolean, user_id uuid, user_email text, user_name text,
        message_count integer, archived boolean, unread boolean, assignee_id uuid, reopened boolean
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
                 v_chat.assignee_id, v_reopened
          FROM users u WHERE u.id = v_chat.user_id;
      END
      $fn$`;

/**
 * Assignment: a chat has at most one assignee; each change is a line in the conversation's
 * activity; the list filters by assignee with an index per tab; auto-assignment has its settings
 * and remembers when each agent last got a chat.
 */
export class Assignment1796256000000 implements MigrationInterface {
  name = 'Assignment1796256000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support_chats ADD COLUMN assignee_id uuid`);
    await q.query(`ALTER TABLE support_chats ADD COLUMN assigned_at timestamptz(3)`);
    await q.query(`
      ALTER TABLE support_chats ADD CONSTRAINT fk_support_chats_assignee
        FOREIGN KEY (assignee_id) REFERENCES admins(id) ON DELETE SET NULL`);
    // Mine, someone's and unassigned (assignee_id IS NULL is an index condition too), per tab,
    // in the list's order: each filter is one index range.
    await q.query(`
      CREATE INDEX idx_support_chats_active_assignee_order
        ON support_chats (assignee_id, (COALESCE(last_message_at, '-infinity'::timestamptz)) DESC, id DESC)
        WHERE archived_at IS NULL`);
    await q.query(`
      CREATE INDEX idx_support_chats_archived_assignee_order
        ON support_chats (assignee_id, (COALESCE(last_message_at, '-infinity'::timestamptz)) DESC, id DESC)
        WHERE archived_at IS NOT NULL`);
    await q.query(`ALTER TABLE admins ADD COLUMN last_assigned_at timestamptz(3)`);

    await q.query(`
      CREATE TABLE support_chat_activity (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chat_id uuid NOT NULL,
        kind varchar(16) NOT NULL,
        actor_id uuid,
        actor_name text,
        assignee_id uuid,
        assignee_name text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT chk_support_chat_activity_kind CHECK (kind IN ('assigned', 'unassigned')),
        CONSTRAINT fk_support_chat_activity_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_support_chat_activity_chat ON support_chat_activity (chat_id, created_at)`);

    await q.query(`
      CREATE TABLE support_settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    // The send returns the chat's assignee as well, for the list item it broadcasts.
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text)`);
    await q.query(SEND_MESSAGE_V3);

    // Hands waiting chats (open, unassigned, with a message from the user) to the online agents
    // with room, oldest chat first; an agent with fewer open chats first, then whoever got one
    // least recently. One instance at a time (an advisory lock), so simultaneous arrivals on
    // several instances never put an agent over the cap or a chat with two agents.
    await q.query(`
      CREATE FUNCTION support_auto_assign(p_online uuid[], p_cap integer)
      RETURNS TABLE (chat_id uuid, assignee_id uuid, activity_id uuid)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_chat uuid;
        v_agent uuid;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('support_auto_assign'));
        LOOP
          SELECT a.id INTO v_agent
          FROM admins a
          LEFT JOIN LATERAL (
            SELECT count(*) AS n FROM support_chats c WHERE c.assignee_id = a.id AND c.archived_at IS NULL
          ) open ON true
          WHERE a.id = ANY(p_online) AND a.deactivated_at IS NULL AND open.n < p_cap
          ORDER BY open.n, a.last_assigned_at NULLS FIRST, a.id
          LIMIT 1;
          EXIT WHEN v_agent IS NULL;
          SELECT c.id INTO v_chat
          FROM support_chats c
          WHERE c.archived_at IS NULL AND c.assignee_id IS NULL
            AND EXISTS (SELECT 1 FROM support_messages m WHERE m.chat_id = c.id AND m.sender_type = 'user')
          ORDER BY c.last_message_at, c.id
          LIMIT 1
          FOR UPDATE SKIP LOCKED;
          EXIT WHEN v_chat IS NULL;
          UPDATE support_chats SET assignee_id = v_agent, assigned_at = now(), updated_at = now() WHERE id = v_chat;
          UPDATE admins SET last_assigned_at = clock_timestamp() WHERE id = v_agent;
          -- The conversation's line, in the same transaction: an assignment is never without it.
          INSERT INTO support_chat_activity (chat_id, kind, assignee_id, assignee_name)
          SELECT v_chat, 'assigned', a.id, COALESCE(NULLIF(trim(a.name), ''), split_part(a.email, '@', 1))
          FROM admins a WHERE a.id = v_agent
          RETURNING id INTO activity_id;
          chat_id := v_chat;
          assignee_id := v_agent;
          RETURN NEXT;
        END LOOP;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION support_auto_assign(uuid[], integer)`);
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text)`);
    await q.query(SEND_MESSAGE_V2);
    await q.query(`DROP TABLE support_settings`);
    await q.query(`DROP TABLE support_chat_activity`);
    await q.query(`ALTER TABLE admins DROP COLUMN last_assigned_at`);
    await q.query(`DROP INDEX idx_support_chats_archived_assignee_order`);
    await q.query(`DROP INDEX idx_support_chats_active_assignee_order`);
    await q.query(`ALTER TABLE support_chats DROP CONSTRAINT fk_support_chats_assignee`);
    await q.query(`ALTER TABLE support_chats DROP COLUMN assigned_at`);
    await q.query(`ALTER TABLE support_chats DROP COLUMN assignee_id`);
  }
}
