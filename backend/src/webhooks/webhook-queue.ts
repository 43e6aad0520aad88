import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';

export const WEBHOOK_QUEUE = 'webhooks';
export const DELIVER_JOB = 'deliver';

/** Only ids: a job names no person, and the body is read from the delivery row when it runs. */
export interface DeliverJobData {
  deliveryId: string;
  /** Attempts made before this one; a job whose count no longer matches its row is stale. */
  attempt: number;
}

/** One job id per attempt, so a retry and the sweep asking for the same attempt make one job. */
export const deliverJobId = (deliveryId: string, attempt: number): string => `wh:${deliveryId}:${attempt}`;

/** The Bull side of deliveries: queueing an attempt, and taking a delivery's jobs away (erase). */
@Injectable()
export class WebhookQueue {
  constructor(@InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliverJobData>) {}

  async enqueue(items: readonly { deliveryId: string; attempt: number; delayMs: number }[]): Promise<void> {
    if (!items.length) return;
    await this.queue.addBulk(
      items.map(({ deliveryId, attempt, delayMs }) => ({
        name: DELIVER_JOB,
        data: { deliveryId, attempt },
        opts: {
          jobId: deliverJobId(deliveryId, attempt),
          delay: Math.max(0, delayMs),
          // Retries are the processor's own (Retry-After, the 24 h window), not Bull's.
          attempts: 1,
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  /**
   * Removes the queued jobs of these deliveries: the one for their next attempt and, in case a
   * retry was being queued meanwhile, the one after. A job already running cannot be removed;
   * it finds its row gone and stops.
   */
  async remove(deliveries: readonly { id: string; attempts: number }[]): Promise<void> {
    for (const d of deliveries) {
      for (const attempt of [d.attempts, d.attempts + 1]) {
        const job = await this.queue.getJob(deliverJobId(d.id, attempt));
        await job?.remove().catch(() => undefined);
      }
    }
  }
}
