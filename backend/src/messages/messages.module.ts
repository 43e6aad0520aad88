import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MessageRateLimiter } from './message-rate-limiter';
import { MessagesService } from './messages.service';

@Module({ imports: [AuthModule], providers: [MessagesService, MessageRateLimiter], exports: [MessagesService, MessageRateLimiter] })
export class MessagesModule {}
