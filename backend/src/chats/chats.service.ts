import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentDirectory } from '../auth/agent-directory.service';
import type { AgentIdentity, UserIdentity } from '../auth/identity';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import type {
  AdminSupportChat,
  AgentSupportMessage,
  SupportChat,
  SupportChatListItem,
  SupportChatPage,
  SupportMessage,
} from '../contracts/wire';
import { MessageRateLimiter } from '../messages/message-rate-limiter';
import { forUser, MessagesService, type NewMessage } from '../messages/messages.service';
import { UsersService } from '../users/users.service';
import { ACTIVITY_COLUMNS, toActivity, type ActivityRow } from '../assignment/activity';
import { ChatListQuery, LABEL_NAMES, type ListFilter } from './chat-list.query';

interface ChatHead {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string | null;
  archived: boolean;
  assignee_id: string | null;
  labels: string[];
}

/**
 * What users and agents may do with chats; both transports (REST, socket) come through here.
 * A user's own chat id is resolved once by the caller (`userChat`): a socket keeps it for its
 * lifetime, a REST call resolves it per request.
 */
@Injectable()
export class ChatsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly messages: MessagesService,
    private readonly list: ChatListQuery,
    private readonly limiter: MessageRateLimiter,
    private readonly events: ChatEvents,
    private readonly agents: AgentDirectory,
  ) {}

  // ---- end users ----

  /**
   * The user's chat id, keeping the user row as the token describes them. With `create`, the
   * chat is made on first call (concurrent first calls make exactly one); without, null when
   * there is none yet.
   */
  async userChat(user: UserIdentity, create: true): Promise<string>;
  async userChat(user: UserIdentity, create: boolean): Promise<string | null>;
  async userChat(user: UserIdentity, create: boolean): Promise<string | null> {
    const resolved = await this.users.resolve(user, create);
    if (resolved.chatCreated && resolved.chatId) {
      this.events.publish({ kind: 'chat_changed', chatId: resolved.chatId });
      this.events.publish({ kind: 'chat_created', chatId: resolved.chatId });
    }
    return resolved.chatId;
  }

  async openForUser(user: UserIdentity, before?: string, limit?: number): Promise<SupportChat> {
    const chatId = await this.userChat(user, true);
    const page = await this.messages.page(chatId, before, limit, true);
    return { id: chatId, messages: page.messages.map(forUser), has_more: page.has_more };
  }

  async userMessagesAfter(user: UserIdentity, after: string, limit?: number): Promise<SupportMessage[]> {
    return (await this.messages.after(await this.userChat(user, true), after, limit, true)).map(forUser);
  }

  /** A user's message into their own chat (`ownChatId` when the caller resolved it already). */
  async sendAsUser(user: UserIdentity, content: string, clientId?: string, ownChatId?: string, origin?: string): Promise<AgentSupportMessage> {
    return this.store(`user:${user.sub}`, origin, {
      chatId: ownChatId ?? (await this.userChat(user, true)),
      senderType: 'user',
      adminId: null,
      senderName: null,
      content: content.trim(),
      clientId: clientId ?? null,
    });
  }

  async markReadByUser(user: UserIdentity, upTo?: string, ownChatId?: string): Promise<number> {
    return this.messages.markRead(ownChatId ?? (await this.userChat(user, true)), 'user', upTo);
  }

  // ---- agents ----

  listChats(archived: boolean, limit: number, cursor?: string, filter: ListFilter = {}): Promise<SupportChatPage> {
    return this.list.page(archived, limit, cursor, filter);
  }

  /**
   * A chat with its newest messages. Unless `view` is false (a console in a hidden tab, a
   * preview), opening it records the agent's view and marks the user's messages read.
   */
  async openForAgent(chatId: string, before?: string, limit?: number, view = true): Promise<AdminSupportChat> {
    const { assignee_id, ...head } = await this.head(chatId);
    if (view && !before) await this.recordView(chatId);
    const activity: ActivityRow[] = await this.db.query(
      `SELECT ${ACTIVITY_COLUMNS} FROM support_chat_activity WHERE chat_id = $1 ORDER BY created_at, id`,
      [chatId],
    );
    return {
      ...head,
      assignee: this.agents.ref(assignee_id),
      ...(await this.messages.page(chatId, before, limit)),
      activity: activity.map(toActivity),
    };
  }

  /** Catch-up for an agent: no side effects, so a reconnect in a hidden tab marks nothing read. */
  async agentMessagesAfter(chatId: string, after: string, limit?: number): Promise<AgentSupportMessage[]> {
    await this.head(chatId);
    return this.messages.after(chatId, after, limit);
  }

  /** A reply, or with `note` an internal note that only agents ever see. */
  sendAsAgent(
    agent: AgentIdentity,
    chatId: string,
    content: string,
    clientId?: string,
    note = false,
    origin?: string,
  ): Promise<AgentSupportMessage> {
    return this.store(`agent:${agent.adminId}`, origin, {
      chatId,
      senderType: 'admin',
      adminId: agent.adminId,
      senderName: this.agents.get(agent.adminId)?.name ?? agent.email.split('@')[0],
      content: content.trim(),
      clientId: clientId ?? null,
      private: note,
    });
  }

  /**
   * A reply from the host application's backend under a bot's name (the server API): an agent's
   * reply in every effect, with no agent behind it. `sender` keys its allowance (an API key).
   */
  sendAsBot(sender: string, botName: string, chatId: string, content: string, clientId?: string): Promise<AgentSupportMessage> {
    return this.store(sender, undefined, {
      chatId,
      senderType: 'admin',
      adminId: null,
      senderName: botName.trim(),
      content: content.trim(),
      clientId: clientId ?? null,
    });
  }

  async recordView(chatId: string): Promise<number> {
    const { found, updated } = await this.messages.recordAgentView(chatId);
    if (!found) throw new DomainError('not_found', 'Chat not found');
    this.events.publish({ kind: 'chat_changed', chatId });
    return updated;
  }

  async setArchived(chatId: string, archived: boolean, agentId: string): Promise<SupportChatListItem> {
    // `changed` tells a real archive from a repeated click, which must not ask for a second rating.
    const [rows]: [{ changed: boolean }[], number] = await this.db.query(
      `UPDATE support_chats c SET archived_at = ${archived ? 'COALESCE(c.archived_at, now())' : 'NULL'}, updated_at = now()
       FROM (SELECT id, archived_at IS NOT NULL AS was FROM support_chats WHERE id = $1 FOR UPDATE) old
       WHERE c.id = old.id RETURNING old.was <> $2 AS changed`,
      [chatId, archived],
    );
    if (!rows.length) throw new DomainError('not_found', 'Chat not found');
    const chat = await this.listItem(chatId);
    this.events.publish({ kind: 'chat_changed', chatId, chat });
    if (rows[0].changed) this.events.publish({ kind: 'chat_archived', chatId, archived, agentId, chat });
    return chat;
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

  /**
   * The one door for every message. The allowance is decided in memory; a resend of a stored
   * `client_id` is never refused for it (the outbox resending after a lost ack must get its
   * message back) and never counted. `origin` is the sending socket, if a socket sent it.
   */
  private async store(sender: string, origin: string | undefined, input: NewMessage): Promise<AgentSupportMessage> {
    if (!this.limiter.tryConsume(sender)) {
      const stored = input.clientId && this.limiter.tryLookup(sender) ? await this.messages.byClientId(input.chatId, input.clientId) : null;
      if (!stored) throw new DomainError('rate_limited');
      this.events.publish({ kind: 'message_redelivered', chatId: input.chatId, message: stored, origin });
      return notLeaked(input, stored);
    }
    try {
      const { message, created, joined } = await this.messages.send(input);
      if (!created) this.limiter.refund(sender);
      if (!created && !joined) this.events.publish({ kind: 'message_redelivered', chatId: input.chatId, message, origin });
      return notLeaked(input, message);
    } catch (err) {
      this.limiter.refund(sender);
      throw err;
    }
  }

  private async head(chatId: string): Promise<ChatHead> {
    const [row]: ChatHead[] = await this.db.query(
      `SELECT c.id, c.user_id, u.email AS user_email, u.name AS user_name, c.archived_at IS NOT NULL AS archived, c.assignee_id,
              ${LABEL_NAMES} AS labels
       FROM support_chats c JOIN users u ON u.id = c.user_id WHERE c.id = $1`,
      [chatId],
    );
    if (!row) throw new DomainError('not_found', 'Chat not found');
    return row;
  }
}

/**
 * A resend returns the message stored under its client_id; a user whose client_id happens to
 * name an agent's note must not get the note back that way.
 */
function notLeaked(input: NewMessage, message: AgentSupportMessage): AgentSupportMessage {
  if (input.senderType === 'user' && message.private) throw new DomainError('invalid_content', 'This client_id is already used');
  return message;
}
