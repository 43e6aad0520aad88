import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEND_MESSAGE_V5 } from './1796515200000-private-notes';

/** SEND_MESSAGE_V5 that also returns the chat's version, so the item a send announces carries it. */
export const SEND_MESSAGE_V6 = withVersion(SEND_MESSAGE_V5);

function withVersion(send: string): string {
  const edits: [string, string][] = [
    ['last_message_admin_id uuid, last_message_sender_name text\n', 'last_message_admin_id uuid, last_message_sender_name text, version bigint\n'],
    ['v_last.admin_id, v_last.sender_name\n', 'v_last.admin_id, v_last.sender_name, v_chat.version\n'],
  ];
  return edits.reduce((sql, [from, to]) => {
    if (!sql.includes(from)) throw new Error(`send function: "${from.trim()}" not found`);
    return sql.replace(from, to);
  }, send);
}

/**
 * A version on every chat, one up with each change to its row (a message, an archive, an
 * assignment, a view, a label), taken under the row's lock, so it orders changes as they
 * committed. The agents' list items carry it: an item read before a change but delivered after
 * it (an archive's, overtaken by the reply that reopened the chat) is recognised as stale.
 */
export class ChatVersion1796947200000 implements MigrationInterface {
  name = 'ChatVersion1796947200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support_chats ADD COLUMN version bigint NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE FUNCTION support_chat_bump_version() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        NEW.version := OLD.version + 1;
        RETURN NEW;
      END
      $fn$`);
    await q.query(`CREATE TRIGGER trg_support_chats_version BEFORE UPDATE ON support_chats
                   FOR EACH ROW EXECUTE FUNCTION support_chat_bump_version()`);
    // A label on or off a chat lives in another table; touching the chat row moves its version.
    await q.query(`
      CREATE FUNCTION support_chat_labels_touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        UPDATE support_chats SET updated_at = now() WHERE id = COALESCE(NEW.chat_id, OLD.chat_id);
        RETURN NULL;
      END
      $fn$`);
    await q.query(`CREATE TRIGGER trg_support_chat_labels_touch AFTER INSERT OR DELETE ON support_chat_labels
                   FOR EACH ROW EXECUTE FUNCTION support_chat_labels_touch()`);
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text, boolean)`);
    await q.query(SEND_MESSAGE_V6);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION support_send_message(uuid, text, uuid, text, text, text, boolean)`);
    await q.query(SEND_MESSAGE_V5);
    await q.query(`DROP TRIGGER trg_support_chat_labels_touch ON support_chat_labels`);
    await q.query(`DROP FUNCTION support_chat_labels_touch()`);
    await q.query(`DROP TRIGGER trg_support_chats_version ON support_chats`);
    await q.query(`DROP FUNCTION support_chat_bump_version()`);
    await q.query(`ALTER TABLE support_chats DROP COLUMN version`);
  }
}
