import { Global, Module } from '@nestjs/common';
import { ChatEvents } from './chat-events';
import { RateLimiter } from './rate-limiter.service';
import { UserDataRegistry } from './user-data';

@Global()
@Module({ providers: [ChatEvents, RateLimiter, UserDataRegistry], exports: [ChatEvents, RateLimiter, UserDataRegistry] })
export class CommonModule {}
