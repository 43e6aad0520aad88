import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatsModule } from '../chats/chats.module';
import type { AppRole } from '../config/app-config';
import { AppConfigService } from '../config/app-config.service';
import { SecretBox } from './secret-box';
import { WebhookSecretSealer } from './webhook-secret-sealer';
import { WebhookDeliverer } from './webhook-deliverer.service';
import { WebhookDeliveryProcessor, WebhookSweeper } from './webhook-delivery.processor';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpointCache } from './webhook-endpoint-cache';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WEBHOOK_QUEUE, WebhookQueue } from './webhook-queue';
import { WebhookUserData } from './webhook-user-data';
import { WebhooksController } from './webhooks.controller';

/**
 * Outbound webhooks. The API side (admins' endpoints, the listener that queues deliveries, the
 * erase part) runs where requests are served; the sending runs where queues are worked, as the
 * emails do: ROLE=api queues only, ROLE=worker only sends.
 */
@Module({})
export class WebhooksModule {
  static forRole(role: AppRole): DynamicModule {
    const serving = role !== 'worker';
    const working = role !== 'api';
    const providers: Provider[] = [
      WebhookQueue,
      { provide: SecretBox, useFactory: (config: AppConfigService) => new SecretBox(config.get('secretsKeys')), inject: [AppConfigService] },
      WebhookSecretSealer,
    ];
    if (serving) providers.push(WebhookEndpointCache, WebhookEndpointsService, WebhookDispatcher, WebhookUserData);
    if (working) providers.push(WebhookDeliverer, WebhookDeliveryProcessor, WebhookSweeper);
    return {
      module: WebhooksModule,
      imports: [BullModule.registerQueue({ name: WEBHOOK_QUEUE }), ...(serving ? [AuthModule, ChatsModule] : [])],
      controllers: serving ? [WebhooksController] : [],
      providers,
    };
  }
}
