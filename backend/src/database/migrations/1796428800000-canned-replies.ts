import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Canned replies: the team's shared answers, each reached by a shortcut unique whatever its case. */
export class CannedReplies1796428800000 implements MigrationInterface {
  name = 'CannedReplies1796428800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support_canned_replies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title varchar(100) NOT NULL,
        shortcut varchar(33) NOT NULL,
        content text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT chk_support_canned_replies_shortcut CHECK (shortcut ~ '^/[a-z0-9][a-z0-9_-]{0,31}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_support_canned_replies_shortcut ON support_canned_replies (shortcut)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE support_canned_replies`);
  }
}
