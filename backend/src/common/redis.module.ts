import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigService } from '../config/app-config.service';
import { logRedisOutages } from './redis-outages';

export const REDIS = Symbol('REDIS');

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One shared Redis connection for rate limits and health; Bull and the socket adapter keep their own. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) =>
        logRedisOutages(
          new Redis(config.get('redisUrl'), { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false }),
          'shared',
        ),
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
