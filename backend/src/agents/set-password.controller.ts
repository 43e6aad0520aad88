import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { AgentsService } from './agents.service';
import { SetPasswordDto } from './dto/agent.dto';

@ApiTags('auth')
@Controller('auth')
export class SetPasswordController {
  constructor(private readonly agents: AgentsService) {}

  @ApiOperation({ summary: "Set a password with a one-time link's token (from adding an agent or a reset)" })
  @Public()
  @Post('set-password')
  @HttpCode(204)
  async setPassword(@Body() body: SetPasswordDto): Promise<void> {
    await this.agents.setPasswordWithLink(body.token, body.password);
  }
}
