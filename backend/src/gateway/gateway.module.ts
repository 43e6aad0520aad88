import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatsModule } from '../chats/chats.module';
import { SupportGateway } from './support.gateway';

@Module({ imports: [AuthModule, ChatsModule], providers: [SupportGateway] })
export class GatewayModule {}
