import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

const logger = new Logger('Redis');

/**
 * Reports a connection's outage once, as a log line like any other, and its return. Without an
 * `error` listener ioredis writes every failed reconnect to stderr itself, with a stack trace,
 * several times a second for as long as Redis is away.
 */
export function logRedisOutages<T extends Redis>(client: T, name: string): T {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn(`${name} connection lost, retrying: ${err.message.slice(0, 200)}`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log(`${name} connection restored`);
  });
  return client;
}
