import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChatsService } from '../chats/chats.service';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import { isUniqueViolation } from '../common/names';
import type { SupportChatListItem, SupportLabel } from '../contracts/wire';

const DEFAULT_COLOR = '#6b7280';
const LABEL_COLUMNS = `l.id, l.name, l.color, (SELECT count(*) FROM support_chat_labels cl WHERE cl.label_id = l.id)::int AS chat_count`;

/**
 * The shared label catalogue (admins keep it) and the labels on each chat (any agent). A change
 * on a chat reaches every console as that chat's `chat_updated`; a change to the catalogue as
 * `labels_changed`, naming a renamed or deleted label so consoles can fix the cards they hold.
 */
@Injectable()
export class LabelsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly chats: ChatsService,
    private readonly events: ChatEvents,
  ) {}

  list(): Promise<SupportLabel[]> {
    return this.db.query(`SELECT ${LABEL_COLUMNS} FROM support_labels l ORDER BY lower(l.name), l.id`);
  }

  async create(name: string, color = DEFAULT_COLOR): Promise<SupportLabel> {
    const label = await this.unique(name, async () => {
      const [row]: { id: string }[] = await this.db.query(
        `INSERT INTO support_labels (name, color) VALUES ($1, $2) RETURNING id`,
        [name.trim(), color.toLowerCase()],
      );
      return this.get(row.id);
    });
    await this.announce(null, null);
    return label;
  }

  async update(id: string, change: { name?: string; color?: string }): Promise<SupportLabel> {
    const before = await this.get(id);
    const label = await this.unique(change.name ?? before.name, async () => {
      // The chats' copy of the name moves with it. Two statements, in this order: the first waits
      // for any chat being labelled meanwhile (it holds the label's row), the second then sees it.
      await this.db.transaction(async (tx) => {
        await tx.query(`UPDATE support_labels SET name = COALESCE($2, name), color = COALESCE($3, color), updated_at = now() WHERE id = $1`, [
          id,
          change.name?.trim() ?? null,
          change.color?.toLowerCase() ?? null,
        ]);
        await tx.query(
          `UPDATE support_chat_labels cl SET label_key = lower(l.name) FROM support_labels l
           WHERE l.id = $1 AND cl.label_id = l.id AND cl.label_key <> lower(l.name)`,
          [id],
        );
      });
      return this.get(id);
    });
    await this.announce(before.name !== label.name ? { from: before.name, to: label.name } : null, null);
    return label;
  }

  /** Deleting a label takes it off every chat. */
  async remove(id: string): Promise<void> {
    const [rows]: [{ name: string }[], number] = await this.db.query(`DELETE FROM support_labels WHERE id = $1 RETURNING name`, [id]);
    if (!rows.length) throw new DomainError('not_found', 'No such label');
    await this.announce(null, rows[0].name);
  }

  /** Idempotent: a label already on the chat stays once. */
  async addToChat(chatId: string, labelId: string): Promise<SupportChatListItem> {
    await this.get(labelId);
    if (!(await this.chats.exists(chatId))) throw new DomainError('not_found', 'Chat not found');
    try {
      // The label's row is held while its name is copied, so a rename waits for this to commit.
      await this.db.query(
        `INSERT INTO support_chat_labels (chat_id, label_id, label_key)
         SELECT $1, l.id, lower(l.name) FROM support_labels l WHERE l.id = $2 FOR SHARE
         ON CONFLICT DO NOTHING`,
        [chatId, labelId],
      );
    } catch (err) {
      // The chat went away in between.
      if ((err as { driverError?: { code?: string } })?.driverError?.code === '23503') throw new DomainError('not_found', 'Chat not found');
      throw err;
    }
    return this.changed(chatId);
  }

  /** Idempotent: removing a label the chat does not carry changes nothing. */
  async removeFromChat(chatId: string, labelId: string): Promise<SupportChatListItem> {
    if (!(await this.chats.exists(chatId))) throw new DomainError('not_found', 'Chat not found');
    await this.db.query(`DELETE FROM support_chat_labels WHERE chat_id = $1 AND label_id = $2`, [chatId, labelId]);
    return this.changed(chatId);
  }

  private async changed(chatId: string): Promise<SupportChatListItem> {
    const chat = await this.chats.listItem(chatId);
    this.events.publish({ kind: 'chat_changed', chatId, chat });
    return chat;
  }

  private async get(id: string): Promise<SupportLabel> {
    const [label]: SupportLabel[] = await this.db.query(`SELECT ${LABEL_COLUMNS} FROM support_labels l WHERE l.id = $1`, [id]);
    if (!label) throw new DomainError('not_found', 'No such label');
    return label;
  }

  /** The unique index decides, so two admins creating the same name at once get one label. */
  private async unique<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException(`A label named "${name.trim()}" already exists`);
      throw err;
    }
  }

  private async announce(renamed: { from: string; to: string } | null, deleted: string | null): Promise<void> {
    this.events.publish({ kind: 'labels_changed', labels: await this.list(), renamed, deleted });
  }
}
