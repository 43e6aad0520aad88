import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import { filter, type Subscription } from 'rxjs';
import { ChatEvents, type ChatEvent } from '../common/chat-events';
import { AppConfigService } from '../config/app-config.service';
import { describeError } from '../logging/log-privacy';
import { burstJobId, NOTIFY_JOB, NOTIFY_QUEUE, type NotifyJobData } from './notification-queue';
import { ReplyNotifier } from './reply-notifier.service';

/**
 * Schedules the unread-reply email off the request path: an agent reply, once committed,
 * queues (or finds already queued) its burst's delayed job. A sweep at start and on a timer
 * re-queues what Redis lost, so a flush or restart costs a delay, never an email.
 */
@Injectable()
export class NotifyScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NotifyScheduler.name);
  private subscription?: Subscription;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping: Promise<number> | null = null;

  constructor(
    @InjectQueue(NOTIFY_QUEUE) private readonly queue: Queue<NotifyJobData>,
    private readonly notifier: ReplyNotifier,
    private readonly events: ChatEvents,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.events.events$
      .pipe(filter((e): e is Extract<ChatEvent, { kind: 'message_created' }> => e.kind === 'message_created' && e.message.sender_type === 'admin' && !e.message.private))
      .subscribe((e) => {
        this.scheduleFor(e.chatId).catch((err: unknown) =>
          // The sweep will find this reply; losing the job costs only a delay.
          this.logger.warn(`could not queue the unread-reply email of chat ${e.chatId}: ${describeError(err)}`),
        );
      });
    void this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), this.config.get('notifySweepIntervalMs'));
    this.sweepTimer.unref();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.sweepTimer);
  }

  async scheduleFor(chatId: string): Promise<void> {
    const first = await this.notifier.firstUncovered(chatId);
    if (first) await this.enqueue(chatId, first.id, first.dueInMs);
  }

  async enqueue(chatId: string, firstMessageId: string, delayMs: number): Promise<void> {
    await this.queue.add(
      NOTIFY_JOB,
      { chatId },
      {
        jobId: burstJobId(chatId, firstMessageId),
        delay: delayMs,
        attempts: this.config.get('notifyMaxAttempts'),
        backoff: { type: 'exponential', delay: this.config.get('notifyRetryDelayMs') },
        removeOnComplete: true,
        removeOnFail: 1000,
      },
    );
  }

  /**
   * Queues every burst that is due but has no job. One at a time: on a slow Postgres a sweep can
   * outlast the interval, and sweeps piling up beside it would only add load to what is slow;
   * one asked for meanwhile joins the one running.
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    try {
      const due = await this.notifier.dueChats();
      for (const d of due) await this.enqueue(d.chatId, d.firstMessageId, 0);
      if (due.length) this.logger.log(`sweep queued ${due.length} unread-reply email(s)`);
      return due.length;
    } catch (err) {
      this.logger.warn(`unread-reply sweep failed: ${describeError(err)}`);
      return 0;
    }
  }
}
