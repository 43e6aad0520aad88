import { hashSync } from 'bcryptjs';
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { io } from 'socket.io-client';
import type { Ack, NewMessageEvent, SupportMessage } from '../../src/contracts/wire';
import { ensureFreshBuild, testServer, waitFor, type ServerProcess } from '../support/instances';
import { emitAck, nextEvent, PG, type TestSocket } from '../support/test-app';

const FLOOD = 10_000;

/** What flooder.mjs prints: first that the burst is sent, then how each message was answered. */
interface FlooderReport {
  sent?: number;
  outcomes?: Record<string, number>;
  admitted?: string[];
  connected?: boolean;
}
const SOCKETS = 1_000;
const GUESSES = 1_000;
/** Other users' messages timed while nothing else happens, and at most this many during the flood. */
const CALM_SAMPLES = 100;
const FLOOD_SAMPLES = 400;
/** Between two timed messages, as people type: the samples then cover the whole flood. */
const SAMPLE_GAP_MS = 25;
const LIMIT = 30;
/** The account rule README documents: five free failures, then 1 s, 2 s, 4 s… up to 30 s. */
const FREE_FAILURES = 5;
const MAX_WAIT_S = 30;

/** The value of one Prometheus sample, e.g. `metric{kind="user"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/**
 * One server in a process of its own for every flood, so its memory and latency are its own.
 * The tests run in order: the login flood first, so that the wait it imposes on the real agent
 * passes while the message flood runs, and the agent's login is checked last.
 */
