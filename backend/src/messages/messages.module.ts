import { Module } from '@nestjs/common';
import { MessageRateLimiter } from './message-rate-limiter';
import { MessagesService } from './messages.service';

@Module({ providers: [MessagesService, MessageRateLimiter], exports: [MessagesService, MessageRateLimiter] })
export class MessagesModule {}
