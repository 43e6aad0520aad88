import { Global, Module } from '@nestjs/common';
import { ChatEvents } from './chat-events';
import { RateLimiter } from './rate-limiter.service';

@Global()
@Module({ providers: [ChatEvents, RateLimiter], exports: [ChatEvents, RateLimiter] })
export class CommonModule {}
