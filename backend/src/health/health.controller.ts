import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { DatabaseHealthIndicator } from './database.health';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';
import { ServingHealthIndicator } from './serving.health';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly serving: ServingHealthIndicator,
    private readonly queue: QueueHealthIndicator,
  ) {}

  @ApiOperation({ summary: '200 when Postgres and Redis answer, 503 otherwise' })
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.db.isHealthy(), () => this.redis.isHealthy()]);
  }

  @ApiOperation({ summary: 'Readiness: 200 when Postgres, Redis and the email queue answer and no shutdown is under way' })
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.serving.isHealthy(),
      () => this.db.isHealthy(),
      () => this.redis.isHealthy(),
      () => this.queue.isHealthy(),
    ]);
  }
}
