import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The server API's keys (only a SHA-256 of each is kept), the record of every erase (which is
 * also how an interrupted erase is found and finished), and the index retention walks.
 */
export class Privacy1796860800000 implements MigrationInterface {
  name = 'Privacy1796860800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        scopes text[] NOT NULL,
        key_hash bytea NOT NULL,
        last4 varchar(4) NOT NULL,
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3),
        revoked_at timestamptz(3),
        CONSTRAINT uq_support_api_keys_hash UNIQUE (key_hash),
        CONSTRAINT chk_support_api_keys_scopes CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'privacy']::text[]),
        CONSTRAINT fk_support_api_keys_created_by FOREIGN KEY (created_by) REFERENCES admins(id) ON DELETE SET NULL
      )`);
    // While an erase runs it names the user and chat it is removing, so a retry after a crash
    // picks it up; once finished both are cleared and the row is an audit line without personal data.
    await q.query(`
      CREATE TABLE support_erasures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid,
        chat_id uuid,
        api_key_id uuid,
        started_at timestamptz(3) NOT NULL DEFAULT now(),
        finished_at timestamptz(3),
        attempts integer NOT NULL DEFAULT 1,
        CONSTRAINT chk_support_erasures_cleared CHECK (finished_at IS NULL OR (user_id IS NULL AND chat_id IS NULL)),
        CONSTRAINT fk_support_erasures_api_key FOREIGN KEY (api_key_id) REFERENCES support_api_keys(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_support_erasures_running ON support_erasures (user_id) WHERE finished_at IS NULL`);
    await q.query(`CREATE INDEX idx_support_erasures_started ON support_erasures (started_at)`);
    // Retention's question, one index range: archived chats by the time of their last message.
    await q.query(`
      CREATE INDEX idx_support_chats_retention
        ON support_chats ((COALESCE(last_message_at, created_at)), id) WHERE archived_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_support_chats_retention`);
    await q.query(`DROP TABLE support_erasures`);
    await q.query(`DROP TABLE support_api_keys`);
  }
}
