import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatsModule } from '../chats/chats.module';
import { ChatBroadcaster } from './chat-broadcaster';
import { SupportGateway } from './support.gateway';

@Module({ imports: [AuthModule, ChatsModule], providers: [ChatBroadcaster, SupportGateway] })
export class GatewayModule {}
