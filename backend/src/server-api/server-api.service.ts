import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ApiCaller } from '../api-keys/api-keys.service';
import { AgentDirectory } from '../auth/agent-directory.service';
import { ChatsService } from '../chats/chats.service';
import { ChatEvents } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import type { DataSubject } from '../common/user-data';
import type { AgentSupportMessage, ServerUserChat } from '../contracts/wire';
import { DataSubjects } from '../privacy/data-subjects';
import type { ServerMessageDto } from './dto/server-message.dto';

/**
 * The host application's backend, which vouches for its users and is trusted like an agent:
 * it reads a user's chat as agents see it (notes included, flagged `private`) and posts into it
 * as one of the agents or as a named bot, through the same door as every message, so a post
 * reaches the sockets, the unread-reply email and the webhooks like an agent's reply.
 */
@Injectable()
export class ServerApiService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subjects: DataSubjects,
    private readonly chats: ChatsService,
    private readonly agents: AgentDirectory,
    private readonly events: ChatEvents,
  ) {}

  /** Without side effects: reading through the API marks nothing read and records no view. */
  async chat(externalId: string, before?: string, limit?: number): Promise<ServerUserChat> {
    const subject = await this.subjects.get(externalId);
    if (!subject.chatId) throw new DomainError('not_found', 'This user has no chat yet');
    return { ...(await this.chats.openForAgent(subject.chatId, before, limit, false)), external_id: externalId };
  }

  async post(externalId: string, body: ServerMessageDto, caller: ApiCaller): Promise<AgentSupportMessage> {
    const subject = await this.subjects.get(externalId);
    if (body.agent_id) {
      const agent = this.agents.get(body.agent_id);
      if (!agent?.active) throw new DomainError('invalid_content', 'agent_id does not name an active agent');
      const chatId = await this.chatOf(subject);
      return this.chats.sendAsAgent({ kind: 'agent', adminId: agent.id, email: agent.email, exp: 0 }, chatId, body.content, body.client_id);
    }
    // A key has its own allowance, as an agent has.
    return this.chats.sendAsBot(`api:${caller.keyId}`, body.sender_name ?? caller.name, await this.chatOf(subject), body.content, body.client_id);
  }

  /** A user the host knows but who never opened the widget gets their chat now. */
  private async chatOf(subject: DataSubject): Promise<string> {
    if (subject.chatId) return subject.chatId;
    const [made]: { id: string }[] = await this.db.query(
      `INSERT INTO support_chats (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING RETURNING id`,
      [subject.userId],
    );
    if (made) {
      this.events.publish({ kind: 'chat_changed', chatId: made.id });
      this.events.publish({ kind: 'chat_created', chatId: made.id });
      return made.id;
    }
    const [existing]: { id: string }[] = await this.db.query(`SELECT id FROM support_chats WHERE user_id = $1`, [subject.userId]);
    if (!existing) throw new DomainError('not_found', 'No user with this external_id');
    return existing.id;
  }
}
