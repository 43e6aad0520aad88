import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { NOTIFY_JOB, NOTIFY_QUEUE, type NotifyJobData } from './notification-queue';
import { NotifyScheduler } from './notify-scheduler.service';
import { ReplyNotifier } from './reply-notifier.service';

@Processor(NOTIFY_QUEUE)
export class NotifyReplyProcessor {
  private readonly logger = new Logger(NotifyReplyProcessor.name);

  constructor(
    private readonly notifier: ReplyNotifier,
    private readonly scheduler: NotifyScheduler,
  ) {}

  @Process(NOTIFY_JOB)
  async handle(job: Job<NotifyJobData>): Promise<string> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const outcome = await this.notifier.process(job.data.chatId, lastAttempt);
      // The reply this job was for was read; a later one opens a burst of its own.
      if (outcome.kind === 'not-due') await this.scheduler.enqueue(job.data.chatId, outcome.firstMessageId, outcome.dueInMs);
      return outcome.kind;
    } catch (err) {
      this.logger.warn(`job ${job.id} attempt ${job.attemptsMade + 1} failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
      throw err;
    }
  }
}
