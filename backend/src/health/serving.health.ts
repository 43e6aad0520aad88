import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ShutdownCoordinator } from '../lifecycle/shutdown.service';

/** Down once a SIGTERM has started the drain, so a load balancer stops sending new work here. */
@Injectable()
export class ServingHealthIndicator {
  constructor(
    private readonly shutdown: ShutdownCoordinator,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy(key = 'serving') {
    const indicator = this.health.check(key);
    return this.shutdown.isDraining ? indicator.down('shutting down') : indicator.up();
  }
}
