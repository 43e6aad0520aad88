// The relay benchmark: how close the server comes to the cost of one Postgres insert per message.
//
// Four targets are driven, one after the other, by the same open-loop client: a bare Socket.IO
// relay, the same relay plus one plain INSERT before the ack, this server (dist/), and two
// instances of it sharing Redis and Postgres (users on one, the agent on the other). Servers run
// on one core and this process on the other, so the client is never the thing being measured.
//
//   node bench/relay.bench.mjs [--quick] [--only=bare,insert,server,two] [--server=dist/backend/main.js]
//                             [--idle=N] [--budget=seconds] [--no-write] [--profile=RATE]
//
// --profile=RATE: after the 200/s phase, each server process is CPU-profiled through its
// inspector for five seconds at RATE msgs/s; the profile is written under bench/results/ (open it
// in Chrome's DevTools) and its heaviest functions are printed. Profiled phases are not reported.
// --syscalls=RATE: strace counts every server process's system calls for three seconds at RATE;
// calls per message are printed. Unlike time, the count hardly moves when the machine is busy.
//
// Loopback only; every loop is bounded in count and time; every server, database and Redis key
// this run creates is removed at the end, also after a failure. Timing targets are reported as
// met or missed; the exit code is non-zero only when a message was lost (or the run broke).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const { Client, Pool } = require('pg');

const SERVER_CORE = 0;
const CLIENT_CORE = 1;
const PG = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The run's time budget is spent: what was measured is reported, the rest left out. */
class OutOfTime extends Error {}

