import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents, SupportMessage } from '../../src/contracts/wire';
import { ensureFreshBuild, testServer, type ServerProcess } from '../support/instances';
import { checkFileLimit, cpuSeconds, healthStatus, heapAfterFullGc, metric, pooled, range, round, rssMb, serverLag, serverVersion, settledMetric, sleep, sum, summary, until } from './load-probes';
import { ChatView, verify, type LoadReport, type Party } from './load-report';

export interface LoadOptions {
  users: number;
  seconds: number;
  agents: number;
  messagesPerUser: number;
  /** Every n-th user uses HTTP long-polling instead of WebSocket. */
  pollingEvery: number;
  /**
   * Every n-th user, and one agent, drop their connection once mid-run (a network blip), so
   * the reconnect and catch-up path is part of what is checked. 0: nobody does.
   */
  dropEvery: number;
  variant: string;
}

type LoadSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type SendAck = Ack<{ message: SupportMessage }>;

// The widget's own ack timeout and reconnect delays, so clients behave as browsers would.
const ACK_TIMEOUT_MS = 10_000;
const RECONNECT = { reconnectionDelay: 500, reconnectionDelayMax: 5000, timeout: 20_000 };
const SEND_ATTEMPTS = 8;
const RAMP_CONCURRENCY = 40;
// Loopback addresses to spread sockets over, so 1,000+ connections never run short of
// ephemeral ports towards one address:port (TIME_WAIT from long-polling included).
const HOSTS = 8;
// How long after the planned load sends may still be retried and deliveries awaited: a shared
// machine can run minutes behind, and a give-up is reported as a failure.
const DRAIN_MS = 90_000;

interface UserClient extends Party {
  kind: 'user';
  index: number;
  socket: LoadSocket;
  chatId: string;
  polling: boolean;
}

interface AgentClient extends Party {
  kind: 'agent';
  index: number;
  socket: LoadSocket;
  /** Ids of user messages this agent has answered (or is answering). */
  replied: Set<string>;
  /** new_user_message ids from the agents' room, with how often each came. */
  room: Map<string, number>;
}

/**
 * The load scenario: the built server in a child process, N users each in their own chat and
 * agents each watching a share of the chats, users sending a few messages and agents answering
 * each one, then a check of what Postgres holds against what every client saw. Both the quick
 * variant in `npm test` and the long one in `npm run test:load` run it.
 */
export class LoadRun {
  private server: ServerProcess | null = null;
  private readonly sockets: LoadSocket[] = [];
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly users: UserClient[] = [];
  private readonly agents: AgentClient[] = [];
  private readonly errors: Record<string, number> = {};
  private readonly sentAt = new Map<string, number>();
  private readonly latency = { userToAgent: [] as number[], agentToUser: [] as number[] };
  private readonly acked = new Map<string, SupportMessage>();
  /** client_ids emitted more than once. */
  private readonly resent = new Set<string>();
  private readonly emitted = new Set<string>();
  private readonly counts = { userSent: 0, userAcked: 0, agentSent: 0, agentAcked: 0, gaveUp: 0 };
  private readonly memory = { before: 0, peak: 0, afterLoad: 0, afterClose: 0 };
  private readonly runId = randomBytes(4).toString('hex');
  // Named here rather than by the helper, so it is dropped even when the server fails to start.
  private readonly database = `support_chat_load_${this.runId}`;
  private deadline = 0;
  private stopping = false;
  private agentTokens: string[] = [];
  private agentAccounts = 0;
  private plannedDrops = 0;
  private readonly catchUps = { requests: 0, recovered: 0 };
  private readonly dropping = new WeakSet<LoadSocket>();

  constructor(private readonly options: LoadOptions) {}

