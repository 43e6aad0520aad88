import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { testServer, waitFor } from './instances';

export interface OwnRedis {
  port: number;
  url: string;
  /** Kills the server by its PID; nothing is persisted, so a later start() is empty. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  /** FLUSHALL on this server only. */
  flush(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A throwaway redis-server on a free loopback port, a child of the test, for tests that stop,
 * restart or flush Redis without touching the machine's shared one.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await testServer.freePort();
  const dir = mkdtempSync(join(tmpdir(), 'support-chat-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = '';

  const alive = () => child !== null && child.exitCode === null && child.signalCode === null;
  const ping = async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  };

  const own: OwnRedis = {
    port,
    url,
    async start() {
      if (alive()) return;
      output = '';
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      started.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
      started.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
      await waitFor('own Redis to answer', async () => {
        if (started.exitCode !== null) throw new Error(`redis-server exited (${started.exitCode}): ${output}`);
        return ping();
      });
    },
    async stop(signal = 'SIGKILL') {
      const running = child;
      if (!running || !alive()) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill(signal);
      await exited;
    },
    async flush() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await client.flushall();
      } finally {
        await client.quit();
      }
    },
    async destroy() {
      process.off('exit', onExit);
      await own.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Only the process this helper started, by its PID, also when Jest leaves without afterAll.
  const onExit = () => {
    if (alive()) child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  await own.start();
  return own;
}
