import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ShutdownCoordinator } from './shutdown.service';

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
      await app.close();
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
