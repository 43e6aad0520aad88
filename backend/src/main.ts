import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadEnvFile } from './common/cli';
import { ConfigError, loadConfig } from './config/app-config';
import { exitGracefullyOnSignals } from './lifecycle/graceful-exit';

async function main(): Promise<void> {
  loadEnvFile();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const app = await createApp(config);
  exitGracefullyOnSignals(app);
  await app.listen(config.port);
  new Logger('Bootstrap').log(`Support Chat listening on ${config.publicUrl} (port ${config.port})`);
}

main().catch((err: unknown) => {
  console.error(`Support Chat failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
