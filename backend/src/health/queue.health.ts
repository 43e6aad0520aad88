import { getQueueToken } from '@nestjs/bull';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bull';
import { NOTIFY_QUEUE } from '../notifications/notification-queue';

const TIMEOUT_MS = 1000;

/** Up when the email queue's own Redis connection answers: jobs can be added and taken. */
@Injectable()
export class QueueHealthIndicator implements OnApplicationBootstrap {
  private queue?: Queue;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly health: HealthIndicatorService,
  ) {}

  onApplicationBootstrap(): void {
    this.queue = this.moduleRef.get<Queue>(getQueueToken(NOTIFY_QUEUE), { strict: false });
  }

  async isHealthy(key = 'queue') {
    const indicator = this.health.check(key);
    if (!this.queue) return indicator.down('not started');
    const queue = this.queue;
    try {
      const pong = await Promise.race([
        queue.isReady().then(() => queue.client.ping()),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS).unref()),
      ]);
      return pong === 'PONG' ? indicator.up() : indicator.down('unexpected reply');
    } catch {
      return indicator.down('unreachable');
    }
  }
}
