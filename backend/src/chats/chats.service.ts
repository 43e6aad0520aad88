import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AgentIdentity, UserIdentity } from '../auth/identity';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import { RateLimiter } from '../common/rate-limiter.service';
import type { AdminSupportChat, SupportChat, SupportChatListItem, SupportChatPage, SupportMessage } from '../contracts/wire';
import { MessagesService } from '../messages/messages.service';
import { UsersService } from '../users/users.service';
import { ChatListQuery } from './chat-list.query';

interface ChatHead {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string | null;
  archived: boolean;
}

/** What users and agents may do with chats; both transports (REST, socket) come through here. */
@Injectable()
export class ChatsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly messages: MessagesService,
    private readonly list: ChatListQuery,
    private readonly limiter: RateLimiter,
    private readonly events: ChatEvents,
  ) {}

  // ---- end users ----

  /** The user's chat, created on first call; concurrent first calls make exactly one. */
  async openForUser(user: UserIdentity, before?: string, limit?: number): Promise<SupportChat> {
    const chatId = await this.ensureChat(user);
    return { id: chatId, ...(await this.messages.page(chatId, before, limit)) };
  }

  async userMessagesAfter(user: UserIdentity, after: string, limit?: number): Promise<SupportMessage[]> {
    return this.messages.after(await this.ensureChat(user), after, limit);
  }

  async sendAsUser(user: UserIdentity, content: string, clientId?: string, chatId?: string): Promise<SupportMessage> {
    const own = await this.ensureChat(user);
    // Someone else's chat and a chat that does not exist look the same from outside.
    if (chatId !== undefined && chatId !== own) throw new DomainError('forbidden');
    await this.limiter.consumeMessage(`user:${user.sub}`);
    const { message } = await this.messages.send({
      chatId: own,
      senderType: 'user',
      adminId: null,
      content: content.trim(),
      clientId: clientId ?? null,
    });
    return message;
  }

  async markReadByUser(user: UserIdentity, upTo?: string, chatId?: string): Promise<number> {
    const own = await this.ensureChat(user);
    if (chatId !== undefined && chatId !== own) throw new DomainError('forbidden');
    return this.messages.markRead(own, 'user', upTo);
  }

  /** Whether this user may watch this chat: only their own. */
  async userOwns(user: UserIdentity, chatId: string): Promise<boolean> {
    const [row]: { id: string }[] = await this.db.query(
      `SELECT c.id FROM support_chats c JOIN users u ON u.id = c.user_id WHERE c.id = $1 AND u.external_id = $2`,
      [chatId, user.sub],
    );
    return Boolean(row);
  }

  // ---- agents ----

  listChats(archived: boolean, limit: number, cursor?: string): Promise<SupportChatPage> {
    return this.list.page(archived, limit, cursor);
  }

  /** Opening a chat records the agent's view and marks the user's messages read. */
  async openForAgent(chatId: string, before?: string, limit?: number): Promise<AdminSupportChat> {
    const head = await this.head(chatId);
    if (!before) await this.recordView(chatId);
    return { ...head, ...(await this.messages.page(chatId, before, limit)) };
  }

  async agentMessagesAfter(chatId: string, after: string, limit?: number): Promise<SupportMessage[]> {
    await this.head(chatId);
    return this.messages.after(chatId, after, limit);
  }

  async sendAsAgent(agent: AgentIdentity, chatId: string, content: string, clientId?: string): Promise<SupportMessage> {
    await this.head(chatId);
    await this.limiter.consumeMessage(`agent:${agent.adminId}`);
    const { message } = await this.messages.send({
      chatId,
      senderType: 'admin',
      adminId: agent.adminId,
      content: content.trim(),
      clientId: clientId ?? null,
    });
    return message;
  }

  async recordView(chatId: string): Promise<number> {
    await this.head(chatId);
    // Everything committed before this statement counts as seen, and is in the page loaded next.
    await this.db.query(
      `UPDATE support_chats SET admin_viewed_at = GREATEST(admin_viewed_at, last_message_at, now()), updated_at = now()
       WHERE id = $1`,
      [chatId],
    );
    const updated = await this.messages.markRead(chatId, 'admin');
    this.events.publish({ kind: 'chat_changed', chatId });
    return updated;
  }

  async setArchived(chatId: string, archived: boolean): Promise<SupportChatListItem> {
    const [rows]: [{ id: string }[], number] = await this.db.query(
      `UPDATE support_chats SET archived_at = ${archived ? 'COALESCE(archived_at, now())' : 'NULL'}, updated_at = now()
       WHERE id = $1 RETURNING id`,
      [chatId],
    );
    if (!rows.length) throw new DomainError('not_found', 'Chat not found');
    this.events.publish({ kind: 'chat_changed', chatId });
    return this.listItem(chatId);
  }

  async listItem(chatId: string): Promise<SupportChatListItem> {
    const item = await this.list.item(chatId);
    if (!item) throw new DomainError('not_found', 'Chat not found');
    return item;
  }

  /** Agents may watch any chat that exists. */
  async exists(chatId: string): Promise<boolean> {
    const [row]: { id: string }[] = await this.db.query('SELECT id FROM support_chats WHERE id = $1', [chatId]);
    return Boolean(row);
  }

  private async head(chatId: string): Promise<ChatHead> {
    const [row]: ChatHead[] = await this.db.query(
      `SELECT c.id, c.user_id, u.email AS user_email, u.name AS user_name, c.archived_at IS NOT NULL AS archived
       FROM support_chats c JOIN users u ON u.id = c.user_id WHERE c.id = $1`,
      [chatId],
    );
    if (!row) throw new DomainError('not_found', 'Chat not found');
    return row;
  }

  private async ensureChat(user: UserIdentity): Promise<string> {
    const userId = await this.users.resolve(user);
    const [created]: { id: string }[] = await this.db.query(
      `INSERT INTO support_chats (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING RETURNING id`,
      [userId],
    );
    if (created) {
      this.events.publish({ kind: 'chat_changed', chatId: created.id });
      return created.id;
    }
    const [existing]: { id: string }[] = await this.db.query('SELECT id FROM support_chats WHERE user_id = $1', [userId]);
    return existing.id;
  }
}
