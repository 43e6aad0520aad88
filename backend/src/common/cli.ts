import { ConfigError } from '../config/app-config';

/** Runs a command-line entry point: config problems print one line, other failures no stack. */
export function runCli(main: (env: NodeJS.ProcessEnv, argv: string[]) => Promise<void>): void {
  loadEnvFile();
  main(process.env, process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`);
      else console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}

/** A `.env` in the working directory is read like the environment, which it never overrides. */
export function loadEnvFile(): void {
  try {
    process.loadEnvFile('.env');
  } catch {
    // no .env: the environment alone configures the server
  }
}
