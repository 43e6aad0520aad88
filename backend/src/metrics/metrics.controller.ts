import { Controller, ForbiddenException, Get, Headers, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/auth.decorators';
import { AppConfigService } from '../config/app-config.service';
import { Metrics } from './metrics.service';

/** Prometheus text at `/metrics` (outside `/api`); a bearer token only when METRICS_TOKEN is set. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfigService,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    this.authorize(authorization);
    res.type(this.metrics.contentType).send(await this.metrics.render());
  }

  private authorize(authorization: string | undefined): void {
    const expected = this.config.get('metricsToken');
    if (expected === null) return;
    if (!authorization?.startsWith('Bearer ')) throw new UnauthorizedException();
    // Hashing first gives equal lengths, which timingSafeEqual needs, without leaking the length.
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (!timingSafeEqual(digest(authorization.slice(7)), digest(expected))) throw new ForbiddenException();
  }
}
