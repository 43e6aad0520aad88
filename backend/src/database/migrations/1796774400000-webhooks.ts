import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound webhooks: endpoints, their signing secrets (several live while one rotates) and one
 * delivery row per event and endpoint. Secrets are kept as they are, not hashed: the server must
 * sign with them. A delivery names its chat and user so an erase or a retention run finds it;
 * both cascade, so a chat or user deleted by any path takes its deliveries along.
 */
export class Webhooks1796774400000 implements MigrationInterface {
  name = 'Webhooks1796774400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url varchar(2048) NOT NULL,
        description varchar(200),
        event_types text[] NOT NULL,
        include_private boolean NOT NULL DEFAULT false,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason varchar(500),
        disabled_at timestamptz(3),
        failing_since timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT chk_webhook_endpoints_types CHECK (cardinality(event_types) > 0)
      )`);
    await q.query(`
      CREATE TABLE webhook_secrets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL,
        secret varchar(200) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        -- Null for the current secret; a rotated-out one signs alongside it until then.
        expires_at timestamptz(3),
        CONSTRAINT fk_webhook_secrets_endpoint FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_webhook_secrets_endpoint ON webhook_secrets (endpoint_id, created_at)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL,
        event_type varchar(32) NOT NULL,
        -- The exact bytes every attempt signs and sends. Dropped once a user.erased event is
        -- done with, since it names the person erased.
        body text,
        chat_id uuid,
        user_id uuid,
        status varchar(16) NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        response_code integer,
        latency_ms integer,
        last_error varchar(300),
        last_attempt_at timestamptz(3),
        next_attempt_at timestamptz(3),
        retry_until timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT chk_webhook_deliveries_status CHECK (status IN ('pending', 'succeeded', 'failed')),
        CONSTRAINT fk_webhook_deliveries_endpoint FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        CONSTRAINT fk_webhook_deliveries_chat FOREIGN KEY (chat_id) REFERENCES support_chats(id) ON DELETE CASCADE,
        CONSTRAINT fk_webhook_deliveries_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
      )`);
    // An endpoint's recent deliveries, newest first (keyset by created_at, id).
    await q.query(`CREATE INDEX idx_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC)`);
    // The erase and the cascades find a person's deliveries by these.
    await q.query(`CREATE INDEX idx_webhook_deliveries_chat ON webhook_deliveries (chat_id) WHERE chat_id IS NOT NULL`);
    await q.query(`CREATE INDEX idx_webhook_deliveries_user ON webhook_deliveries (user_id) WHERE user_id IS NOT NULL`);
    // The sweep: pending deliveries overdue because Redis lost their job.
    await q.query(`CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    // The pruning of finished deliveries past their keep.
    await q.query(`CREATE INDEX idx_webhook_deliveries_created ON webhook_deliveries (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_secrets`);
    await q.query(`DROP TABLE webhook_endpoints`);
  }
}
