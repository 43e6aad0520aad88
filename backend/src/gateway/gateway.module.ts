import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatsModule } from '../chats/chats.module';
import { PresenceModule } from '../presence/presence.module';
import { ChatBroadcaster } from './chat-broadcaster';
import { SupportGateway } from './support.gateway';

@Module({ imports: [AuthModule, ChatsModule, PresenceModule], providers: [ChatBroadcaster, SupportGateway] })
export class GatewayModule {}
