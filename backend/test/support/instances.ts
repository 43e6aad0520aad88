import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A built server in a child process, as scripts/test-server.mjs starts it. */
export interface ServerProcess {
  url: string;
  port: number;
  database: string;
  env: Record<string, string>;
  readonly pid: number | undefined;
  readonly output: string;
  userToken(claims: { sub: string; email: string; name?: string }): string;
  adminToken(): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface TestServerModule {
  startServer(options?: { env?: Record<string, string>; port?: number; database?: string; log?: boolean }): Promise<ServerProcess>;
  dropDatabase(name: string): Promise<void>;
  dropRedisKeys(url: string, prefix: string): Promise<void>;
  freePort(): Promise<number>;
}

const root = join(__dirname, '..', '..', '..');

// The same helper the browser tests use, so every multi-process test starts servers one way.
export const testServer = require(join(root, 'scripts', 'test-server.mjs')) as TestServerModule;

/**
 * The child processes run dist/: rebuild it when a source file is newer, so `npm run
 * test:backend` alone never tests yesterday's server.
 */
export function ensureFreshBuild(): void {
  const built = join(root, 'dist', 'backend', 'main.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    builtAt = 0;
  }
  if (newestSource(join(root, 'backend', 'src')) > builtAt) {
    execFileSync('npm', ['run', 'build:backend'], { cwd: root, stdio: 'ignore' });
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Resolves once `check` holds, polling; rejects with `what` after `ms` so a failure says what never happened. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
