import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentApiKey, ForServers } from '../api-keys/api-key.guard';
import type { ApiCaller } from '../api-keys/api-keys.service';
import type { AgentSupportMessage, ServerUserChat } from '../contracts/wire';
import { MessagesPageQuery } from '../messages/dto/message.dto';
import { ErasureService } from '../privacy/erasure.service';
import { ExportService } from '../privacy/export.service';
import { ServerMessageDto } from './dto/server-message.dto';
import { ExternalIdPipe } from './external-id.pipe';
import { CHAT_EXAMPLE, EXPORT_EXAMPLE, MESSAGE_EXAMPLE } from './server-api.examples';
import { ServerApiService } from './server-api.service';

const ExternalId = () => Param('external_id', ExternalIdPipe);
const EXTERNAL_ID = { name: 'external_id', description: "The user token's `sub`: your id for the user", example: 'user-42' };

@ApiTags('server API')
@ApiParam(EXTERNAL_ID)
@ApiNotFoundResponse({ description: 'No user with this external_id' })
@Controller('server/users/:external_id')
export class ServerApiController {
  constructor(
    private readonly api: ServerApiService,
    private readonly exporter: ExportService,
    private readonly erasure: ErasureService,
  ) {}

  @ApiOperation({
    summary: "A user's chat with its newest messages, as agents see it (scope `read`)",
    description: 'Notes are included, flagged `private: true`. No side effects: nothing is marked read. `?before=<message id>&limit=N` pages back.',
  })
  @ApiOkResponse({ schema: { example: CHAT_EXAMPLE } })
  @ForServers('read')
  @Get('chat')
  chat(@ExternalId() externalId: string, @Query() q: MessagesPageQuery): Promise<ServerUserChat> {
    return this.api.chat(externalId, q.before, q.limit);
  }

  @ApiOperation({
    summary: "Post into a user's chat as an agent (`agent_id`) or as a bot (scope `write`)",
    description:
      "Live on the user's and the agents' sockets, emailed if unread, like an agent's reply. Without `agent_id` the message " +
      "comes from a bot named `sender_name` (default: the API key's name). A user without a chat yet gets one.",
  })
  @ApiCreatedResponse({ schema: { example: MESSAGE_EXAMPLE } })
  @ForServers('write')
  @Post('messages')
  post(@ExternalId() externalId: string, @Body() body: ServerMessageDto, @CurrentApiKey() caller: ApiCaller): Promise<AgentSupportMessage> {
    return this.api.post(externalId, body, caller);
  }

  @ApiOperation({
    summary: "Everything held about a user, as one JSON document, streamed (scope `privacy`)",
    description:
      'Each part is a list of records: `profile`, `chat`, `messages` (notes flagged `private`), `email_notifications`, then ' +
      "each feature's part (such as `ratings`). Sent in chunks as it is read; a connection cut before the closing brace means it is incomplete.",
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ schema: { example: EXPORT_EXAMPLE } })
  @ForServers('privacy')
  @Get('export')
  async export(@ExternalId() externalId: string, @Res() res: Response): Promise<void> {
    await this.exporter.write(externalId, res);
  }

  @ApiOperation({
    summary: 'Erase a user and everything about them (scope `privacy`)',
    description:
      'Their chat, messages, notes, email records, queued jobs, webhook deliveries and rate-limit keys; `user.erased` goes out; ' +
      'an audit row keeps when and by which key, nothing personal. Safe to repeat: a failed erase is finished by asking again. ' +
      'Once finished the user is unknown, so a repeat answers 404 (treat it as done). A token for them later starts an empty chat.',
  })
  @ApiNoContentResponse({ description: 'Erased' })
  @ForServers('privacy')
  @Delete()
  @HttpCode(204)
  async erase(@ExternalId() externalId: string, @CurrentApiKey() caller: ApiCaller): Promise<void> {
    await this.erasure.erase(externalId, caller.keyId);
  }
}
