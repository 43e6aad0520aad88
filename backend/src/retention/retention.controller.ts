import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ForAdmins } from '../auth/auth.decorators';
import type { RetentionStatus } from '../contracts/wire';
import { RetentionService } from './retention.service';

@ApiTags('privacy')
@ApiBearerAuth()
@ForAdmins()
@Controller('admin/retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @ApiOperation({
    summary: 'The retention policy, its next run and how many archived chats that run would delete (admins only)',
    description: '`RETENTION_DAYS` unset: `retention_days`, `next_run_at` and `would_delete` are null and nothing is ever deleted.',
  })
  @Get()
  status(): Promise<RetentionStatus> {
    return this.retention.status();
  }
}
