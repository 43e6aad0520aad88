import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AgentsModule } from './agents/agents.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AssignmentModule } from './assignment/assignment.module';
import { AuthModule } from './auth/auth.module';
import { CannedModule } from './canned/canned.module';
import { ChatsModule } from './chats/chats.module';
import { CommonModule } from './common/common.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { RedisModule } from './common/redis.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { LabelsModule } from './labels/labels.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { MessagesModule } from './messages/messages.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { SearchModule } from './search/search.module';
import { PrivacyModule } from './privacy/privacy.module';
import { RetentionModule } from './retention/retention.module';
import { ServerApiModule } from './server-api/server-api.module';
import { RatingsModule } from './ratings/ratings.module';
import { ReportsModule } from './reports/reports.module';
import { UsersModule } from './users/users.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        LifecycleModule,
        MetricsModule,
        DatabaseModule,
        RedisModule,
        CommonModule,
        HealthModule,
        NotificationsModule.forRole(config.role),
        // Webhooks split like the emails: the API side queues deliveries, workers send them.
        WebhooksModule.forRole(config.role),
        // A worker serves only health, metrics and unsubscribe links; it sends the emails.
        ...(config.role === 'worker' ? [] : [
              AuthModule,
              AgentsModule,
              UsersModule,
              MessagesModule,
              ChatsModule,
              AssignmentModule,
              LabelsModule,
              CannedModule,
              SearchModule,
              GatewayModule,
              DemoModule,
              ApiKeysModule,
              PrivacyModule,
              ServerApiModule,
              RetentionModule,
              RatingsModule,
              ReportsModule,
            ]),
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
