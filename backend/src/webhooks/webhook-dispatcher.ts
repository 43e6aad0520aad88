import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { ChatsService } from '../chats/chats.service';
import { ChatEvents, type ChatEvent } from '../common/chat-events';
import { AppConfigService } from '../config/app-config.service';
import type { WebhookPayload } from '../contracts/wire';
import { describeError } from '../logging/log-privacy';
import { WebhookEndpointCache } from './webhook-endpoint-cache';
import { webhookEventsOf, type OutgoingEvent } from './webhook-events';
import { WebhookQueue } from './webhook-queue';

/**
 * Turns committed domain events into deliveries: one row per event and endpoint, then one queued
 * job each. It runs beside the request, never in it, and an event no endpoint wants stops at the
 * in-memory endpoint list: nothing is read, written or queued for it.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private subscription?: Subscription;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ChatEvents,
    private readonly endpoints: WebhookEndpointCache,
    private readonly queue: WebhookQueue,
    private readonly chats: ChatsService,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.events.events$.subscribe((event) => this.hear(event));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  private hear(event: ChatEvent): void {
    if (this.endpoints.empty) return;
    if (event.kind === 'chat_created') {
      if (!this.endpoints.targets('chat.created', false).length) return;
      this.run(event.kind, async () => {
        const chat = await this.chats.listItem(event.chatId);
        await this.dispatch({ type: 'chat.created', data: { chat }, private: false, chatId: chat.id, userId: chat.user_id });
      });
      return;
    }
    for (const outgoing of webhookEventsOf(event)) {
      const targets = this.endpoints.targets(outgoing.type, outgoing.private);
      if (targets.length) this.run(outgoing.type, () => this.dispatch(outgoing, targets));
    }
  }

  private run(what: string, work: () => Promise<void>): void {
    work().catch((err: unknown) => this.logger.warn(`could not queue the ${what} webhook: ${describeError(err)}`));
  }

  private async dispatch(event: OutgoingEvent, targets = this.endpoints.targets(event.type, event.private)): Promise<void> {
    if (!targets.length) return;
    const payload = { type: event.type, timestamp: event.at ?? new Date().toISOString(), data: event.data } as WebhookPayload;
    // An endpoint disabled or deleted since the list was read is skipped here, not failed later.
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, body, chat_id, user_id, next_attempt_at, retry_until)
       SELECT e.id, $2, $3, $4, $5, now(), now() + $6 * interval '1 millisecond'
       FROM webhook_endpoints e WHERE e.id = ANY($1::uuid[]) AND e.enabled
       RETURNING id`,
      [targets, event.type, JSON.stringify(payload), event.chatId, event.userId, this.config.get('webhookRetryForMs')],
    );
    await this.queue.enqueue(rows.map((r) => ({ deliveryId: r.id, attempt: 0, delayMs: 0 })));
  }
}
