import { Process, Processor } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bull';
import { describeError } from '../logging/log-privacy';
import { WebhookDeliverer } from './webhook-deliverer.service';
import { DELIVER_JOB, WEBHOOK_QUEUE, type DeliverJobData } from './webhook-queue';

/** Sends run side by side: each mostly waits on a receiver, up to the timeout. */
const CONCURRENCY = 8;
const SWEEP_MS = 60_000;

@Processor(WEBHOOK_QUEUE)
export class WebhookDeliveryProcessor {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(private readonly deliverer: WebhookDeliverer) {}

  @Process({ name: DELIVER_JOB, concurrency: CONCURRENCY })
  async handle(job: Job<DeliverJobData>): Promise<string> {
    try {
      return await this.deliverer.attempt(job.data.deliveryId, job.data.attempt);
    } catch (err) {
      // Postgres or Redis failed around the attempt; the sweep re-queues the delivery.
      this.logger.warn(`webhook job ${job.id} failed: ${describeError(err)}`);
      throw err;
    }
  }
}

/** Runs the deliverer's sweep on every worker, one at a time. */
@Injectable()
export class WebhookSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookSweeper.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly deliverer: WebhookDeliverer) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const requeued = await this.deliverer.sweep();
      if (requeued) this.logger.log(`webhook sweep re-queued ${requeued} delivery(ies)`);
    } catch (err) {
      this.logger.warn(`webhook sweep failed: ${describeError(err)}`);
    } finally {
      this.running = false;
    }
  }
}
