import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AgentDirectory } from '../auth/agent-directory.service';
import { ForAgents } from '../auth/auth.decorators';
import type { PresenceStatus } from '../contracts/wire';
import { PresenceService } from './presence.service';

@ApiTags('agents')
@ApiBearerAuth()
@ForAgents()
@Controller('admin/presence')
export class PresenceController {
  constructor(
    private readonly presence: PresenceService,
    private readonly directory: AgentDirectory,
  ) {}

  @ApiOperation({
    summary: "Who is online: every active agent's presence",
    description:
      'Online while any console tab of theirs is connected, away when they say so (socket `set_presence`) or after ' +
      '`AGENT_IDLE_AWAY_MS` without activity, offline otherwise. Changes arrive live as `agent_presence`.',
  })
  @Get()
  async list(): Promise<{ agent_id: string; name: string; status: PresenceStatus }[]> {
    const statuses = await this.presence.statuses();
    return this.directory
      .all()
      .filter((a) => a.active)
      .map((a) => ({ agent_id: a.id, name: a.name, status: statuses[a.id] ?? 'offline' }));
  }
}
