import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAgent, ForAdmins } from '../auth/auth.decorators';
import type { AgentIdentity } from '../auth/identity';
import type { ApiKeyView, CreatedApiKey } from '../contracts/wire';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto } from './dto/api-key.dto';

@ApiTags('api keys')
@ApiBearerAuth()
@ForAdmins()
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @ApiOperation({ summary: 'The API keys, live first (admins only); never the keys themselves' })
  @Get()
  list(): Promise<ApiKeyView[]> {
    return this.keys.list();
  }

  @ApiOperation({
    summary: 'Make an API key for the server API (admins only)',
    description: 'The answer carries `key`, shown this once: only its SHA-256 is stored. Scopes: `read`, `write`, `privacy`.',
  })
  @Post()
  create(@CurrentAgent() agent: AgentIdentity, @Body() body: CreateApiKeyDto): Promise<CreatedApiKey> {
    return this.keys.create(body.name, body.scopes, agent.adminId);
  }

  @ApiOperation({ summary: 'Revoke an API key: refused (401) from the next request on (admins only; idempotent)' })
  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string): Promise<ApiKeyView> {
    return this.keys.revoke(id);
  }
}
