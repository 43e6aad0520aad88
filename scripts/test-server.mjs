// Starts the built server as a child process on a free port with its own database, for the
// browser tests of the console and the element (and the multi-instance tests). Loopback only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(join(root, 'package.json'));
const jwt = require('jsonwebtoken');
const { Client } = require('pg');
const Redis = require('ioredis');

export const DEV_WIDGET_SECRET = 'dev-widget-secret-change-me-0123456789';
export const ADMIN = { email: 'admin@example.com', password: 'admin' };
const PG = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

/**
 * How every browser test launches Debian's Chromium (no test tool may download a browser), with
 * the flags that work as root on a machine without outside network.
 */
export function chromiumLaunchOptions() {
  const executablePath = process.env.CHROMIUM_PATH ?? process.env.CHROME_BIN ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium`);
  return {
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ env?: Record<string,string>, port?: number, database?: string, log?: boolean }} [options]
 */
export async function startServer(options = {}) {
  const port = options.port ?? (await freePort());
  const database = options.database ?? `support_chat_test_${randomBytes(5).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: url,
    DATABASE_URL: `${PG}/${database}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `test-${database}`,
    ALLOWED_ORIGINS: '*',
    ...options.env,
  };
  let child = null;
  let output = '';
  let adminToken = null;

  async function start() {
    child = spawn(process.execPath, [join(root, 'dist/backend/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => {
      output = (output + chunk.toString()).slice(-20000);
      if (options.log) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Generous: several servers start at once on a small, shared machine.
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      const code = await Promise.race([exited.then((c) => ({ exited: c })), sleep(150)]);
      if (code && typeof code === 'object') throw new Error(`server exited (${code.exited}) while starting:\n${output}`);
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
    }
    throw new Error(`server did not become healthy in 60s:\n${output}`);
  }

  async function halt(signal = 'SIGTERM') {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await done;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    port,
    database,
    env,
    admin: ADMIN,
    get pid() {
      return child?.pid;
    },
    get output() {
      return output;
    },
    userToken(claims, { secret = DEV_WIDGET_SECRET, expiresIn = '1h', kid } = {}) {
      const { sub, ...rest } = claims;
      return jwt.sign(rest, secret, {
        algorithm: 'HS256',
        audience: 'support-widget',
        subject: String(sub),
        expiresIn,
        ...(kid ? { keyid: kid } : {}),
      });
    },
    async adminToken() {
      if (adminToken) return adminToken;
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      if (!res.ok) throw new Error(`login failed: ${res.status}`);
      adminToken = (await res.json()).access_token;
      return adminToken;
    },
    /** Stops the process but keeps database and port, to simulate an outage. */
    kill: (signal = 'SIGKILL') => halt(signal),
    /** Starts again after kill(), on the same port and database. */
    start,
    async stop() {
      await halt('SIGTERM');
      if (!options.database) {
        await dropDatabase(database);
        await dropRedisKeys(env.REDIS_URL, env.REDIS_PREFIX);
      }
    },
  };
}

export async function dropDatabase(name) {
  const client = new Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Removes a test server's keys from the Redis this machine shares with other runs. */
export async function dropRedisKeys(url, prefix) {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
