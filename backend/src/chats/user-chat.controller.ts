import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/auth.decorators';
import type { UserIdentity } from '../auth/identity';
import { DomainError } from '../common/domain-error';
import type { SupportChat, SupportMessage } from '../contracts/wire';
import { MarkReadDto, MessagesAfterQuery, MessagesPageQuery, SendMessageDto } from '../messages/dto/message.dto';
import { forUser } from '../messages/messages.service';
import { ChatsService } from './chats.service';

@ApiTags('end user')
@ApiBearerAuth()
@Controller('support_chat')
export class UserChatController {
  constructor(private readonly chats: ChatsService) {}

  @ApiOperation({ summary: "The user's chat (created on first call) with its newest messages" })
  @Get()
  open(@CurrentUser() user: UserIdentity, @Query() q: MessagesPageQuery): Promise<SupportChat> {
    return this.chats.openForUser(user, q.before, q.limit);
  }

  @ApiOperation({ summary: 'Messages after a given one, oldest first: the catch-up after a reconnect' })
  @Get('messages')
  after(@CurrentUser() user: UserIdentity, @Query() q: MessagesAfterQuery): Promise<SupportMessage[]> {
    return this.chats.userMessagesAfter(user, q.after, q.limit);
  }

  @ApiOperation({ summary: 'Send a message to support' })
  @Post('messages')
  async send(@CurrentUser() user: UserIdentity, @Body() body: SendMessageDto): Promise<SupportMessage> {
    if (body.private) throw new DomainError('forbidden', 'Only agents write internal notes');
    return forUser(await this.chats.sendAsUser(user, body.content, body.client_id));
  }

  @ApiOperation({ summary: "Mark support's messages read" })
  @Patch('mark_read')
  @HttpCode(200)
  async markRead(@CurrentUser() user: UserIdentity, @Body() body: MarkReadDto): Promise<{ updated: number }> {
    return { updated: await this.chats.markReadByUser(user, body.up_to) };
  }
}