describe('floods against a server in its own process (e2e)', () => {
  let server: ServerProcess;
  let db: Client;
  let agent: TestSocket;

  beforeAll(async () => {
    ensureFreshBuild();
    // An hour-long window, aligned to the clock, so the flood's allowance is exactly one window's.
    server = await testServer.startServer({ env: { MESSAGE_RATE_LIMIT: String(LIMIT), MESSAGE_RATE_WINDOW_MS: '3600000' } });
    db = new Client({ connectionString: `${PG}/${server.database}` });
    await db.connect();
    agent = await connect(await server.adminToken());
  }, 60_000);
  afterAll(async () => {
    agent?.disconnect();
    await db?.end();
    await server?.stop();
  });

  function open(token: string): TestSocket {
    return io(`${server.url}/support`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  }
  function settle(socket: TestSocket): Promise<string> {
    return new Promise((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
    });
  }
  async function connect(token: string): Promise<TestSocket> {
    const socket = open(token);
    const outcome = await settle(socket);
    if (outcome !== 'connected') throw new Error(`socket ${outcome}`);
    return socket;
  }
  async function newUser(sub: string) {
    const token = server.userToken({ sub, email: `${sub}@example.com` });
    const res = await fetch(`${server.url}/api/support_chat`, { headers: { authorization: `Bearer ${token}` } });
    const chatId = ((await res.json()) as { id: string }).id;
    expect(await emitAck(agent, 'subscribe', { chat_id: chatId })).toEqual({ ok: true });
    return { sub, token, chatId };
  }
  async function metrics(): Promise<string> {
    return (await fetch(`${server.url}/metrics`)).text();
  }

  /**
   * Users whose messages, sent one at a time and in turn, are timed from the emit to the agent
   * receiving each. Every one must be acknowledged and relayed, in the order sent. There are as
   * many users as the samples need, since each may send only the allowance; each has sent one
   * message before timing starts, since a user's first message pays for cold paths.
   */
  async function sampler(label: string, samples: number) {
    const voices = await Promise.all(
      Array.from({ length: Math.ceil(samples / (LIMIT - 1)) }, async (_, n) => {
        const user = await newUser(`sampler-${label}-${n}`);
        return { user, socket: await connect(user.token), heard: [] as string[], sent: [] as string[] };
      }),
    );
    const listen = (e: NewMessageEvent) => voices.find((v) => v.user.chatId === e.chat_id)?.heard.push(e.message.content);
    agent.on('new_message', listen);
    let turn = 0;
    async function say(voice: (typeof voices)[number]): Promise<number> {
      const content = `${label} ${turn}`;
      const clientId = `${label}-${turn++}`;
      const relayed = nextEvent<NewMessageEvent>(agent, 'new_message', (e) => e.message.content === content, 30_000);
      const start = performance.now();
      const ack = await emitAck(voice.socket, 'send_message', { chat_id: voice.user.chatId, content, client_id: clientId });
      expect(ack).toMatchObject({ ok: true });
      voice.sent.push(content);
      await relayed;
      return performance.now() - start;
    }
    for (const voice of voices) await say(voice);
    return {
      /** Times `count` messages, one after another, or as many as are sent before `until` holds. */
      async take(count: number, options: { gapMs?: number; until?: () => boolean } = {}) {
        const times: number[] = [];
        while (times.length < count && !options.until?.()) {
          times.push(await say(voices[turn % voices.length]));
          if (options.gapMs) await sleep(options.gapMs);
        }
        for (const voice of voices) expect(voice.heard).toEqual(voice.sent);
        return times;
      },
      close() {
        agent.off('new_message', listen);
        for (const voice of voices) voice.socket.disconnect();
      },
    };
  }

  // ---- 1,000 login attempts for one account from many addresses ----

  const victim = { email: 'victim-agent@example.com', password: 'the real passphrase' };
  /** The real agent's try right after the guessing: refused, and told how long to wait. */
  let toldToWait: { at: number; seconds: number } | undefined;

  // The server believes X-Forwarded-For from loopback (TRUST_PROXY's default), so each
  // attempt can come from an address of its own.
  async function attempt(password: string, address: string, email = victim.email) {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email, password }),
    });
    return { status: res.status, body: (await res.json()) as { admin?: { email: string }; message?: unknown } };
  }
  const secondsLeft = (body: { message?: unknown }) => Number(/try again in (\d+) s/.exec(String(body.message))?.[1]);

  it(`slows ${GUESSES.toLocaleString('en')} guesses for one account from as many addresses, each answered 401 or 429 with at most ${MAX_WAIT_S} s to wait`, async () => {
    await db.query(`INSERT INTO admins (email, password_hash, name) SELECT $1, password_hash, 'Victim' FROM admins LIMIT 1`, [victim.email]);
    // A cheap hash: what is under test is the limiter, not bcrypt's cost, and a thousand
    // full-cost comparisons would take minutes on this machine.
    await db.query('UPDATE admins SET password_hash = $1 WHERE email = $2', [hashSync(victim.password, 4), victim.email]);

    const statuses = new Map<number, number>();
    const waits: number[] = [];
    const started = Date.now();
    // Fifty at a time from distinct addresses: a botnet's pace, bounded so this client is not the bottleneck.
    for (let i = 0; i < GUESSES; i += 50) {
      const batch = Array.from({ length: Math.min(50, GUESSES - i) }, (_, k) => i + k);
      const answers = await Promise.all(batch.map((n) => attempt(`guess-${n}`, `10.${(n >> 8) & 255}.${n & 255}.7`)));
      for (const a of answers) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status === 429) waits.push(secondsLeft(a.body));
      }
    }
    const seconds = (Date.now() - started) / 1000;
    expect([...statuses.keys()].filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.get(429)).toBeGreaterThan(0);
    expect(waits.every((w) => w >= 1 && w <= MAX_WAIT_S)).toBe(true);

    // The real agent tries at once, from an address of their own.
    const real = await attempt(victim.password, '192.0.2.10');
    if (real.status === 429) {
      toldToWait = { at: Date.now(), seconds: secondsLeft(real.body) };
      expect(toldToWait.seconds).toBeLessThanOrEqual(MAX_WAIT_S);
    } else {
      expect(real.status).toBe(200);
    }
    console.log(
      `${GUESSES} guesses for one account from ${GUESSES} addresses in ${seconds.toFixed(1)} s: ` +
        `${statuses.get(401) ?? 0} checked against the password (401), ${statuses.get(429) ?? 0} refused unchecked (429), ` +
        `longest wait announced ${Math.max(...waits)} s; the real agent was then told to wait ${toldToWait?.seconds ?? 0} s`,
    );
  }, 120_000);

  // Each attempt is counted before its password is checked, in the same step that reads the
  // delay, so guesses that arrive together cannot all pass the read: the documented delays, not
  // the attacker's concurrency, decide how many passwords are tried. A slower hash than the
  // victim's above keeps every guess of the burst in flight together.
  it('checks at most the free failures and one more when twenty guesses arrive at once', async () => {
    const email = 'burst-victim@example.com';
    await db.query(`INSERT INTO admins (email, password_hash, name) SELECT $1, $2, 'Burst' FROM admins LIMIT 1`, [email, hashSync('secret', 8)]);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`burst-${i}`, `172.16.0.${i + 1}`, email)));
    expect(answers.filter((a) => a.status !== 401 && a.status !== 429)).toEqual([]);
    const checked = answers.filter((a) => a.status === 401).length;
    console.log(`20 guesses at once for a fresh account: ${checked} checked against the password`);
    expect(checked).toBeLessThanOrEqual(FREE_FAILURES + 1);
  }, 60_000);

  // ---- 1,000 sockets for one user ----

  it(`serves or cleanly refuses ${SOCKETS.toLocaleString('en')} sockets for one user, with bounded memory, and lets them all go`, async () => {
    const user = await newUser('many-tabs');
    const beside = await sampler('beside-many-tabs', 10);
    await beside.take(5);
    const before = await metrics();
    const sockets: TestSocket[] = [];
    const outcomes = new Map<string, number>();
    for (let batch = 0; batch < SOCKETS / 200; batch++) {
      const opened = Array.from({ length: 200 }, () => open(user.token));
      const results = await Promise.all(opened.map((s) => settle(s)));
      results.forEach((r, i) => {
        outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
        if (r === 'connected') sockets.push(opened[i]);
        else opened[i].close();
      });
    }
    // Served, or refused with a reason: none left hanging.
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(SOCKETS);
    const joins = await Promise.all(sockets.map((s) => emitAck(s, 'subscribe', { chat_id: user.chatId })));
    expect(joins.filter((j) => !j.ok)).toEqual([]);
    const after = await metrics();
    expect(sample(after, 'support_chat_sockets_connected{kind="user"}')).toBe(sockets.length + 1);

    // Every tab hears the agent's reply exactly once, and someone else is served meanwhile.
    const heard = new Map<TestSocket, number>();
    for (const s of sockets) s.on('new_message', () => heard.set(s, (heard.get(s) ?? 0) + 1));
    const reply = await fetch(`${server.url}/api/admin/chats/${user.chatId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.adminToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'to every tab' }),
    });
    expect(reply.status).toBe(201);
    await waitFor('every tab to hear the reply', () => heard.size === sockets.length, 30_000);
    expect([...heard.values()].every((n) => n === 1)).toBe(true);
    await beside.take(5);

    // A garbage collection between the two readings can only make the growth look smaller;
    // the bound is generous, the figure is for the report.
    const rss = sample(after, 'process_resident_memory_bytes') - sample(before, 'process_resident_memory_bytes');
    const heap = sample(after, 'nodejs_heap_size_used_bytes') - sample(before, 'nodejs_heap_size_used_bytes');
    console.log(
      `${SOCKETS} sockets for one user: ${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')}; ` +
        `server RSS ${mb(sample(before, 'process_resident_memory_bytes'))} -> ${mb(sample(after, 'process_resident_memory_bytes'))} ` +
        `(${(rss / sockets.length / 1024).toFixed(1)} KB per socket), heap +${mb(heap)}`,
    );
    expect(rss / sockets.length).toBeLessThan(256 * 1024);

    sockets.forEach((s) => s.disconnect());
    beside.close();
    await waitFor('the server to let every socket go', async () => sample(await metrics(), 'support_chat_sockets_connected{kind="user"}') === 0, 30_000);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  }, 180_000);

  // ---- 10,000 messages from one socket ----

  it.each(['websocket', 'polling'])(`rate-limits ${FLOOD.toLocaleString('en')} messages from one socket over %s while other users are served, in order`, async (transport) => {
    const calmUser = await sampler(`calm-${transport}`, CALM_SAMPLES);
    // The server's event-loop delay is measured between scrapes.
    await metrics();
    const calm = await calmUser.take(CALM_SAMPLES, { gapMs: SAMPLE_GAP_MS });
    const calmLag = await metrics();
    calmUser.close();

    const floodUser = await sampler(`flood-${transport}`, FLOOD_SAMPLES);
    const flooder = await newUser(`flooder-${transport}`);
    const windowMs = 3_600_000;
    const firstWindow = Math.floor(Date.now() / windowMs);
    const transactions = async () =>
      Number((await db.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0].n);
    const transactionsBefore = await transactions();
    // This scrape starts the flood's measure of the event loop.
    await metrics();
    // All at once, as a script would, from a process of its own (an attacker's machine): the
    // samples start as soon as the burst is on the wire, while the server still works through it.
    const child = spawn(process.execPath, [join(__dirname, 'flooder.mjs'), server.url, flooder.token, flooder.chatId, String(FLOOD), transport], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Its CPU would be the attacker's own, not this machine's: it yields to everything else here.
    if (child.pid) setPriority(child.pid, 19);
    const lines: FlooderReport[] = [];
    let partial = '';
    let lineArrived: () => void = () => undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      for (let at = partial.indexOf('\n'); at >= 0; at = partial.indexOf('\n')) {
        lines.push(JSON.parse(partial.slice(0, at)) as FlooderReport);
        partial = partial.slice(at + 1);
        lineArrived();
      }
    });
    // 'close', not 'exit': the process can end before its last output has been read.
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const line = (n: number) =>
      new Promise<FlooderReport>((resolve, reject) => {
        const check = () => (lines.length > n ? resolve(lines[n]) : undefined);
        lineArrived = check;
        check();
        void exited.then(() => (lines.length > n ? resolve(lines[n]) : reject(new Error('the flooder exited without a report'))));
      });
    let during: number[];
    let report: FlooderReport;
    try {
      expect(await line(0)).toEqual({ sent: FLOOD });
      let finished = false;
      const result = line(1).finally(() => (finished = true));
      during = await floodUser.take(FLOOD_SAMPLES, { gapMs: SAMPLE_GAP_MS, until: () => finished });
      report = await result;
    } catch (err) {
      child.kill();
      throw err;
    } finally {
      floodUser.close();
    }
    expect(await exited).toBe(0);
    const lag = await metrics();
    const outcomes = new Map(Object.entries(report.outcomes ?? {}));
    const admitted = report.admitted ?? [];
    const emitted = [...outcomes.values()].reduce((a, b) => a + b, 0);
    const windows = Math.floor(Date.now() / windowMs) - firstWindow + 1;

    // Every flood message got an answer, and only the allowance was admitted and stored.
    expect(emitted).toBe(FLOOD);
    expect([...outcomes.keys()].sort()).toEqual(['ok', 'rate_limited']);
    expect(outcomes.get('ok')).toBeGreaterThanOrEqual(LIMIT);
    expect(outcomes.get('ok')).toBeLessThanOrEqual(LIMIT * windows);
    const { rows } = await db.query<{ client_id: string }>('SELECT client_id FROM support_messages WHERE chat_id = $1', [flooder.chatId]);
    expect(rows.map((r) => r.client_id).sort()).toEqual([...admitted].sort());
    expect(report.connected).toBe(true);
    // The flood's cost is counted, not timed: one socket's sends run a few at a time behind a
    // bounded queue, and what overflows it is refused with no query, so the flood cannot fill
    // the pool the other users' sends wait for. Unbounded, each of the 10,000 refused sends
    // checked Postgres for its client_id.
    // Each of the other users' timed messages is one transaction of its own, on top.
    const spent = (await transactions()) - transactionsBefore;
    expect(spent).toBeLessThan(1_000 + during.length);

    // The latency ratio is printed, not asserted: on a shared 2-core machine it is too noisy
    // for a bound (`npm run bench:flood` measures it over several rounds). What must hold
    // whatever the load (nobody else refused, lost or served out of order) is asserted in
    // take(); and the samples did overlap the flood, so they are a measure of it.
    expect(during.length).toBeGreaterThanOrEqual(50);
    const lagOf = (text: string) =>
      `p99 ${ms(1000 * sample(text, 'nodejs_eventloop_lag_p99_seconds'))} max ${ms(1000 * sample(text, 'nodejs_eventloop_lag_max_seconds'))}`;
    const calmP95 = percentile(calm, 95);
    const floodP95 = percentile(during, 95);
    // `npm run bench:flood` runs this test several times and reads its figures from here.
    if (process.env.FLOOD_REPORT) {
      const lagMs = (text: string, q: string) => 1000 * sample(text, `nodejs_eventloop_lag_${q}_seconds`);
      const figures = {
        transport,
        calm: { samples: calm.length, p50: percentile(calm, 50), p95: calmP95, lagP99: lagMs(calmLag, 'p99'), lagMax: lagMs(calmLag, 'max') },
        flood: { samples: during.length, p50: percentile(during, 50), p95: floodP95, lagP99: lagMs(lag, 'p99'), lagMax: lagMs(lag, 'max') },
        admitted: outcomes.get('ok'),
        refused: outcomes.get('rate_limited'),
      };
      appendFileSync(process.env.FLOOD_REPORT, `${JSON.stringify(figures)}\n`);
    }
    console.log(
      `flood of ${FLOOD} from one socket over ${transport}: ${outcomes.get('ok')} admitted, ${outcomes.get('rate_limited')} rate_limited; ${spent} Postgres transactions counted (its statistics lag by up to 10 s) while ${during.length} other users' messages were sent\n` +
        `other users' relay, ${calm.length} calm samples: p50 ${ms(percentile(calm, 50))} p95 ${ms(calmP95)}; ` +
        `${during.length} during the flood: p50 ${ms(percentile(during, 50))} p95 ${ms(floodP95)}; p95 ratio ${(floodP95 / calmP95).toFixed(2)}\n` +
        `server event-loop delay (timer resolution 10 ms included) calm ${lagOf(calmLag)}, during the flood ${lagOf(lag)}`,
    );
  }, 180_000);

  // ---- the real agent, after the guessing ----

  it(`lets the real agent in once the wait they were told has passed, never more than ${MAX_WAIT_S} s`, async () => {
    if (!toldToWait) return;
    const { at, seconds } = toldToWait;
    await waitFor('the announced wait to pass', () => Date.now() >= at + seconds * 1000, (MAX_WAIT_S + 5) * 1000);
    const real = await attempt(victim.password, '192.0.2.10');
    expect(real.status).toBe(200);
    expect(real.body.admin?.email).toBe(victim.email);
  }, 60_000);
});
