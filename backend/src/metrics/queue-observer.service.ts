import { getQueueToken } from '@nestjs/bull';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bull';
import { NOTIFY_QUEUE } from '../notifications/notification-queue';
import { Metrics } from './metrics.service';

/**
 * Reads the email queue for the metrics without the notifications module knowing: its depth at
 * each scrape, and each finished job as an email outcome. Bull reports a job's completion only
 * to the process that ran it, so each email is counted once across all instances.
 */
@Injectable()
export class QueueObserver implements OnApplicationBootstrap {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    const queue = this.moduleRef.get<Queue>(getQueueToken(NOTIFY_QUEUE), { strict: false });
    this.metrics.countQueueWith(() => queue.getJobCounts());
    queue.on('completed', (_job: Job, outcome: unknown) => {
      if (outcome === 'sent' || outcome === 'unsent') this.metrics.emailFinished(outcome);
    });
    queue.on('failed', (job: Job) => {
      // Only the last attempt: earlier failures are retried and may still end in `sent`.
      if (job.attemptsMade >= (job.opts.attempts ?? 1)) this.metrics.emailFinished('failed');
    });
  }
}
