import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAgent, ForAdmins, ForAgents } from '../auth/auth.decorators';
import type { AgentIdentity } from '../auth/identity';
import type { SupportChatListItem } from '../contracts/wire';
import { AssignmentService } from './assignment.service';
import { AssignDto, AssignmentSettingsDto, type AssignmentSettings } from './dto/assignment.dto';

@ApiTags('agents')
@ApiBearerAuth()
@ForAgents()
@Controller('admin')
export class AssignmentController {
  constructor(private readonly assignment: AssignmentService) {}

  @ApiOperation({
    summary: 'Assign a chat to an agent, or unassign it (agent_id null)',
    description:
      'A chat has at most one assignee. An unknown agent is a 404, a deactivated one or an archived chat a 400. ' +
      'Each change is a line in the chat\'s `activity` ("Ana assigned this to Ben") and reaches every console ' +
      'as `chat_activity` and `chat_updated`.',
  })
  @Post('chats/:id/assign')
  @HttpCode(200)
  assign(
    @CurrentAgent() agent: AgentIdentity,
    @Param('id', new ParseUUIDPipe({ version: undefined })) chatId: string,
    @Body() body: AssignDto,
  ): Promise<SupportChatListItem> {
    return this.assignment.assign(agent, chatId, body.agent_id);
  }

  @ApiOperation({ summary: 'Auto-assignment settings' })
  @Get('settings/assignment')
  settings(): Promise<AssignmentSettings> {
    return this.assignment.settings();
  }

  @ApiOperation({
    summary: 'Switch auto-assignment and set the per-agent cap (admins only)',
    description:
      'With `auto_assign`, a new or reopened chat goes to the online agent with the fewest open chats below ' +
      '`max_open_per_agent` (default 10), ties to whoever got one least recently; if nobody has room it waits ' +
      'unassigned and is handed out oldest first when someone does. A chat whose agent stays offline longer than ' +
      '`ASSIGNMENT_GRACE_MS` (5 minutes) returns to the queue.',
  })
  @ForAdmins()
  @Patch('settings/assignment')
  update(@Body() body: AssignmentSettingsDto): Promise<AssignmentSettings> {
    return this.assignment.updateSettings(body);
  }
}
