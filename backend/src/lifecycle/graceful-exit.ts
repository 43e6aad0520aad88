import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ShutdownCoordinator } from './shutdown.service';

/**
 * How long closing the queue, Redis and the database may take once the drain is done. Closing
 * waits for replies from those services, and one that is away (a Redis restart) would
 * otherwise hold the process until a supervisor's SIGKILL.
 */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * SIGTERM (or Ctrl-C): drain first, while the database, Redis and the queue are still up, so
 * in-flight work can finish and be broadcast; only then run Nest's shutdown hooks, which
 * close the queue, Redis and the database.
 */
export function exitGracefullyOnSignals(app: INestApplication): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    (async () => {
      await app.get(ShutdownCoordinator).drain();
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        app.close().then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (!closed) {
        logger.warn(`${signal}: connections did not close in ${CLOSE_TIMEOUT_MS} ms (Redis or Postgres away?); exiting anyway`);
        process.exit(1);
      }
      logger.log(`${signal}: shutdown complete`);
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
  };
  // `on`, not `once`: a second signal (a supervisor that signals the whole process group
  // while scripts/start.mjs passes its own on) must not cut the drain short.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
