import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { testServer } from './instances';

const run = promisify(execFile);

export interface OwnPostgres {
  port: number;
  /** A connection URL for `database` on this cluster. */
  url(database?: string): string;
  /** `fast` disconnects clients and shuts down cleanly; `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster if it runs and removes its files. */
  destroy(): Promise<void>;
  /** Rows of one query against `database`, on a connection of its own. */
  query<T>(database: string, sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * A throwaway Postgres cluster on a free loopback port, for tests that stop and restart the
 * database: the machine's shared server is never touched. Postgres refuses to run as root, so
 * as root the cluster belongs to the `postgres` account and its commands run as that account.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBinaries();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'support-chat-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const cmd = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);

  const port = await testServer.freePort();
  await cmd('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  // fsync off: the machine is shared and a crash of the OS is not the fault under test; a crash
  // of Postgres (stop -m immediate) still loses nothing it committed.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let running = false;

  const ownPg: OwnPostgres = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      try {
        await cmd('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
      } catch (err) {
        throw new Error(`own Postgres did not start: ${String(err)}\n${readLog(dir)}`);
      }
      running = true;
    },
    async stop(mode = 'fast') {
      if (!running) return;
      await cmd('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    async destroy() {
      process.off('exit', onExit);
      if (existsSync(join(data, 'postmaster.pid'))) await cmd('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
    async query<T>(database: string, sql: string, params: unknown[] = []) {
      const client = new Client({ connectionString: ownPg.url(database) });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
  };
  // If Jest exits without afterAll (a crash, a forced exit), the cluster still goes with it.
  const onExit = () => {
    try {
      if (existsSync(join(data, 'postmaster.pid'))) {
        const args = ['-D', data, '-m', 'immediate', 'stop'];
        if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
        else execFileSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort on the way out
    }
  };
  process.on('exit', onExit);
  await ownPg.start();
  return ownPg;
}

/** PG_BIN, or the newest server Debian's postgresql packages installed, or pg_config's. */
function postgresBinaries(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(debian, versions[0], 'bin');
  }
  try {
    const bindir = execFileSync('pg_config', ['--bindir']).toString().trim();
    if (existsSync(join(bindir, 'initdb'))) return bindir;
  } catch {
    // fall through to the sentence below
  }
  throw new Error('No Postgres server binaries (initdb, pg_ctl) found: set PG_BIN to their directory');
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'log'), 'utf8').slice(-4000);
  } catch {
    return '';
  }
}
