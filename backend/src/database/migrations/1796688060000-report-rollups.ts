import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the reports read instead of the messages: a 90-day report over a million messages cannot
 * scan them in 200 ms. Kept up to date by the reports' catch-up (every minute, and on demand),
 * never by the message path, which stays one statement.
 *
 * - `support_report_counts`: messages per 15 minutes (every time zone's hours are whole
 *   quarters) and per agent (the nil id for the user's side), and chats' first user messages.
 * - `support_report_bursts`: each burst of user messages (those since the last agent reply or
 *   archive), when an agent answered it and who, or when an archive closed it unanswered.
 */
export class ReportRollups1796688060000 implements MigrationInterface {
  name = 'ReportRollups1796688060000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_report_counts (
        bucket timestamptz NOT NULL,
        agent_id uuid NOT NULL,
        user_messages integer NOT NULL DEFAULT 0,
        agent_messages integer NOT NULL DEFAULT 0,
        notes integer NOT NULL DEFAULT 0,
        new_chats integer NOT NULL DEFAULT 0,
        PRIMARY KEY (bucket, agent_id)
      )`);
    await q.query(`
      CREATE TABLE support_report_bursts (
        chat_id uuid NOT NULL,
        started_at timestamptz(3) NOT NULL,
        replied_at timestamptz(3),
        agent_id uuid,
        closed_at timestamptz(3),
        PRIMARY KEY (chat_id, started_at),
        CONSTRAINT fk_support_report_bursts_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE INDEX idx_support_report_bursts_started
        ON support_report_bursts (started_at) INCLUDE (replied_at, agent_id, closed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM support_settings WHERE key = 'reports.processed_until'`);
    await q.query(`DROP TABLE support_report_bursts`);
    await q.query(`DROP TABLE support_report_counts`);
  }
}
