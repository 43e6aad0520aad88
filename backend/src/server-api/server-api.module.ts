import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AuthModule } from '../auth/auth.module';
import { ChatsModule } from '../chats/chats.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { ServerApiController } from './server-api.controller';
import { ServerApiService } from './server-api.service';

@Module({
  imports: [AuthModule, ApiKeysModule, ChatsModule, PrivacyModule],
  controllers: [ServerApiController],
  providers: [ServerApiService],
})
export class ServerApiModule {}
