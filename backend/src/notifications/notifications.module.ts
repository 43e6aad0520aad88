import { MailerModule } from '@nestjs-modules/mailer';
import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import type { AppRole } from '../config/app-config';
import { AppConfigService } from '../config/app-config.service';
import { NOTIFY_QUEUE } from './notification-queue';
import { NotifyReplyProcessor } from './notify-reply.processor';
import { NotifyScheduler } from './notify-scheduler.service';
import { ReplyNotifier } from './reply-notifier.service';
import { UnsubscribeController } from './unsubscribe.controller';
import { UnsubscribeTokens } from './unsubscribe-tokens';

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        redis: config.get('redisUrl'),
        prefix: `${config.get('redisPrefix')}:bull`,
      }),
    }),
    BullModule.registerQueue({ name: NOTIFY_QUEUE }),
    MailerModule.forRootAsync({
      imports: [],
      inject: [AppConfigService],
      // Without SMTP_URL the notifier never calls the mailer; the JSON transport only
      // lets the module start.
      useFactory: (config: AppConfigService) => ({
        transport: config.get('smtpUrl') ?? { jsonTransport: true },
        defaults: { from: config.get('mailFrom') },
      }),
    }),
  ],
  controllers: [UnsubscribeController],
  providers: [ReplyNotifier, NotifyScheduler, UnsubscribeTokens],
})
export class NotificationsModule {
  /** Every role queues emails; ROLE=api leaves sending them to the other processes. */
  static forRole(role: AppRole): DynamicModule {
    return { module: NotificationsModule, providers: role === 'api' ? [] : [NotifyReplyProcessor] };
  }
}
