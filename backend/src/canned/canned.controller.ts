import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAgent, ForAdmins, ForAgents } from '../auth/auth.decorators';
import type { AgentIdentity } from '../auth/identity';
import type { CannedExpansion, CannedReply } from '../contracts/wire';
import { CannedService } from './canned.service';
import { CannedSearchQuery, CreateCannedDto, ExpandCannedDto, UpdateCannedDto } from './dto/canned.dto';

const Id = (name: string) => Param(name, new ParseUUIDPipe({ version: undefined }));

@ApiTags('canned replies')
@ApiBearerAuth()
@ForAgents()
@Controller('admin')
export class CannedController {
  constructor(private readonly canned: CannedService) {}

  @ApiOperation({ summary: 'The canned replies, by shortcut; `q` finds words in the shortcut, title or text' })
  @Get('canned')
  search(@Query() q: CannedSearchQuery): Promise<CannedReply[]> {
    return this.canned.search(q.q);
  }

  @ApiOperation({
    summary: 'Add a canned reply (admins only)',
    description: 'A shortcut already taken (whatever its case) is 409; a text over 5000 characters 400.',
  })
  @ForAdmins()
  @Post('canned')
  create(@Body() body: CreateCannedDto): Promise<CannedReply> {
    return this.canned.create(body);
  }

  @ApiOperation({ summary: 'Change a canned reply (admins only)' })
  @ForAdmins()
  @Patch('canned/:id')
  update(@Id('id') id: string, @Body() body: UpdateCannedDto): Promise<CannedReply> {
    return this.canned.update(id, body);
  }

  @ApiOperation({ summary: 'Delete a canned reply (admins only)' })
  @ForAdmins()
  @Delete('canned/:id')
  @HttpCode(204)
  async remove(@Id('id') id: string): Promise<void> {
    await this.canned.remove(id);
  }

  @ApiOperation({
    summary: 'A canned reply filled in for this chat, ready to send or edit',
    description:
      '`{{user.name}}`, `{{user.email}}` and `{{agent.name}}` are filled from the chat\'s user and the calling agent; ' +
      'anything else in braces, and a variable without a value, is left as written and listed in `unfilled`. ' +
      'An unknown shortcut is 404, a text over 5000 characters once filled in 400, each with the reason. ' +
      'Nothing is sent: the console puts the text in the composer and sends it as a message.',
  })
  @Post('chats/:id/canned/expand')
  @HttpCode(200)
  expand(@CurrentAgent() agent: AgentIdentity, @Id('id') chatId: string, @Body() body: ExpandCannedDto): Promise<CannedExpansion> {
    return this.canned.expand(agent, chatId, body.shortcut);
  }
}
