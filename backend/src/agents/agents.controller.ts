import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAgent, ForAdmins, ForAgents } from '../auth/auth.decorators';
import type { AgentIdentity } from '../auth/identity';
import type { AgentView } from '../contracts/wire';
import { AgentsService } from './agents.service';
import { ChangePasswordDto, CreateAgentDto, ResetPasswordDto, UpdateAgentDto, UpdateMeDto } from './dto/agent.dto';

const AgentId = () => Param('id', new ParseUUIDPipe({ version: undefined }));

@ApiTags('agents')
@ApiBearerAuth()
@ForAdmins()
@Controller('admin/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @ApiOperation({ summary: 'The team (admins only)' })
  @Get()
  list(): Promise<AgentView[]> {
    return this.agents.list();
  }

  @ApiOperation({
    summary: 'Add an agent (admins only)',
    description: 'With `password`, or without it to get a one-time `set_password_url` (shown once, valid 72 hours).',
  })
  @Post()
  create(@Body() body: CreateAgentDto): Promise<{ agent: AgentView; set_password_url?: string }> {
    return this.agents.create(body);
  }

  @ApiOperation({ summary: 'Rename an agent or change their role (admins only); the last active admin stays an admin' })
  @Patch(':id')
  update(@AgentId() id: string, @Body() body: UpdateAgentDto): Promise<AgentView> {
    return this.agents.update(id, body);
  }

  @ApiOperation({ summary: "Deactivate an agent: their tokens and sockets stop at once, on every instance (admins only)" })
  @Post(':id/deactivate')
  @HttpCode(200)
  deactivate(@AgentId() id: string): Promise<AgentView> {
    return this.agents.setActive(id, false);
  }

  @ApiOperation({ summary: 'Reactivate an agent (admins only)' })
  @Post(':id/reactivate')
  @HttpCode(200)
  reactivate(@AgentId() id: string): Promise<AgentView> {
    return this.agents.setActive(id, true);
  }

  @ApiOperation({
    summary: "Reset an agent's password (admins only): a new one, or a one-time link; their sessions end",
  })
  @Post(':id/password')
  @HttpCode(200)
  resetPassword(@AgentId() id: string, @Body() body: ResetPasswordDto): Promise<{ set_password_url?: string }> {
    return this.agents.resetPassword(id, body.password);
  }
}

@ApiTags('agents')
@ApiBearerAuth()
@ForAgents()
@Controller('admin/me')
export class MeController {
  constructor(private readonly agents: AgentsService) {}

  @ApiOperation({ summary: 'The signed-in agent' })
  @Get()
  me(@CurrentAgent() agent: AgentIdentity): Promise<AgentView> {
    return this.agents.get(agent.adminId);
  }

  @ApiOperation({ summary: 'Change my display name' })
  @Patch()
  rename(@CurrentAgent() agent: AgentIdentity, @Body() body: UpdateMeDto): Promise<AgentView> {
    return this.agents.rename(agent, body.name);
  }

  @ApiOperation({ summary: 'Change my password: my other sessions end, and this one gets a fresh token' })
  @Post('password')
  @HttpCode(200)
  changePassword(@CurrentAgent() agent: AgentIdentity, @Body() body: ChangePasswordDto): Promise<{ access_token: string; expires_in: number }> {
    return this.agents.changePassword(agent, body.current_password, body.new_password);
  }
}
