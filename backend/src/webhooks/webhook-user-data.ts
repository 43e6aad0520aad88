import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UserDataRegistry, type DataSubject } from '../common/user-data';
import { WebhookQueue } from './webhook-queue';

/**
 * The webhooks' share of an erase: deliveries about the person's chat or the person, and their
 * queued jobs. Safe to repeat: a second run finds nothing. (A `user.erased` delivery names no
 * chat or user row; its body, the only place the `sub` appears, is dropped once it is done.)
 */
@Injectable()
export class WebhookUserData implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: UserDataRegistry,
    private readonly queue: WebhookQueue,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'webhook_deliveries', erase: (subject) => this.erase(subject) });
  }

  async erase(subject: DataSubject): Promise<void> {
    const [rows]: [{ id: string; attempts: number }[], number] = await this.db.query(
      `DELETE FROM webhook_deliveries WHERE user_id = $1 OR ($2::uuid IS NOT NULL AND chat_id = $2) RETURNING id, attempts`,
      [subject.userId, subject.chatId],
    );
    await this.queue.remove(rows);
  }
}