  async execute(): Promise<LoadReport> {
    const o = this.options;
    checkFileLimit(o.users + o.agents);
    ensureFreshBuild();
    const started = Date.now();
    const phases: Record<string, number> = {};
    let lapStart = started;
    const lap = (phase: string) => {
      phases[phase] = round((Date.now() - lapStart) / 1000);
      lapStart = Date.now();
    };
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    let sampler: NodeJS.Timeout | undefined;
    let lagSampler: NodeJS.Timeout | undefined;
    const diagnostics = mkdtempSync(join(tmpdir(), 'load-heap-'));
    try {
      // Ten consoles may share one account (see signInAgents) and answer hundreds of messages a
      // minute, so the allowance is raised; users stay far below the default on their own.
      this.server = await testServer.startServer({
        database: this.database,
        env: {
          MESSAGE_RATE_LIMIT: '100000',
          LOG_LEVEL: 'warn',
          // A heap snapshot collects garbage first: the one way to read, from outside, the heap
          // that is still held once every client has gone.
          NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${diagnostics}`,
        },
      });
      const server = this.server;
      const pid = server.pid ?? 0;
      lap('start');
      await this.signInAgents();
      lap('agents');
      // No collection forced here: the snapshot's own memory would stay in the RSS figures.
      const heapBefore = Math.round((await metric(server, 'nodejs_heap_size_used_bytes')) / 2 ** 20);
      const cpuBefore = cpuSeconds(pid);
      this.memory.before = rssMb(pid);
      sampler = setInterval(() => (this.memory.peak = Math.max(this.memory.peak, rssMb(pid))), 250);
      sampler.unref();

      await pooled(range(o.users), RAMP_CONCURRENCY, (i) => this.addUser(i));
      await pooled(range(o.agents), o.agents, (i) => this.addAgent(i));
      lap('connect');
      const socketsAtPeak = await metric(server, 'support_chat_sockets_connected{kind="user"}');

      // The server's own event-loop delay, read from /metrics (reset at each scrape) every 5 s.
      const lag = { p99: 0, max: 0 };
      lagSampler = setInterval(() => {
        void serverLag(server).then((l) => ((lag.p99 = Math.max(lag.p99, l.p99)), (lag.max = Math.max(lag.max, l.max))));
      }, 5000);
      lagSampler.unref();
      loopDelay.enable();
      const loadStart = performance.now();
      this.deadline = Date.now() + o.seconds * 1000 + DRAIN_MS;
      await Promise.all([...this.users.map((u) => this.talk(u, loadStart)), this.dropAgent(loadStart)]);
      lap('load');
      await this.drain();
      lap('drain');
      loopDelay.disable();
      this.memory.afterLoad = rssMb(pid);
      const health = existsSync(`/proc/${pid}`) ? await healthStatus(server) : 0;
      clearInterval(lagSampler);

      this.closeClients();
      const closedAt = new Date();
      const socketsLeft = await settledMetric(server, 'support_chat_sockets_connected{kind="user"}', 0, 15_000);
      clearInterval(sampler);
      this.memory.afterClose = rssMb(pid);
      const cpu = cpuSeconds(pid) - cpuBefore;
      lap('close');
      const heapAfter = await heapAfterFullGc(server, pid, diagnostics);
      lap('heap');
      const verification = await verify(server.env.DATABASE_URL, [...this.users, ...this.agents], this.acked, this.agents, closedAt, this.resent);
      lap('verify');
      return {
        variant: o.variant,
        finished_at: new Date().toISOString(),
        machine: { cpus: availableParallelism(), node: process.version },
        server_version: serverVersion(join(__dirname, '..', '..', '..')),
        setup: {
          users: o.users,
          polling_users: this.users.filter((u) => u.polling).length,
          agents: o.agents,
          agent_accounts: this.agentAccounts,
          messages_per_user: o.messagesPerUser,
          seconds: o.seconds,
        },
        phases_s: { ...phases, total: round((Date.now() - started) / 1000) },
        messages: { ...this.counts, stored: verification.stored },
        relay_ms: { user_to_agent: summary(this.latency.userToAgent), agent_to_user: summary(this.latency.agentToUser) },
        errors: { ...this.errors },
        reconnects: {
          users: sum(this.users.map((u) => u.connects - 1)),
          agents: sum(this.agents.map((a) => a.connects - 1)),
          clients_reconnected: [...this.users, ...this.agents].filter((p) => p.connects > 1).length,
          planned_drops: this.plannedDrops,
          catch_up_requests: this.catchUps.requests,
          recovered_by_catch_up: this.catchUps.recovered,
        },
        server: {
          alive: existsSync(`/proc/${pid}`),
          health_status_after_load: health,
          event_loop_lag_ms: { p99_max: lag.p99, max: lag.max },
          rss_mb: { before: this.memory.before, peak: this.memory.peak, after_load: this.memory.afterLoad, after_close: this.memory.afterClose },
          heap_used_mb: { at_start: heapBefore, after_close_and_gc: heapAfter },
          cpu_seconds: round(cpu),
          user_sockets_at_peak: socketsAtPeak,
          user_sockets_after_close: socketsLeft,
        },
        client_event_loop_p99_ms: round(loopDelay.percentile(99) / 1e6),
        verification,
      };
    } finally {
      clearInterval(sampler);
      clearInterval(lagSampler);
      await this.dispose();
      rmSync(diagnostics, { recursive: true, force: true });
    }
  }

  /** Idempotent: every socket closed, the server stopped, its database and Redis keys dropped. */
  async dispose(): Promise<void> {
    this.closeClients();
    const server = this.server;
    this.server = null;
    await server?.stop();
    await testServer.dropDatabase(this.database);
    await testServer.dropRedisKeys(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', `test-${this.database}`);
  }

  private closeClients(): void {
    this.stopping = true;
    for (const socket of this.sockets.splice(0)) {
      socket.removeAllListeners();
      socket.disconnect();
    }
  }

  private host(i: number): string {
    return `http://127.0.0.${1 + (i % HOSTS)}:${this.server!.port}`;
  }

  private async addUser(index: number): Promise<void> {
    const sub = `load-${this.runId}-${index}`;
    const token = this.server!.userToken({ sub, email: `${sub}@example.com` });
    const base = this.host(index);
    const chat = await this.getJson<{ id: string }>(`${base}/api/support_chat`, token);
    if (!chat) throw new Error(`user ${index} could not open a chat`);
    const polling = index % this.options.pollingEvery === this.options.pollingEvery - 1;
    const socket = this.open(base, token, polling);
    const user: UserClient = { kind: 'user', index, socket, chatId: chat.id, polling, connects: 0, views: new Map([[chat.id, new ChatView()]]) };
    this.users.push(user);
    socket.on('new_message', (e) => {
      const fresh = this.see(user, e.chat_id, e.message, 'live');
      const client = e.message.client_id;
      if (fresh && e.message.sender_type === 'admin' && client && this.sentAt.has(client)) {
        this.latency.agentToUser.push(performance.now() - this.sentAt.get(client)!);
      }
    });
    await this.connected(user, socket, async (reconnect) => {
      const cursor = user.views.get(chat.id)!.cursor?.id;
      await this.ackRetrying('subscribe', () => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', { chat_id: chat.id }));
      if (reconnect) await this.catchUp(user, chat.id, cursor, base, token, '/api/support_chat');
    });
  }

  /**
   * Ten agents of their own where the server can make them (POST /api/admin/agents); otherwise
   * the ten consoles share the first admin's account.
   */
  private async signInAgents(): Promise<void> {
    const server = this.server!;
    const admin = await server.adminToken();
    const password = `load-${this.runId}-password`;
    for (const i of range(this.options.agents)) {
      const email = `load-agent-${this.runId}-${i}@example.com`;
      const created = await fetch(`${server.url}/api/admin/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email, name: `Agent ${i}`, password }),
        signal: AbortSignal.timeout(30_000),
      }).catch(() => null);
      if (created?.status !== 201) break;
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
        signal: AbortSignal.timeout(30_000),
      }).catch(() => null);
      if (!login?.ok) break;
      this.agentTokens.push(((await login.json()) as { access_token: string }).access_token);
    }
    this.agentAccounts = this.agentTokens.length === this.options.agents ? this.options.agents : 1;
    if (this.agentAccounts === 1) this.agentTokens = range(this.options.agents).map(() => admin);
  }

  private async addAgent(index: number): Promise<void> {
    const base = this.host(index);
    const token = this.agentTokens[index];
    const socket = this.open(base, token, false);
    const agent: AgentClient = { kind: 'agent', index, socket, connects: 0, views: new Map(), replied: new Set(), room: new Map() };
    for (const u of this.users) if (u.index % this.options.agents === index) agent.views.set(u.chatId, new ChatView());
    this.agents.push(agent);
    socket.on('new_message', (e) => {
      const fresh = this.see(agent, e.chat_id, e.message, 'live');
      const client = e.message.client_id;
      if (fresh && e.message.sender_type === 'user' && client && this.sentAt.has(client)) {
        this.latency.userToAgent.push(performance.now() - this.sentAt.get(client)!);
      }
      if (fresh) this.maybeReply(agent, socket, e.message);
    });
    socket.on('new_user_message', (e) => agent.room.set(e.message.id, (agent.room.get(e.message.id) ?? 0) + 1));
    await this.connected(agent, socket, async (reconnect) => {
      const cursors = new Map([...agent.views].map(([chatId, view]) => [chatId, view.cursor?.id]));
      await this.ackRetrying('subscribe_admin', () => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe_admin', {}));
      await pooled([...agent.views.keys()], 10, (chatId) =>
        this.ackRetrying('subscribe', () => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', { chat_id: chatId })),
      );
      if (!reconnect) return;
      await pooled([...agent.views.keys()], 4, async (chatId) => {
        const fetched = await this.catchUp(agent, chatId, cursors.get(chatId), base, token, `/api/admin/chats/${chatId}`);
        for (const m of fetched) this.maybeReply(agent, socket, m);
      });
    });
  }

  private open(base: string, token: string, polling: boolean): LoadSocket {
    const socket: LoadSocket = io(`${base}/support`, {
      auth: { token },
      transports: polling ? ['polling'] : ['websocket'],
      forceNew: true,
      ...RECONNECT,
    });
    this.sockets.push(socket);
    socket.on('connect_error', () => this.error('connect_error'));
    socket.on('disconnect', (reason) => {
      // As the widget does: its own retries resend with the client_id, a replay would be a copy.
      socket.sendBuffer = [];
      if (this.dropping.delete(socket) || this.stopping) return;
      this.error(`disconnect:${reason}`);
    });
    return socket;
  }

  /** Runs `join` on every connect (again after each reconnect) and waits for the first. */
  private async connected(party: Party, socket: LoadSocket, join: (reconnect: boolean) => Promise<void>): Promise<void> {
    const first = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${party.kind} could not connect in 60 s`)), 60_000);
      socket.on('connect', () => {
        party.connects++;
        const joined = this.track(join(party.connects > 1).catch(() => this.error('join_failed')));
        if (party.connects === 1) void joined.then(() => (clearTimeout(timer), resolve()));
      });
    });
    await first;
  }

  /** One user's conversation: a few messages at random moments of the load window. */
  private async talk(user: UserClient, loadStart: number): Promise<void> {
    const socket = user.socket;
    const window = this.options.seconds * 1000;
    const moments = range(this.options.messagesPerUser)
      .map(() => window * (0.02 + 0.88 * Math.random()))
      .sort((a, b) => a - b);
    const drop = this.options.dropEvery > 0 && user.index % this.options.dropEvery === Math.floor(this.options.dropEvery / 2);
    for (const [k, at] of moments.entries()) {
      const wait = loadStart + at - performance.now();
      if (wait > 0) await sleep(wait);
      // Between the first two messages, so the agent's answer to the first is likely missed live.
      if (drop && k === 1) this.blip(socket);
      const clientId = `u-${this.runId}-${user.index}-${k}`;
      this.counts.userSent++;
      const message = await this.sendReliably(socket, { chat_id: user.chatId, content: `user ${user.index} says ${k}`, client_id: clientId });
      if (message) {
        this.counts.userAcked++;
        this.see(user, user.chatId, message, 'ack');
      }
    }
  }

  /** An agent's network blip in the middle of the load: it reconnects and catches up on every chat. */
  private async dropAgent(loadStart: number): Promise<void> {
    if (this.options.dropEvery <= 0 || !this.agents.length) return;
    const wait = loadStart + this.options.seconds * 500 - performance.now();
    if (wait > 0) await sleep(wait);
    this.blip(this.agents[0].socket);
  }

  /** Closes the transport under a connected socket; Socket.IO reconnects as after a network drop. */
  private blip(socket: LoadSocket): void {
    if (!socket.connected || this.stopping) return;
    this.plannedDrops++;
    this.dropping.add(socket);
    socket.io.engine.close();
  }

  /** Answers a user message once, however many times (live, catch-up) the agent sees it. */
  private maybeReply(agent: AgentClient, socket: LoadSocket, m: SupportMessage): void {
    if (m.sender_type !== 'user' || agent.replied.has(m.id) || !agent.views.has(m.chat_id)) return;
    agent.replied.add(m.id);
    this.counts.agentSent++;
    const payload = { chat_id: m.chat_id, content: `answer to ${m.client_id ?? m.id}`, client_id: `r-${m.id}` };
    this.track(
      this.sendReliably(socket, payload).then((reply) => {
        if (!reply) return;
        this.counts.agentAcked++;
        this.see(agent, m.chat_id, reply, 'ack');
      }),
    );
  }

  /**
   * A send as the widget's outbox makes it: the same client_id on every attempt, resent after
   * an error ack, a timeout or a reconnect, until acknowledged or out of attempts.
   */
  private async sendReliably(socket: LoadSocket, payload: { chat_id: string; content: string; client_id: string }): Promise<SupportMessage | null> {
    if (!this.sentAt.has(payload.client_id)) this.sentAt.set(payload.client_id, performance.now());
    for (let attempt = 0; attempt < SEND_ATTEMPTS && Date.now() < this.deadline && !this.stopping; attempt++) {
      if (attempt > 0) await sleep(Math.min(250 * 2 ** attempt, 4000));
      if (!socket.connected && !(await until(() => socket.connected || this.stopping, 15_000))) {
        this.error('send_while_offline');
        continue;
      }
      let ack: SendAck;
      (this.emitted.has(payload.client_id) ? this.resent : this.emitted).add(payload.client_id);
      try {
        ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('send_message', payload);
      } catch {
        this.error('ack_timeout');
        continue;
      }
      if (ack.ok) {
        this.acked.set(payload.client_id, ack.message);
        return ack.message;
      }
      this.error(`ack:${ack.error}`);
    }
    this.counts.gaveUp++;
    return null;
  }

  private async ackRetrying(event: string, emit: () => Promise<Ack>): Promise<void> {
    for (let attempt = 0; attempt < 5 && !this.stopping; attempt++) {
      try {
        const ack = await emit();
        if (ack.ok) return;
        this.error(`${event}:${ack.error}`);
      } catch {
        this.error(`${event}:timeout`);
      }
      await sleep(500 * (attempt + 1));
    }
    throw new Error(`${event} failed`);
  }

  /**
   * After a reconnect, once the join is acknowledged: what came after `after`, the cursor as it
   * stood before the join (or the latest page, when there was none). Taken before the join, so a
   * broadcast that arrives together with the join's ack cannot move it past what was missed.
   */
  private async catchUp(party: Party, chatId: string, after: string | undefined, base: string, token: string, chatPath: string): Promise<SupportMessage[]> {
    const view = party.views.get(chatId)!;
    let fetched: SupportMessage[] | null;
    if (after) fetched = await this.getJson<SupportMessage[]>(`${base}${chatPath}/messages?after=${after}`, token);
    else fetched = (await this.getJson<{ messages: SupportMessage[] }>(`${base}${chatPath}?limit=200${party.kind === 'agent' ? '&view=false' : ''}`, token))?.messages ?? null;
    if (!fetched) {
      this.error('catch_up_failed');
      return [];
    }
    view.fetches.push({ after: after ?? null, ids: fetched.map((m) => m.id) });
    this.catchUps.requests++;
    for (const m of fetched) if (this.see(party, chatId, m, 'fetch')) this.catchUps.recovered++;
    return fetched;
  }

  /** Records a message a client obtained; true the first time this client has it at all. */
  private see(party: Party, chatId: string, m: SupportMessage, via: 'live' | 'fetch' | 'ack'): boolean {
    const view = party.views.get(chatId);
    if (!view || m.chat_id !== chatId) {
      party.foreign = (party.foreign ?? 0) + 1;
      return false;
    }
    return view.see(m, via);
  }

  private async getJson<T>(url: string, token: string): Promise<T | null> {
    for (let attempt = 0; attempt < 5 && Date.now() < (this.deadline || Infinity); attempt++) {
      if (attempt > 0) await sleep(500 * attempt);
      try {
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
        if (res.ok) return (await res.json()) as T;
        this.error(`http_${res.status}`);
      } catch {
        this.error('http_failed');
      }
    }
    return null;
  }

  /** Until every send and answer has settled and every client holds every acknowledged message of its chats. */
  private async drain(): Promise<void> {
    const end = Math.min(this.deadline, Date.now() + DRAIN_MS);
    await until(() => this.tasks.size === 0, end - Date.now());
    const ackedByChat = new Map<string, string[]>();
    for (const m of this.acked.values()) ackedByChat.set(m.chat_id, [...(ackedByChat.get(m.chat_id) ?? []), m.id]);
    const complete = () =>
      [...this.users, ...this.agents].every((p) => [...p.views].every(([chatId, v]) => (ackedByChat.get(chatId) ?? []).every((id) => v.known.has(id))));
    if (!(await until(complete, Math.max(1000, end - Date.now())))) this.error('drain_incomplete');
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p)).catch(() => undefined);
    return p;
  }

  private error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }
}
