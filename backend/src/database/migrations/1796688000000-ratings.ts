import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ratings and what the reports read.
 *
 * `support_chat_archives` logs every archive (a trigger on the chat, so the log commits with the
 * archive itself): when, whose conversation it was (the assignee then; the archiving agent fills
 * it in when there was none), when that conversation opened (the first user message after the
 * previous archive) and, later, when a user message reopened it. Resolution times and reopened
 * conversations are then one indexed range each, with no replay of the history.
 *
 * `support_chat_ratings` holds one rating per archive: (chat, archived_at) is unique.
 */
export class Ratings1796688000000 implements MigrationInterface {
  name = 'Ratings1796688000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_chat_archives (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chat_id uuid NOT NULL,
        archived_at timestamptz(3) NOT NULL,
        agent_id uuid,
        opened_at timestamptz(3),
        reopened_at timestamptz(3),
        CONSTRAINT uq_support_chat_archives UNIQUE (chat_id, archived_at),
        CONSTRAINT fk_support_chat_archives_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE,
        CONSTRAINT fk_support_chat_archives_agent FOREIGN KEY (agent_id) REFERENCES admins(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX idx_support_chat_archives_at ON support_chat_archives (archived_at) INCLUDE (agent_id, opened_at, chat_id)`);
    await q.query(`CREATE INDEX idx_support_chat_archives_reopened ON support_chat_archives (reopened_at) WHERE reopened_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE support_chat_ratings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chat_id uuid NOT NULL,
        archived_at timestamptz(3) NOT NULL,
        score smallint NOT NULL,
        comment text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT uq_support_chat_ratings_archive UNIQUE (chat_id, archived_at),
        CONSTRAINT chk_support_chat_ratings_score CHECK (score BETWEEN 1 AND 5),
        CONSTRAINT chk_support_chat_ratings_comment CHECK (char_length(comment) BETWEEN 1 AND 1000),
        CONSTRAINT fk_support_chat_ratings_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_support_chat_ratings_created ON support_chat_ratings (created_at) INCLUDE (score, chat_id, archived_at)`);

    // The reports' ranges: messages by time (index-only for the counts), chats by creation.
    await q.query(`
      CREATE INDEX idx_support_messages_report
        ON support_messages (created_at) INCLUDE (chat_id, sender_type, admin_id, private)`);
    await q.query(`CREATE INDEX idx_support_chats_created ON support_chats (created_at)`);

    // Runs only when the chat's state flips, never for an ordinary message (the WHEN clause).
    await q.query(`
      CREATE FUNCTION support_log_archive() RETURNS trigger LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_since timestamptz;
      BEGIN
        SELECT max(a.archived_at) INTO v_since FROM support_chat_archives a WHERE a.chat_id = NEW.id AND a.archived_at < NEW.archived_at;
        INSERT INTO support_chat_archives (chat_id, archived_at, agent_id, opened_at)
        VALUES (NEW.id, NEW.archived_at, NEW.assignee_id, (
          SELECT m.created_at FROM support_messages m
          WHERE m.chat_id = NEW.id AND m.sender_type = 'user' AND m.created_at > COALESCE(v_since, '-infinity')
          ORDER BY m.created_at LIMIT 1))
        ON CONFLICT (chat_id, archived_at) DO NOTHING;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER trg_support_chats_archived AFTER UPDATE OF archived_at ON support_chats
        FOR EACH ROW WHEN (OLD.archived_at IS NULL AND NEW.archived_at IS NOT NULL)
        EXECUTE FUNCTION support_log_archive()`);
    // A user's message reopens an archived chat and moves last_message_at; an agent's restore does not.
    await q.query(`
      CREATE FUNCTION support_log_reopen() RETURNS trigger LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      BEGIN
        UPDATE support_chat_archives a SET reopened_at = NEW.last_message_at
        WHERE a.chat_id = NEW.id AND a.archived_at = OLD.archived_at;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER trg_support_chats_reopened AFTER UPDATE OF archived_at ON support_chats
        FOR EACH ROW WHEN (OLD.archived_at IS NOT NULL AND NEW.archived_at IS NULL
                           AND NEW.last_message_at IS DISTINCT FROM OLD.last_message_at)
        EXECUTE FUNCTION support_log_reopen()`);

    // Chats archived before this migration get their current archive logged, so they can be rated.
    await q.query(`
      INSERT INTO support_chat_archives (chat_id, archived_at, agent_id, opened_at)
      SELECT c.id, c.archived_at, c.assignee_id,
             (SELECT min(m.created_at) FROM support_messages m WHERE m.chat_id = c.id AND m.sender_type = 'user')
      FROM support_chats c WHERE c.archived_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER trg_support_chats_reopened ON support_chats`);
    await q.query(`DROP TRIGGER trg_support_chats_archived ON support_chats`);
    await q.query(`DROP FUNCTION support_log_reopen()`);
    await q.query(`DROP FUNCTION support_log_archive()`);
    await q.query(`DROP INDEX idx_support_chats_created`);
    await q.query(`DROP INDEX idx_support_messages_report`);
    await q.query(`DROP TABLE support_chat_ratings`);
    await q.query(`DROP TABLE support_chat_archives`);
  }
}
