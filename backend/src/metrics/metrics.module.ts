import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';
import { QueueObserver } from './queue-observer.service';

/** Global so the gateway and the queue can report without importing one another. */
@Global()
@Module({ controllers: [MetricsController], providers: [Metrics, QueueObserver], exports: [Metrics] })
export class MetricsModule {}
