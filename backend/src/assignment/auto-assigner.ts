import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ChatEvents, type ChatEvent } from '../common/chat-events';
import { AssignmentService } from './assignment.service';

const RELEASE_EVERY_MS = 15_000;

/**
 * When auto-assignment gets a chance to act: a user writes in an unassigned chat (a new or
 * reopened one), an agent comes online, a chat is archived (room for another). Runs coalesce, so
 * a burst of events costs one or two passes. Every instance also looks every 15 s for agents
 * offline past the grace period.
 */
@Injectable()
export class AutoAssigner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AutoAssigner.name);
  private subscription?: Subscription;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly events: ChatEvents,
    private readonly assignment: AssignmentService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => void this.consider(event));
    this.timer = setInterval(() => {
      this.assignment.releaseAbsent().catch((err: unknown) => this.warn(err));
    }, RELEASE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }

  /** Resolves once a pass that started after this call has finished. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.assignment.autoAssign();
      } while (this.again);
    })().finally(() => (this.running = null));
    return this.running;
  }

  private async consider(event: ChatEvent): Promise<void> {
    try {
      switch (event.kind) {
        case 'message_created':
          if (event.message.sender_type === 'user' && (!event.chat.assignee || event.reopened)) await this.run();
          return;
        case 'agent_presence':
          await this.assignment.presenceChanged(event.agentId, event.status);
          if (event.status === 'online') await this.run();
          return;
        case 'chat_changed':
          if (event.chat?.archived) await this.run();
          return;
        default:
          return;
      }
    } catch (err) {
      this.warn(err);
    }
  }

  private warn(err: unknown): void {
    this.logger.warn(`auto-assignment: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
}
