import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAgent, ForAgents } from '../auth/auth.decorators';
import type { AgentIdentity } from '../auth/identity';
import type { AdminSupportChat, SupportChatListItem, SupportChatPage, SupportMessage } from '../contracts/wire';
import { MessagesAfterQuery, SendMessageDto } from '../messages/dto/message.dto';
import { type AssigneeFilter } from './chat-list.query';
import { ChatsService } from './chats.service';
import { AgentChatQuery, ListChatsQuery } from './dto/chat.dto';

const ChatId = () => Param('id', new ParseUUIDPipe({ version: undefined }));

@ApiTags('agents')
@ApiBearerAuth()
@ForAgents()
@Controller('admin/chats')
export class AdminChatsController {
  constructor(private readonly chats: ChatsService) {}

  @ApiOperation({
    summary: 'Chats, most recent message first, keyset-paginated; filtered by assignee (me, none, an agent) and label',
  })
  @Get()
  list(@CurrentAgent() agent: AgentIdentity, @Query() q: ListChatsQuery): Promise<SupportChatPage> {
    return this.chats.listChats(q.archived === 'true', q.limit ?? 50, q.cursor, { assignee: assigneeFilter(q.assignee, agent), label: q.label });
  }

  @ApiOperation({
    summary: "A chat with its newest messages; records the agent's view",
    description:
      "Opening a chat records that agents viewed it and marks the user's messages read, unless `view=false` " +
      '(a console in a hidden tab) or `before` (paging back). Catch-up after a reconnect uses `/messages?after=`, ' +
      'which has no side effects.',
  })
  @Get(':id')
  open(@ChatId() id: string, @Query() q: AgentChatQuery): Promise<AdminSupportChat> {
    return this.chats.openForAgent(id, q.before, q.limit, q.view !== 'false');
  }

  @ApiOperation({ summary: 'Messages after a given one, oldest first' })
  @Get(':id/messages')
  after(@ChatId() id: string, @Query() q: MessagesAfterQuery): Promise<SupportMessage[]> {
    return this.chats.agentMessagesAfter(id, q.after, q.limit);
  }

  @ApiOperation({
    summary: 'Reply to the user, or with `private: true` leave an internal note',
    description:
      'A note reaches the agents only (socket, REST, catch-up); the user never sees it, is never emailed about it, ' +
      'and it moves neither the chat\'s last message nor its archive state.',
  })
  @Post(':id/messages')
  send(@CurrentAgent() agent: AgentIdentity, @ChatId() id: string, @Body() body: SendMessageDto): Promise<SupportMessage> {
    return this.chats.sendAsAgent(agent, id, body.content, body.client_id, body.private === true);
  }

  @ApiOperation({ summary: 'Archive (history is kept)' })
  @Post(':id/archive')
  @HttpCode(200)
  archive(@CurrentAgent() agent: AgentIdentity, @ChatId() id: string): Promise<SupportChatListItem> {
    return this.chats.setArchived(id, true, agent.adminId);
  }

  @ApiOperation({ summary: 'Restore an archived chat' })
  @Post(':id/unarchive')
  @HttpCode(200)
  unarchive(@CurrentAgent() agent: AgentIdentity, @ChatId() id: string): Promise<SupportChatListItem> {
    return this.chats.setArchived(id, false, agent.adminId);
  }
}

function assigneeFilter(raw: string | undefined, agent: AgentIdentity): AssigneeFilter {
  if (raw === undefined) return { kind: 'all' };
  if (raw === 'none') return { kind: 'none' };
  return { kind: 'agent', id: raw === 'me' ? agent.adminId : raw.toLowerCase() };
}