if (process.argv[2] === '--serve') {
  await serveBareRelay(process.argv[3]);
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The baselines: what any Socket.IO relay costs, with and without one insert per message.
// ---------------------------------------------------------------------------------------------

async function serveBareRelay(kind) {
  const { Server } = require('socket.io');
  const pool = kind === 'insert' ? new Pool({ connectionString: process.env.DATABASE_URL, max: 10 }) : null;
  const http = createServer();
  // The product's frame cap, so both parse with the same limit.
  const io = new Server(http, { maxHttpBufferSize: 64 * 1024, cors: { origin: true } });
  const nsp = io.of('/support');
  nsp.on('connection', (socket) => {
    socket.on('subscribe', (body, ack) => {
      socket.join(`support_chat:${body?.chat_id}`);
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('subscribe_admin', (_body, ack) => {
      socket.join('admin_support_notifications');
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('send_message', async (body, ack) => {
      const { chat_id, content, client_id = null } = body ?? {};
      const message = {
        id: randomUUID(),
        chat_id,
        content,
        sender_type: 'user',
        read_at: null,
        created_at: null,
        client_id,
      };
      try {
        if (pool) {
          const { rows } = await pool.query(
            'INSERT INTO messages (id, chat_id, content, sender_type, client_id) VALUES ($1, $2, $3, $4, $5) RETURNING created_at',
            [message.id, chat_id, content, 'user', client_id],
          );
          message.created_at = rows[0].created_at.toISOString();
        } else {
          message.created_at = new Date().toISOString();
        }
      } catch (err) {
        console.error(`insert failed: ${err.message}`);
        if (typeof ack === 'function') ack({ ok: false, error: 'internal_error' });
        return;
      }
      if (typeof ack === 'function') ack({ ok: true, message });
      nsp.to(`support_chat:${chat_id}`).emit('new_message', { type: 'new_message', chat_id, message });
    });
  });
  const stop = () => {
    io.close();
    Promise.resolve(pool?.end()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  http.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('relay ready'));
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async function main() {
  const { DEV_WIDGET_SECRET, ADMIN, freePort, dropDatabase, dropRedisKeys } = await import('../scripts/test-server.mjs');
  const jwt = require('jsonwebtoken');
  const { io: ioClient } = require('socket.io-client');

  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const write = !args.includes('--no-write');
  const only = (args.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? ['bare', 'insert', 'server', 'two']).filter(Boolean);
  const mode = quick ? 'quick' : 'full';
  const P = quick
    ? {
        warmupSeconds: 1,
        baseSeconds: 3,
        steps: [500, 1000, 2000, 3000, 4000],
        stepSeconds: 1.5,
        idle: 2_000,
        drainMs: 3_000,
        // A safety net, not the target: on a quiet machine a quick run takes under two minutes.
        budgetMs: 300_000,
      }
    : {
        warmupSeconds: 5,
        baseSeconds: 10,
        steps: [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000],
        stepSeconds: 5,
        idle: 10_000,
        drainMs: 10_000,
        budgetMs: 40 * 60_000,
      };
  const budgetArg = args.find((a) => a.startsWith('--budget='));
  if (budgetArg) P.budgetMs = Math.max(10, Number(budgetArg.slice(9)) || 0) * 1000;
  const syscallRate = Number(args.find((a) => a.startsWith('--syscalls='))?.slice(11)) || 0;
  const profileRate = Number(args.find((a) => a.startsWith('--profile='))?.slice(10)) || 0;
  const idleArg = args.find((a) => a.startsWith('--idle='));
  if (idleArg) P.idle = Math.max(100, Number(idleArg.slice(7)) || P.idle);
  const USERS = 50;
  const BASE_RATE = 200;
  const TYPING_RATE = 500;
  const P99_BUDGET_MS = 50;
  const CLIENT_LAG_MS = 20;
  // One source address per this many idle sockets: bind() without a port takes one from the
  // ephemeral range for good, whatever the destination, so one address cannot serve a full run.
  const SOCKETS_PER_ADDRESS = 2_000;
  const MAX_SOURCE_ADDRESS = 250;

  const startedAt = new Date();
  const notes = [];
  const note = (text) => {
    notes.push(text);
    log(`note: ${text}`);
  };
  const runStart = Date.now();
  const log = (text) => console.log(text.replace(/^(\n?)/, (nl) => `${nl}[${((Date.now() - runStart) / 1000).toFixed(0).padStart(3)}s] `));
  const deadline = Date.now() + P.budgetMs;
  const checkDeadline = (what) => {
    if (Date.now() > deadline) throw new OutOfTime(`time budget of ${P.budgetMs / 1000}s spent (${what})`);
  };

  // --- the machine ---
  const has = (cmd, probe = ['--version']) => spawnSync(cmd, probe, { stdio: 'ignore' }).status === 0;
  const tools = { taskset: has('taskset', ['-V']), bash: has('bash') };
  // Read before this process pins itself, after which it would see one core.
  const cores = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim()) || os.availableParallelism?.() || os.cpus().length;
  const cpuModel = /model name\s*:\s*(.*)/.exec(readText('/proc/cpuinfo'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const pin = tools.taskset && cores >= 2;
  if (!tools.taskset) note('taskset is missing: servers and client are not pinned, so they share cores');
  else if (cores < 2) note(`only ${cores} core: nothing is pinned`);
  if (pin) {
    // -a: libuv's pool threads too, so the client stays off the servers' core.
    const r = spawnSync('taskset', ['-a', '-p', '-c', String(CLIENT_CORE), String(process.pid)], { encoding: 'utf8' });
    if (r.status !== 0) note(`could not pin the client to core ${CLIENT_CORE}: ${r.stderr.trim()}`);
  }
  if (!tools.bash) note('bash is missing: servers start with this process\'s open-file limit');
  const fdLimit = openFileLimit('self');
  if (fdLimit !== null && fdLimit < P.idle + 1_000) {
    const capped = Math.max(100, fdLimit - 1_000);
    note(`this process may open ${fdLimit} files (ulimit -n): idle connections cut from ${P.idle} to ${capped}; raise ulimit -n for the full count`);
    P.idle = capped;
  }
  const addressesNeeded = Math.ceil((P.idle * 4) / SOCKETS_PER_ADDRESS) + 1;
  if (addressesNeeded > MAX_SOURCE_ADDRESS - 1) note('more idle sockets than loopback source addresses planned for; some connects may fail');

  const gitHead = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  const srcDirty = spawnSync('git', ['status', '--porcelain', '--', 'backend/src'], { cwd: root, encoding: 'utf8' }).stdout?.trim();
  const machine = {
    date: startedAt.toISOString(),
    mode,
    nproc: cores,
    cpu: cpuModel,
    node: process.version,
    pinned: pin ? `servers on core ${SERVER_CORE}, client on core ${CLIENT_CORE}` : 'not pinned',
    commit: `${gitHead}${srcDirty ? ' (backend/src modified)' : ''}`,
    client_open_files: fdLimit,
    server_open_files: null,
    // Other work on the machine moves every number here; the load says how much there was.
    load_at_start: loadAverage(),
    load_at_end: null,
  };
  log(`relay benchmark, ${mode} mode: ${cores} cores (${cpuModel}), Node ${process.version}, ${machine.pinned}`);

  // Another build can be measured the same way, e.g. the previous release's, for a before/after.
  const serverArg = args.find((a) => a.startsWith('--server='))?.slice(9);
  const mainJs = resolve(serverArg ?? join(root, 'dist/backend/main.js'));
  if (serverArg) machine.commit = `another build of the server (--server), next to ${machine.commit}`;
  if (only.some((t) => t === 'server' || t === 'two') && !existsSync(mainJs)) {
    throw new Error(`${mainJs} is missing: run \`npm run build:backend\` first`);
  }

  // --- everything this run creates, so it can all be removed ---
  const children = new Set();
  const databases = new Set();
  const redisPrefixes = new Set();
  const openSockets = new Set();
  let cleaning = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const s of openSockets) s.disconnect();
      openSockets.clear();
      await Promise.all([...children].map((c) => c.stop()));
      for (const name of databases) await dropDatabase(name).catch((e) => console.error(`could not drop ${name}: ${e.message}`));
      for (const prefix of redisPrefixes) await dropRedisKeys(REDIS_URL, prefix).catch((e) => console.error(`could not clear Redis ${prefix}: ${e.message}`));
    })());
  process.on('exit', () => {
    // Last resort when cleanup could not run: no server outlives the bench.
    for (const c of children) if (c.alive()) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
  });
  process.on('uncaughtException', (err) => {
    console.error(`relay bench: ${err.stack ?? err}`);
    const hard = setTimeout(() => process.exit(1), 30_000);
    cleanup().finally(() => {
      clearTimeout(hard);
      process.exit(1);
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`${signal}: stopping servers and removing databases`);
      const hard = setTimeout(() => process.exit(130), 30_000);
      cleanup().finally(() => {
        clearTimeout(hard);
        process.exit(130);
      });
    });
  }

  // A global watchdog besides checkDeadline: a hung await must not keep servers up forever.
  const watchdog = setTimeout(() => {
    console.error('watchdog: the run overran its budget; stopping');
    cleanup().finally(() => process.exit(2));
  }, P.budgetMs + 120_000);
  watchdog.unref();

  // --- servers ---
  function spawnPinned(label, nodeArgs, env) {
    // The inspector, on a loopback port of its own, is how a garbage collection is forced in a
    // process the bench does not control, before its memory is read.
    const argv = [process.execPath, '--inspect=127.0.0.1:0', ...nodeArgs];
    const command = pin ? ['taskset', '-c', String(SERVER_CORE), ...argv] : argv;
    // A child cannot raise its own limit, so bash raises it before exec: the PID stays the server's.
    const child = tools.bash
      ? spawn('bash', ['-c', `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${command.map(shellQuote).join(' ')}`], {
          cwd: root,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(command[0], command.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let inspectorUrl = null;
    const logLevels = {};
    const errorSamples = [];
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const onChunk = (chunk) => {
      // Nest's console logger colours its lines; reports want the words.
      let text = chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      // Node's own inspector banner: the address is needed, the lines are noise in any report.
      inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(text)?.[1] ?? null;
      text = text.replace(/^(Debugger listening on|For help, see:|Debugger attached|Waiting for the debugger).*\n?/gm, '');
      output = (output + text).slice(-20_000);
      for (const line of text.split('\n')) {
        const level = logLevel(line);
        if (level) logLevels[level] = (logLevels[level] ?? 0) + 1;
        if ((level && Number(level) >= 50) || /\b(error|failed)\b/i.test(line)) {
          if (errorSamples.length < 5) errorSamples.push(line.slice(0, 300));
        }
      }
    };
    child.stdout.on('data', onChunk);
    child.stderr.on('data', onChunk);
    const proc = {
      label,
      pid: child.pid,
      logMark: () => ({ ...logLevels, samples: errorSamples.length }),
      get output() {
        return output;
      },
      get inspectorUrl() {
        return inspectorUrl;
      },
      logLevels,
      errorSamples,
      exited,
      alive: () => child.exitCode === null && child.signalCode === null,
      openFiles: () => openFileLimit(child.pid),
      async stop() {
        if (proc.alive()) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => proc.alive() && child.kill('SIGKILL'), 8_000);
          await exited;
          clearTimeout(timer);
        }
        children.delete(proc);
      },
    };
    children.add(proc);
    return proc;
  }

  async function waitReady(proc, ready, what) {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      if (!proc.alive()) throw new Error(`${what} exited while starting: ${why(proc.output)}`);
      if (await ready().catch(() => false)) return;
      await sleep(100);
    }
    throw new Error(`${what} did not become ready in 60s: ${why(proc.output)}`);
  }

  function checkFiles(proc) {
    const limit = proc.openFiles();
    machine.server_open_files = limit;
    if (limit !== null && limit < P.idle + 1_000) note(`${proc.label} may open only ${limit} files (ulimit -n): expect failed idle connections`);
  }

  async function startBare(kind) {
    const port = await freePort();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port) };
    if (kind === 'insert') {
      const database = `relay_bench_${randomBytes(5).toString('hex')}`;
      databases.add(database);
      const admin = new Client({ connectionString: `${PG}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${database}"`);
      } finally {
        await admin.end();
      }
      const db = new Client({ connectionString: `${PG}/${database}` });
      await db.connect();
      try {
        await db.query(`CREATE TABLE messages (
          id uuid PRIMARY KEY,
          chat_id uuid NOT NULL,
          content text NOT NULL,
          sender_type varchar(8) NOT NULL,
          client_id varchar(64),
          created_at timestamptz(3) NOT NULL DEFAULT now()
        )`);
        await db.query('CREATE INDEX messages_chat_created ON messages (chat_id, created_at)');
      } finally {
        await db.end();
      }
      env.DATABASE_URL = `${PG}/${database}`;
    }
    const proc = spawnPinned(kind === 'insert' ? 'bare+insert' : 'bare', [fileURLToPath(import.meta.url), '--serve', kind], env);
    await waitReady(proc, async () => proc.output.includes('relay ready'), `the ${kind} relay`);
    checkFiles(proc);
    const url = `http://127.0.0.1:${port}`;
    return {
      procs: [proc],
      userUrl: url,
      agentUrl: url,
      async users(count, tag) {
        return Array.from({ length: count }, () => ({ token: null, chatId: randomUUID(), tag }));
      },
      async agentToken() {
        return null;
      },
    };
  }

  async function startProduct(instances) {
    const database = `support_chat_bench_${randomBytes(5).toString('hex')}`;
    const prefix = `bench-relay-${database}`;
    databases.add(database);
    redisPrefixes.add(prefix);
    const procs = [];
    const urls = [];
    const addInstance = async (label) => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        PUBLIC_URL: url,
        DATABASE_URL: `${PG}/${database}`,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        ALLOWED_ORIGINS: '*',
        DEMO_MODE: 'false',
        LOG_LEVEL: 'warn',
        // The limiter is part of the path being measured, but never the thing that says no.
        MESSAGE_RATE_LIMIT: '100000',
        MESSAGE_RATE_WINDOW_MS: '1000',
        SHUTDOWN_TIMEOUT_MS: '3000',
      };
      const proc = spawnPinned(label, [mainJs], env);
      procs.push(proc);
      // The first instance migrates; the second starts on the migrated database.
      await waitReady(proc, async () => (await fetch(`${url}/api/health`)).ok, `the server (${proc.label})`);
      checkFiles(proc);
      urls.push(url);
    };
    for (let i = 0; i < instances; i++) await addInstance(instances > 1 ? `server ${String.fromCharCode(65 + i)}` : 'server');
    const adminDb = async (fn) => {
      const db = new Client({ connectionString: `${PG}/${database}` });
      await db.connect();
      try {
        return await fn(db);
      } finally {
        await db.end();
      }
    };
    const sign = (sub) =>
      jwt.sign({ email: `${sub}@example.com` }, DEV_WIDGET_SECRET, { algorithm: 'HS256', audience: 'support-widget', subject: sub, expiresIn: '2h' });
    let agent = null;
    const target = {
      procs,
      get userUrl() {
        return urls[0];
      },
      get agentUrl() {
        return urls[urls.length - 1];
      },
      /**
       * The same deployment with one more instance: the agent moves to the new one. Reusing the
       * warmed first instance and its database saves a start and a migration, which on a busy
       * machine is most of what a quick run would otherwise spend.
       */
      async withSecondInstance() {
        procs[0].label = 'server A';
        await addInstance('server B');
        return target;
      },
      /** Users with their chats: the active ones through the API, the idle crowd in SQL for speed. */
      async users(count, tag) {
        const subs = Array.from({ length: count }, (_, i) => `bench-${tag}-${i}`);
        if (count > 200) {
          try {
            const rows = await adminDb(async (db) => {
              await db.query(
                `INSERT INTO users (external_id, email) SELECT s, s || '@example.com' FROM unnest($1::text[]) s ON CONFLICT (external_id) DO NOTHING`,
                [subs],
              );
              await db.query(
                `INSERT INTO support_chats (user_id) SELECT id FROM users WHERE external_id = ANY($1::text[]) ON CONFLICT (user_id) DO NOTHING`,
                [subs],
              );
              return (
                await db.query(
                  `SELECT u.external_id AS sub, c.id FROM support_chats c JOIN users u ON u.id = c.user_id WHERE u.external_id = ANY($1::text[])`,
                  [subs],
                )
              ).rows;
            });
            const chatOf = new Map(rows.map((r) => [r.sub, r.id]));
            // Tokens are signed when a socket is opened: a capped run opens fewer than it seeds.
            if (chatOf.size === count) return subs.map((sub) => ({ get token() { return sign(sub); }, chatId: chatOf.get(sub) }));
            note(`SQL seeding made ${chatOf.size} of ${count} chats; creating them through the API instead`);
          } catch (err) {
            note(`SQL seeding failed (${err.message.slice(0, 120)}); creating the users through the API instead`);
          }
        }
        return mapLimit(subs, 20, async (sub) => {
          const token = sign(sub);
          const res = await fetch(`${urls[0]}/api/support_chat`, { headers: { authorization: `Bearer ${token}` } });
          if (!res.ok) throw new Error(`GET /api/support_chat answered ${res.status}`);
          return { token, chatId: (await res.json()).id };
        });
      },
      async agentToken() {
        if (agent) return agent;
        const res = await fetch(`${urls[0]}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(ADMIN),
        });
        if (!res.ok) throw new Error(`login answered ${res.status}`);
        agent = (await res.json()).access_token;
        return agent;
      },
    };
    return target;
  }

  async function stopTarget(target) {
    await Promise.all(target.procs.map((p) => p.stop()));
  }

  // --- the client ---
  let sourceAddress = 0;
  function nextLocalAddress() {
    const n = 2 + Math.floor(sourceAddress++ / SOCKETS_PER_ADDRESS);
    return `127.0.0.${Math.min(n, MAX_SOURCE_ADDRESS)}`;
  }

  function connect(url, token, localAddress) {
    return new Promise((resolve, reject) => {
      const socket = ioClient(`${url}/support`, {
        transports: ['websocket'],
        auth: token ? { token } : {},
        reconnection: false,
        forceNew: true,
        timeout: 20_000,
        ...(localAddress ? { localAddress } : {}),
      });
      openSockets.add(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) => {
        openSockets.delete(socket);
        socket.close();
        reject(err);
      });
    });
  }

  async function request(socket, event, payload) {
    const res = await socket.timeout(20_000).emitWithAck(event, payload);
    if (!res?.ok) throw new Error(`${event} answered ${res?.error ?? JSON.stringify(res)}`);
    return res;
  }

  function close(sockets) {
    for (const s of sockets) {
      s.disconnect();
      openSockets.delete(s);
    }
  }

  /**
   * Open loop: message i is due at t0 + i/rate whatever happened to the ones before it, and its
   * latencies count from that moment, so a slow server cannot slow the load down and hide its
   * own queueing (coordinated omission).
   */
  async function runLoad(session, { rate, seconds, tag, drainMs = P.drainMs, typing = false }) {
    const { users, agent } = session;
    const total = Math.max(1, Math.round(rate * seconds));
    const due = new Float64Array(total);
    const ackAt = new Float64Array(total).fill(NaN);
    const relayAt = new Float64Array(total).fill(NaN);
    const lag = new Float64Array(total);
    const errorCodes = {};
    let errors = 0;
    let duplicates = 0;
    let sent = 0;
    // Unique per session: a client_id the server has stored before is a resend, answered from
    // the store and never relayed again, so a reused database must never see one twice.
    const prefix = `${session.id}-${tag}-`;
    const onRelay = (event) => {
      const cid = event?.message?.client_id;
      if (typeof cid !== 'string' || !cid.startsWith(prefix)) return;
      const i = Number(cid.slice(prefix.length));
      if (!(i >= 0 && i < total)) return;
      if (Number.isNaN(relayAt[i])) relayAt[i] = performance.now();
      else duplicates++;
      session.progress++;
    };
    agent.on('new_message', onRelay);
    const serverCpuBefore = processCpuMs(session.pids);
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now() + 10;
    const interval = 1000 / rate;
    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        const upTo = Math.min(total, Math.floor((now - t0) / interval) + 1);
        while (sent < upTo) {
          const i = sent++;
          due[i] = t0 + i * interval;
          const user = users[i % users.length];
          lag[i] = performance.now() - due[i];
          // As a person writes: "is typing" first, then the message (which ends it on the other side).
          if (typing) user.socket.emit('typing', { chat_id: user.chatId, typing: true });
          user.socket.emit('send_message', { chat_id: user.chatId, content: `bench message ${i}`, client_id: prefix + i }, (res) => {
            session.progress++;
            if (res?.ok) ackAt[i] = performance.now();
            else {
              errors++;
              const code = res?.error ?? 'malformed';
              errorCodes[code] = (errorCodes[code] ?? 0) + 1;
            }
          });
        }
        if (sent >= total) resolve();
        // Sleep until the next message is due (a few ms at most), not a busy 1 ms loop at low rates.
        else setTimeout(tick, Math.max(0, Math.min(4, t0 + sent * interval - performance.now())));
      };
      setTimeout(tick, 10);
    });
    const sendEnd = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    // Drain: what is still in flight gets its answer or counts as missing.
    const drainUntil = performance.now() + drainMs;
    const settled = () => {
      let acked = 0;
      let relayed = 0;
      for (let i = 0; i < total; i++) {
        if (!Number.isNaN(ackAt[i])) {
          acked++;
          if (!Number.isNaN(relayAt[i])) relayed++;
        }
      }
      return acked + errors === total && relayed === acked;
    };
    while (performance.now() < drainUntil && !settled()) await sleep(20);
    const serverCpuMs = processCpuMs(session.pids) - serverCpuBefore;
    // The listener stays until the session ends: a relay that comes after the drain is late,
    // not lost, and the sweep at the end of the target tells the two apart.

    const acks = [];
    const relays = [];
    let acked = 0;
    let lost = 0;
    let lastAck = t0;
    for (let i = 0; i < total; i++) {
      if (!Number.isNaN(ackAt[i])) {
        acked++;
        acks.push(ackAt[i] - due[i]);
        lastAck = Math.max(lastAck, ackAt[i]);
        if (Number.isNaN(relayAt[i])) lost++;
      }
      if (!Number.isNaN(relayAt[i])) relays.push(relayAt[i] - due[i]);
    }
    const unanswered = total - acked - errors;
    const relayP99 = percentile(relays, 0.99);
    const result = {
      rate,
      seconds,
      sent: total,
      acked,
      errors,
      error_codes: errorCodes,
      unanswered,
      lost,
      duplicates,
      ack_p50: percentile(acks, 0.5),
      ack_p99: percentile(acks, 0.99),
      relay_p50: percentile(relays, 0.5),
      relay_p99: relayP99,
      acks_per_s: acked / ((lastAck - t0) / 1000),
      client_lag_p99: percentile(Array.from(lag), 0.99),
      client_cpu: (cpu.user + cpu.system) / 1000 / (sendEnd - t0),
      // CPU the servers spent per acknowledged message: unlike latency, contention from other work
      // on the machine barely moves it, so it compares builds even on a busy machine.
      server_cpu_us_per_msg: acked ? (serverCpuMs * 1000) / acked : NaN,
    };
    result.ok = errors === 0 && unanswered === 0 && lost === 0 && relays.length === total && relayP99 < P99_BUDGET_MS;
    session.phases.push({
      settled,
      recount(cut) {
        let stillLost = 0;
        let stillUnanswered = total - errors;
        for (let i = 0; i < total; i++) {
          if (!Number.isNaN(ackAt[i])) {
            stillUnanswered--;
            if (Number.isNaN(relayAt[i])) stillLost++;
          }
        }
        result.unrelayed_at_drain = lost;
        result.lost = cut ? 0 : stillLost;
        result.still_relaying = cut ? stillLost : 0;
        result.never_answered = stillUnanswered;
        return result;
      },
    });
    return result;
  }

  async function openSession(target) {
    const users = await target.users(USERS, 'active');
    const agentToken = await target.agentToken();
    const agent = await connect(target.agentUrl, agentToken);
    await request(agent, 'subscribe_admin', {});
    for (const u of users) await request(agent, 'subscribe', { chat_id: u.chatId });
    await mapLimit(users, 10, async (u) => {
      u.socket = await connect(target.userUrl, u.token);
      await request(u.socket, 'subscribe', { chat_id: u.chatId });
    });
    return { id: randomBytes(4).toString('hex'), users, agent, phases: [], progress: 0, pids: target.procs.map((p) => p.pid) };
  }

  /**
   * Waits until every phase's messages are answered and relayed, or nothing has moved for a
   * while: only then is an acknowledged message that never reached the agent counted as lost.
   */
  async function sweep(session) {
    const cut = await catchUp(session, quick ? 15_000 : 30_000);
    for (const p of session.phases) p.recount(cut);
  }

  /**
   * Lets a backlog clear before the next phase, so each phase measures its own rate rather than
   * the queue the one before left. Answers whether it gave up while the server was still busy.
   */
  async function catchUp(session, capMs) {
    const until = Date.now() + capMs;
    let seen = -1;
    let quietSince = Date.now();
    while (Date.now() < until && !session.phases.every((p) => p.settled())) {
      if (session.progress !== seen) {
        seen = session.progress;
        quietSince = Date.now();
      } else if (Date.now() - quietSince > 3_000) break;
      await sleep(50);
    }
    // Still busy at the cap: what is missing may yet come, so it is reported as late, not lost.
    return !session.phases.every((p) => p.settled()) && Date.now() - quietSince <= 3_000;
  }

  function closeSession(session) {
    close([session.agent, ...session.users.map((u) => u.socket).filter(Boolean)]);
  }

  /** Where a server's time goes at a given rate: a CPU profile of every process, summarised. */
  async function profilePhase(name, target, session, rate) {
    const procs = target.procs.filter((p) => p.inspectorUrl);
    const sessions = [];
    try {
      for (const proc of procs) {
        let release;
        const done = new Promise((r) => (release = r));
        let ready;
        const started = new Promise((r) => (ready = r));
        const work = inspect(proc.inspectorUrl, async (call) => {
          await call('Profiler.enable');
          await call('Profiler.setSamplingInterval', { interval: 250 });
          await call('Profiler.start');
          ready();
          await done;
          return (await call('Profiler.stop')).profile;
        });
        sessions.push({ proc, release, work });
        await Promise.race([started, work]);
      }
      await runLoad(session, { rate, seconds: 5, tag: `profile${rate}` });
    } finally {
      for (const s of sessions) s.release();
    }
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    for (const { proc, work } of sessions) {
      const profile = await work;
      const file = join(dir, `profile-${proc.label.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      log(`  profile of ${proc.label} at ${rate}/s: ${file.slice(root.length)}\n${summariseProfile(profile)}`);
    }
    await catchUp(session, 10_000);
  }

  /** System calls per message: each write to a socket costs one, and they dominate the profile. */
  async function syscallPhase(target, session, rate) {
    const tracers = target.procs.map((proc) => {
      const file = join(os.tmpdir(), `relay-bench-strace-${proc.pid}.txt`);
      const child = spawn('strace', ['-c', '-f', '-p', String(proc.pid), '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      const attached = new Promise((resolve, reject) => {
        child.stderr.on('data', (d) => /attached/.test(String(d)) && resolve());
        child.once('exit', (code) => reject(new Error(`strace exited (${code}) before attaching`)));
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      return { proc, file, child, attached, exited };
    });
    let result;
    try {
      await Promise.all(tracers.map((t) => t.attached));
      result = await runLoad(session, { rate, seconds: 3, tag: `syscalls${rate}` });
    } finally {
      for (const t of tracers) t.child.kill('SIGINT');
      await Promise.all(tracers.map((t) => t.exited));
    }
    for (const t of tracers) {
      const calls = {};
      for (const line of readText(t.file).split('\n')) {
        const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
        if (m && m[2] !== 'total') calls[m[2]] = Number(m[1]);
      }
      const per = (n) => (n / result.acked).toFixed(2);
      const total = Object.values(calls).reduce((a, b) => a + b, 0);
      const top = Object.entries(calls).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${per(n)}`);
      log(`  system calls of ${t.proc.label} per message at ${rate}/s (${result.acked} messages): ${per(total)} in all; ${top.join(', ')}`);
    }
    await catchUp(session, 10_000);
  }

  /** RSS and heap of every server process after a forced garbage collection. */
  async function settledMemory(procs) {
    const out = [];
    for (const proc of procs) {
      let usage = null;
      if (proc.inspectorUrl) {
        try {
          usage = await inspect(proc.inspectorUrl, async (call) => {
            await call('HeapProfiler.collectGarbage');
            await sleep(200);
            await call('HeapProfiler.collectGarbage');
            const { result } = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
            return JSON.parse(result.value);
          });
        } catch (err) {
          note(`no forced GC in ${proc.label} (${err.message}); memory read after a pause instead`);
        }
      }
      if (!usage) await sleep(2_000);
      await sleep(300);
      const rss = vmRss(proc.pid);
      out.push({ rss: rss ?? usage?.rss ?? NaN, heap: usage?.heapUsed ?? NaN });
    }
    return out;
  }

  async function measureMemory(target, count) {
    const idle = await target.users(count, 'idle');
    const hosts = target.procs.length > 1 ? [target.userUrl, target.agentUrl] : [target.userUrl];
    const open = async (list) => {
      const sockets = [];
      let failed = 0;
      let skipped = 0;
      let firstError = null;
      // The server's handshakes are the slow part: tens per second when the machine is busy.
      const until = Date.now() + (quick ? 5_000 : 300_000);
      await mapLimit(list, 100, async (u, i) => {
        if (Date.now() > until) {
          skipped++;
          return;
        }
        try {
          const s = await connect(hosts[i % hosts.length], u.token, nextLocalAddress());
          sockets.push(s);
          await request(s, 'subscribe', { chat_id: u.chatId });
        } catch (err) {
          failed++;
          firstError ??= err.message;
        }
      });
      return { sockets, failed, skipped, firstError };
    };
    // Connection handling compiled and warmed before the baseline, so it is not counted per socket.
    const warm = await open(idle.slice(0, Math.min(quick ? 100 : 300, count)));
    close(warm.sockets);
    await sleep(quick ? 500 : 1_000);
    const before = await settledMemory(target.procs);
    log(`  memory: ${idle.length} idle users ready, baseline ${before.map((b) => fmtKb(b.rss)).join(' + ')} RSS; connecting`);
    const started = performance.now();
    const { sockets, failed, skipped, firstError } = await open(idle);
    const connectSeconds = (performance.now() - started) / 1000;
    await sleep(quick ? 500 : 1_000);
    const after = await settledMemory(target.procs);
    close(sockets);
    if (skipped) note(`${target.name}: out of time after ${sockets.length} idle sockets; memory measured on those (${skipped} not opened)`);
    if (failed) note(`${target.name}: ${failed} of ${count} idle sockets failed to connect or subscribe (first: ${firstError})`);
    // Every open socket costs memory, subscribed or not; the failures are reported above.
    const connected = sockets.length;
    const delta = (key) => after.reduce((sum, a, i) => sum + (a[key] - before[i][key]), 0);
    await sleep(quick ? 300 : 1_000);
    return {
      connections: connected,
      failed,
      connect_seconds: connectSeconds,
      rss_before: before.map((b) => b.rss),
      rss_after: after.map((a) => a.rss),
      bytes_per_connection: connected ? delta('rss') / connected : NaN,
      heap_bytes_per_connection: connected ? delta('heap') / connected : NaN,
    };
  }

  /**
   * Measures one target. With `keep`, a target that worked is left running for the next one to
   * build on; otherwise (and always after a failure) its servers are stopped here.
   */
  async function runTarget(name, start, { keep = false } = {}) {
    log(`\n== ${name} ==`);
    checkDeadline(name);
    const target = await start();
    target.name = name;
    const result = { name, pids: target.procs.map((p) => p.pid), load_at_start: loadAverage() };
    const marks = target.procs.map((p) => p.logMark());
    let failed = false;
    try {
      const session = await openSession(target);
      try {
        const warm = await runLoad(session, { rate: BASE_RATE, seconds: P.warmupSeconds, tag: 'warm' });
        log(`  warm-up ${P.warmupSeconds}s at ${BASE_RATE}/s: ${summary(warm)}`);
        result.warmup = warm;
        const backlog = quick ? 8_000 : 20_000;
        if (await catchUp(session, backlog)) note(`${name}: still working off the warm-up after ${backlog / 1000}s`);
        checkDeadline(name);
        // On a shared machine the client itself can be descheduled; a phase it could not keep to
        // its schedule says nothing about the server, so it gets one more try.
        const measure = async (rate, seconds, tag, typing = false) => {
          const first = await runLoad(session, { rate, seconds, tag, typing });
          // Only when the client's delay explains a real part of the tail; a server with seconds
          // of backlog would fail again whatever the client did.
          const clientsFault = first.client_lag_p99 > CLIENT_LAG_MS && first.client_lag_p99 > first.relay_p99 / 4;
          if (first.ok || !clientsFault) return first;
          log(`  ${rate}/s: ${summary(first)}; the client fell behind, once more`);
          note(`${name}: at ${rate}/s the client fell ${first.client_lag_p99.toFixed(0)} ms behind its schedule (p99); measured again`);
          await catchUp(session, backlog);
          const again = await runLoad(session, { rate, seconds, tag: `${tag}r`, typing });
          (result.discarded ??= []).push(first);
          return again;
        };
        const base = await measure(BASE_RATE, P.baseSeconds, 'base');
        log(`  ${BASE_RATE}/s for ${P.baseSeconds}s: ${summary(base)}`);
        result.base = base;
        if (profileRate && target.procs.some((p) => p.inspectorUrl)) await profilePhase(name, target, session, profileRate);
        if (syscallRate) await syscallPhase(target, session, syscallRate);
        if (name === 'server, 1 instance') {
          // What typing indicators cost: the same rate without and with a typing event before
          // each message, back to back.
          result.typing = {};
          for (const [key, typing] of [['off', false], ['on', true]]) {
            await catchUp(session, backlog);
            result.typing[key] = await measure(TYPING_RATE, P.baseSeconds, `typing-${key}`, typing);
            log(`  ${TYPING_RATE}/s, typing ${key}: ${summary(result.typing[key])}`);
          }
        }
        result.steps = [];
        result.max_rate = 0;
        for (const rate of P.steps) {
          checkDeadline(name);
          await catchUp(session, backlog);
          await sleep(300);
          const step = await measure(rate, P.stepSeconds, `step${rate}`);
          result.steps.push(step);
          log(`  ${String(rate).padStart(4)}/s for ${P.stepSeconds}s: ${summary(step)}${step.ok ? '' : '  <- over budget, stop'}`);
          if (!step.ok) break;
          result.max_rate = rate;
        }
      } finally {
        result.peak_acks_per_s = Math.max(0, ...[result.base, ...(result.steps ?? [])].filter(Boolean).map((s) => s.acks_per_s || 0));
        // Also after a failure: what was acknowledged gets its chance to arrive before counting.
        await sweep(session);
        result.swept = true;
        closeSession(session);
      }
      checkDeadline(name);
      await sleep(500);
      result.memory = await measureMemory(target, P.idle);
      log(
        `  memory: ${fmtKb(result.memory.bytes_per_connection)} per idle subscribed socket (${result.memory.connections} sockets, ` +
          `heap ${fmtKb(result.memory.heap_bytes_per_connection)}, connected in ${result.memory.connect_seconds.toFixed(1)}s)`,
      );
    } catch (err) {
      if (!(err instanceof OutOfTime)) {
        failed = true;
        for (const p of target.procs) note(`${name}: ${p.label} said, before failing: ${why(p.output)}`);
        throw err;
      }
      // Out of time: what was measured stands, the rest is left out.
      result.cut = err.message;
      note(`${name}: ${err.message}; the rest of this target and the targets after it are left out`);
    } finally {
      result.server_log = target.procs.map((p, i) => {
        const mark = marks[i] ?? {};
        const since = (level) => (p.logLevels[level] ?? 0) - (mark[level] ?? 0);
        return {
          label: p.label,
          alive: p.alive(),
          warnings: since('40'),
          errors: since('50') + since('60'),
          samples: p.errorSamples.slice(mark.samples ?? 0),
        };
      });
      for (const p of target.procs) if (!p.alive()) note(`${name}: ${p.label} died during the run: ${why(p.output)}`);
      if (failed || !keep || result.cut) await stopTarget(target);
      else result.kept = target;
      for (const l of result.server_log) {
        if (l.errors || l.warnings) note(`${name}: ${l.label} logged ${l.errors} errors and ${l.warnings} warnings${l.samples.length ? `, e.g. ${oneLine(l.samples[0])}` : ''}`);
      }
      const late = [result.warmup, result.base, ...Object.values(result.typing ?? {}), ...(result.steps ?? []), ...(result.discarded ?? [])].filter(Boolean);
      const lost = late.reduce((n, s) => n + s.lost, 0);
      const relaying = late.reduce((n, s) => n + (s.still_relaying ?? 0), 0);
      if (lost && result.swept) note(`${name}: ${lost} acknowledged messages never reached the agent`);
      if (relaying) note(`${name}: still relaying when the sweep gave up; ${relaying} acknowledged messages had not reached the agent (late, not counted as lost)`);
    }
    return result;
  }

  // --- run the targets, report ---
  const results = {};
  const plan = [
    ['bare', 'bare Socket.IO', () => startBare('bare')],
    ['insert', 'bare + INSERT', () => startBare('insert')],
    ['server', 'server, 1 instance', () => startProduct(1)],
    ['two', 'server, 2 instances', () => (results.server?.kept ? results.server.kept.withSecondInstance() : startProduct(2))],
  ].filter(([key]) => only.includes(key));

  let failure = null;
  try {
    for (const [key, name, start] of plan) {
      try {
        results[key] = await runTarget(name, start, { keep: key === 'server' && only.includes('two') });
      } catch (err) {
        // One broken target still leaves the others worth reporting.
        if (err instanceof OutOfTime) {
          results[key] = { name, failed: `not run: ${err.message}` };
          note(`${name}: not run, ${err.message}`);
          break;
        }
        results[key] = { name, failed: err.message };
        console.error(`${name} failed: ${err.message}`);
        failure ??= err;
      }
      if (results[key].cut) break;
    }
  } finally {
    for (const r of Object.values(results)) delete r.kept;
    await cleanup();
    clearTimeout(watchdog);
  }

  machine.load_at_end = loadAverage();
  const report = buildReport({ machine, params: { ...P, users: USERS, base_rate: BASE_RATE, p99_budget_ms: P99_BUDGET_MS }, results, notes });
  console.log(`\n${report.markdown}`);
  if (write) {
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const stem = quick ? 'relay-quick' : 'relay-latest';
    writeFileSync(join(dir, `${stem}.json`), `${JSON.stringify(report.json, null, 2)}\n`);
    writeFileSync(join(dir, `${stem}.md`), report.markdown);
    console.log(`written: bench/results/${stem}.json and .md`);
  }
  const lost = Object.values(results).reduce((n, r) => n + lostIn(r), 0);
  if (lost) {
    console.error(`FAIL: ${lost} acknowledged messages never reached the agent`);
    process.exitCode = 1;
  }
  if (failure) process.exitCode = 1;
  // Sockets the client library keeps half-open must not keep the bench alive.
  setTimeout(() => process.exit(), 2_000).unref();
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

function buildReport({ machine, params, results, notes }) {
  const ins = results.insert;
  const bare = results.bare;
  const server = results.server;
  const two = results.two;
  const cap = params.steps[params.steps.length - 1];
  const rateText = (r) => (r?.steps ? (r.max_rate >= cap ? `≥ ${cap}` : r.max_rate === 0 ? `< ${params.steps[0]}` : String(r.max_rate)) : '–');
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
  const ms = (v) => (Number.isFinite(v) ? v.toFixed(Math.abs(v) < 10 ? 2 : 1) : '–');
  const signed = (v) => (v >= 0 ? `+${ms(v)}` : `−${ms(-v)}`);

  const rows = [];
  for (const key of ['bare', 'insert', 'server', 'two']) {
    const r = results[key];
    if (!r) continue;
    if (r.failed) {
      rows.push(`| ${r.name} | failed: ${r.failed.split('\n')[0].slice(0, 160)} | | | | | | | | | | |`);
      continue;
    }
    rows.push(
      `| ${r.name} | ${ms(r.base?.ack_p50)} | ${ms(r.base?.ack_p99)} | ${ms(r.base?.relay_p50)} | ${ms(r.base?.relay_p99)} | ${rateText(r)} | ` +
        `${Number.isFinite(r.peak_acks_per_s) ? Math.round(r.peak_acks_per_s) : '–'} | ${fmtKb(r.memory?.bytes_per_connection)}` +
        `${r.memory && r.memory.connections !== params.idle ? ` (${r.memory.connections.toLocaleString('en-US')} sockets)` : ''} | ` +
        `${ratio(r.max_rate, ins?.max_rate)} | ${ratio(r.base?.relay_p50, ins?.base?.relay_p50)} | ${ratio(r.memory?.bytes_per_connection, bare?.memory?.bytes_per_connection)} | ${r.load_at_start} |`,
    );
  }

  const targets = [];
  const check = (name, met, detail) =>
    targets.push({ name, status: met === null ? 'not measured' : met === 'inconclusive' ? met : met ? 'met' : 'missed', detail });
  const measured = (...rs) => rs.every((r) => r && !r.failed);
  check(
    'throughput at p99 < 50 ms ≥ 0.8× bare + INSERT',
    // With the baseline under the first step there is nothing to compare against.
    measured(server, ins) ? (ins.max_rate > 0 ? server.max_rate >= 0.8 * ins.max_rate : 'inconclusive') : null,
    measured(server, ins)
      ? `${rateText(server)} vs ${rateText(ins)} msgs/s (${ratio(server.max_rate, ins.max_rate)}); peak acks/s ${Math.round(server.peak_acks_per_s)} vs ${Math.round(ins.peak_acks_per_s)} (${ratio(server.peak_acks_per_s, ins.peak_acks_per_s)})`
      : '',
  );
  check(
    'relay p50 at 200 msgs/s ≤ 1.5× bare + INSERT',
    measured(server, ins) ? server.base.relay_p50 <= 1.5 * ins.base.relay_p50 : null,
    measured(server, ins) ? `${ms(server.base.relay_p50)} vs ${ms(ins.base.relay_p50)} ms (${ratio(server.base.relay_p50, ins.base.relay_p50)})` : '',
  );
  check(
    'memory per idle connection ≤ 1.3× bare Socket.IO',
    measured(server, bare) && server.memory && bare.memory ? server.memory.bytes_per_connection <= 1.3 * bare.memory.bytes_per_connection : null,
    measured(server, bare) && server.memory && bare.memory
      ? `${fmtKb(server.memory.bytes_per_connection)} vs ${fmtKb(bare.memory.bytes_per_connection)} (${ratio(server.memory.bytes_per_connection, bare.memory.bytes_per_connection)})`
      : '',
  );
  check(
    'two instances: relay p50 at most 1 ms above one instance',
    measured(server, two) ? two.base.relay_p50 <= server.base.relay_p50 + 1 : null,
    measured(server, two) ? `${ms(two.base.relay_p50)} vs ${ms(server.base.relay_p50)} ms (${signed(two.base.relay_p50 - server.base.relay_p50)} ms)` : '',
  );

  const stepRows = [];
  for (const key of ['bare', 'insert', 'server', 'two']) {
    const r = results[key];
    for (const s of r?.steps ?? []) {
      stepRows.push(
        `| ${r.name} | ${s.rate} | ${ms(s.ack_p50)} | ${ms(s.ack_p99)} | ${ms(s.relay_p50)} | ${ms(s.relay_p99)} | ${Math.round(s.acks_per_s || 0)} | ` +
          `${s.errors}${Object.keys(s.error_codes).length ? ` (${Object.entries(s.error_codes).map(([c, n]) => `${c} ${n}`).join(', ')})` : ''} | ${s.unanswered} | ${s.lost} | ${s.ok ? 'yes' : 'no'} |`,
      );
    }
  }
  const loss = Object.values(results).reduce((n, r) => n + lostIn(r), 0);

  const markdown = [
    `# Relay benchmark (${machine.mode})`,
    '',
    `${machine.date.slice(0, 16).replace('T', ' ')} UTC · ${machine.nproc} cores (nproc), ${machine.cpu} · Node ${machine.node} · ${machine.pinned} · commit ${machine.commit} · ulimit -n: client ${machine.client_open_files ?? '?'}, servers ${machine.server_open_files ?? '?'} · load average ${machine.load_at_start} at the start, ${machine.load_at_end} at the end`,
    '',
    `${params.users} users each in their own chat and one agent subscribed to every chat; open-loop load, latencies from each message's scheduled send time, in ms. ` +
      `"max rate": the highest offered rate of ${params.steps.join(', ')} msgs/s (${params.stepSeconds} s each) with relay p99 under ${params.p99_budget_ms} ms and nothing lost. ` +
      `Memory: server RSS per idle, subscribed socket at ${params.idle.toLocaleString('en-US')} sockets, after a forced GC. Ratios against bare + INSERT (memory against bare Socket.IO); "load": the machine's load average when the target started.`,
    '',
    `| target | ack p50 @${params.base_rate} | ack p99 @${params.base_rate} | relay p50 @${params.base_rate} | relay p99 @${params.base_rate} | max rate (msgs/s) | peak acks/s | memory / socket | rate ratio | relay p50 ratio | memory ratio | load |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    '| target | status | measured |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.name} | **${t.status}** | ${t.detail} |`),
    '',
    loss ? `**${loss} acknowledged messages never reached the agent.**` : 'No acknowledged message was lost.',
    '',
    ...typingSection(results.server?.typing),
    '<details><summary>steps</summary>',
    '',
    '| target | msgs/s | ack p50 | ack p99 | relay p50 | relay p99 | acks/s | errors | unanswered | lost | within budget |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    ...stepRows,
    '',
    '</details>',
    ...(notes.length ? ['', 'Notes:', '', ...notes.map((n) => `- ${n.length > 400 ? `${n.slice(0, 400)}…` : n}`)] : []),
    '',
  ].join('\n');
  return { markdown, json: { machine, params, results, targets, lost: loss, notes } };
}

/** The cost of typing indicators on the hot path: the same rate without and with them. */
function typingSection(typing) {
  if (!typing?.off || !typing?.on) return [];
  const { off, on } = typing;
  const cpu = (s) => (Number.isFinite(s.server_cpu_us_per_msg) ? `${Math.round(s.server_cpu_us_per_msg)} µs` : '–');
  const row = (label, s) => `| ${label} | ${s.rate} | ${s.relay_p50.toFixed(2)} | ${s.relay_p99.toFixed(1)} | ${Math.round(s.acks_per_s)} | ${cpu(s)} |`;
  const extra = on.server_cpu_us_per_msg - off.server_cpu_us_per_msg;
  return [
    'Typing on (server, 1 instance): every message preceded by a `typing` event from its user, which the server relays to the agent.',
    '',
    '| typing | msgs/s | relay p50 | relay p99 | acks/s | server CPU per message |',
    '|---|--:|--:|--:|--:|--:|',
    row('off', off),
    row('on', on),
    '',
    Number.isFinite(extra) ? `Cost of typing: ${extra >= 0 ? '+' : ''}${Math.round(extra)} µs of server CPU per message (${((100 * extra) / off.server_cpu_us_per_msg).toFixed(0)}%), relay p50 ${(on.relay_p50 - off.relay_p50).toFixed(2)} ms.` : '',
    '',
  ];
}

function lostIn(r) {
  if (!r || r.failed) return 0;
  return [r.warmup, r.base, ...Object.values(r.typing ?? {}), ...(r.steps ?? []), ...(r.discarded ?? [])].filter(Boolean).reduce((n, s) => n + s.lost, 0);
}

/** Pino's numeric level, or the name the product's formatter writes instead. */
function logLevel(line) {
  const m = /"level":\s*(?:(\d+)|"(\w+)")/.exec(line);
  if (!m) return null;
  const names = { trace: 10, debug: 20, log: 30, info: 30, warn: 40, error: 50, fatal: 60 };
  return m[1] ? m[1] : String(names[m[2]] ?? '');
}

/** The line of a server's output that most likely says why it stopped. */
function why(output) {
  const lines = output.split('\n').filter((l) => l.trim());
  const line =
    lines.find((l) => /\bERROR\b|Exception|Error:|"level":\s*("(error|fatal)"|[56]0)|failed to start|Configuration error/.test(l)) ??
    lines[lines.length - 1] ??
    'no output';
  return oneLine(line).slice(0, 300);
}

function oneLine(text) {
  return text.replace(/\s+/g, ' ').trim();
}

function summary(s) {
  const parts = [
    `ack p50 ${s.ack_p50.toFixed(2)} p99 ${s.ack_p99.toFixed(2)}`,
    `relay p50 ${s.relay_p50.toFixed(2)} p99 ${s.relay_p99.toFixed(2)} ms`,
    `${Math.round(s.acks_per_s)} acks/s`,
  ];
  if (s.errors) parts.push(`${s.errors} errors ${JSON.stringify(s.error_codes)}`);
  if (s.unanswered) parts.push(`${s.unanswered} unanswered`);
  if (s.lost) parts.push(`${s.lost} acked but not relayed (yet)`);
  if (s.duplicates) parts.push(`${s.duplicates} relayed twice`);
  if (s.client_lag_p99 > 5) parts.push(`client late by ${s.client_lag_p99.toFixed(1)} ms at p99`);
  parts.push(`client ${Math.round(s.client_cpu * 100)}% CPU`);
  if (Number.isFinite(s.server_cpu_us_per_msg)) parts.push(`server ${Math.round(s.server_cpu_us_per_msg)} µs CPU/msg`);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Small tools
// ---------------------------------------------------------------------------------------------

/** One DevTools-protocol session with a server started with --inspect: the only way to force its GC. */
async function inspect(url, work) {
  const WebSocket = require('ws');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    setTimeout(() => reject(new Error('inspector did not answer')), 5_000).unref();
  });
  let id = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const msgId = ++id;
      pending.set(msgId, { resolve, reject });
      ws.send(JSON.stringify({ id: msgId, method, params }));
      setTimeout(() => pending.has(msgId) && (pending.delete(msgId), reject(new Error(`${method} timed out`))), 20_000).unref();
    });
  try {
    return await work(call);
  } finally {
    ws.close();
  }
}

/** Self time by package and by function, busiest first, idle left out. */
function summariseProfile(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFn = new Map();
  const byPkg = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const cf = nodes.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (cf.functionName === '(idle)') return;
    busy += dt;
    const where = cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/dist\//, 'dist/');
    const fn = `${cf.functionName || '(anonymous)'} ${where}${where ? `:${cf.lineNumber + 1}` : ''}`;
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(cf.url)?.[1] ?? (cf.url.includes('/dist/') ? 'the server' : cf.url.startsWith('node:') ? 'node' : cf.functionName);
    byFn.set(fn, (byFn.get(fn) ?? 0) + dt);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + dt);
  });
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `    ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`);
  return [`    busy ${(busy / 1e6).toFixed(2)} s; by package:`, ...top(byPkg, 12), '    by function (self time):', ...top(byFn, 25)].join('\n');
}

function loadAverage() {
  return readText('/proc/loadavg').split(' ')[0] || '?';
}

/** User and system CPU of these processes so far, in ms (from /proc, 100 ticks a second). */
function processCpuMs(pids = []) {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readText(`/proc/${pid}/stat`).replace(/^.*\) /, '').split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * 10;
}

function vmRss(pid) {
  const kb = /VmRSS:\s*(\d+)\s*kB/.exec(readText(`/proc/${pid}/status`))?.[1];
  return kb ? Number(kb) * 1024 : null;
}

function openFileLimit(pid) {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readText(`/proc/${pid}/limits`));
  if (!m) return null;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function percentile(values, q) {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function fmtKb(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : '–';
}

function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
