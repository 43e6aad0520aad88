import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { SupportMessage } from '../../src/contracts/wire';

/** What one client obtained of one chat, and how. */
export class ChatView {
  /** Ids from `new_message`, in arrival order, repeats kept: order and doubles are judged on it. */
  readonly live: string[] = [];
  /** Each catch-up: its `after=` cursor and the answer's ids, as the server ordered them. */
  readonly fetches: { after: string | null; ids: string[] }[] = [];
  /** Everything the client holds: live, caught up, or its own acknowledged sends. */
  readonly known = new Set<string>();
  /**
   * The newest message the server delivered, live or by catch-up: the next catch-up's `after=`.
   * A send's own ack does not move it, since an ack can overtake the broadcast of an earlier
   * message (the broadcast waits for Redis, the ack does not).
   */
  cursor: { id: string; created_at: string } | null = null;

  /** True the first time the client holds this message. */
  see(m: SupportMessage, via: 'live' | 'fetch' | 'ack'): boolean {
    if (via === 'live') this.live.push(m.id);
    const fresh = !this.known.has(m.id);
    this.known.add(m.id);
    const c = this.cursor;
    if (via !== 'ack' && (!c || m.created_at > c.created_at || (m.created_at === c.created_at && m.id > c.id))) {
      this.cursor = { id: m.id, created_at: m.created_at };
    }
    return fresh;
  }
}

export interface Party {
  kind: 'user' | 'agent';
  index: number;
  /** Connections made: 1 means the client never reconnected. */
  connects: number;
  views: Map<string, ChatView>;
  /** Messages that arrived for a chat this client does not belong to. */
  foreign?: number;
}

export interface AgentRoom extends Party {
  room: Map<string, number>;
}

export interface Verification {
  stored: number;
  /**
   * Sends the server was still working through after every client had gone (an overloaded
   * server's backlog): stored, so checked for doubles, but left out of the delivery checks.
   */
  stored_after_close: number;
  /** Acknowledged messages Postgres does not hold under the acknowledged id. */
  acked_missing: number;
  /** Rows beyond the first for one (chat, client_id), or for one (chat, content). */
  stored_twice: number;
  /** Messages of a client's chat it never obtained, live, by catch-up or as its own ack. */
  lost: number;
  /** Messages a client that never reconnected did not receive live (no catch-up could have fixed it). */
  missed_live: number;
  /** The same message delivered live twice to one client, its sender having sent it once. */
  doubled_live: number;
  /**
   * Relayed again because its sender resent it after it was stored (a lost ack): the server
   * relays a resend again, since the first relay may have died with an instance, and clients
   * keep one copy per id. Counted apart from doubles.
   */
  relayed_again: number;
  /** Live deliveries, or catch-up answers, out of the chat's stored order. */
  out_of_order: number;
  /** Messages delivered to a client outside its chats. */
  foreign: number;
  agents_room: { doubled: number; missed_live: number };
  examples: string[];
}

interface Row {
  id: string;
  chat_id: string;
  client_id: string | null;
  content: string;
  sender_type: 'user' | 'admin';
  /** created_at as Postgres holds it, for the examples. */
  at: string;
  /** Stored after every client had closed: nobody could have received it. */
  late: boolean;
}

/** Compares what every client saw with what Postgres holds, in its stored order. */
export async function verify(
  databaseUrl: string,
  parties: Party[],
  acked: Map<string, SupportMessage>,
  agents: AgentRoom[],
  closedAt: Date,
  /** client_ids sent more than once (a retry after an error, a timeout or a reconnect). */
  resent: ReadonlySet<string>,
): Promise<Verification> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let rows: Row[];
  try {
    rows = (
      await db.query<Row>(
        `SELECT id, chat_id, client_id, content, sender_type, created_at::text AS at, created_at > $1 AS late
         FROM support_messages ORDER BY chat_id, created_at, id`,
        [closedAt],
      )
    ).rows;
  } finally {
    await db.end();
  }
  const v: Verification = {
    stored: rows.length,
    stored_after_close: rows.filter((r) => r.late).length,
    acked_missing: 0,
    stored_twice: 0,
    lost: 0,
    missed_live: 0,
    doubled_live: 0,
    relayed_again: 0,
    out_of_order: 0,
    foreign: 0,
    agents_room: { doubled: 0, missed_live: 0 },
    examples: [],
  };
  // A few of each kind, so one common problem does not hide a rarer one.
  const shown = new Map<string, number>();
  const example = (line: string) => {
    const kind = line.slice(0, line.indexOf(':'));
    const n = shown.get(kind) ?? 0;
    shown.set(kind, n + 1);
    if (n < 5) v.examples.push(line);
  };

  const byId = new Map(rows.map((r) => [r.id, r]));
  const show = (r: Row | undefined) => (r ? `${r.sender_type} ${r.id} (${r.at})` : 'unstored');
  const chats = new Map<string, string[]>();
  const rank = new Map<string, number>();
  const keys = new Map<string, number>();
  for (const r of rows) {
    const ids = chats.get(r.chat_id) ?? [];
    rank.set(r.id, ids.length);
    ids.push(r.id);
    chats.set(r.chat_id, ids);
    for (const key of [r.client_id === null ? null : `c:${r.chat_id}:${r.client_id}`, `t:${r.chat_id}:${r.content}`]) {
      if (key === null) continue;
      const n = (keys.get(key) ?? 0) + 1;
      keys.set(key, n);
      if (n > 1) {
        v.stored_twice++;
        example(`stored twice: ${key}`);
      }
    }
  }

  for (const [clientId, m] of acked) {
    const row = byId.get(m.id);
    if (!row || row.chat_id !== m.chat_id || row.client_id !== clientId) {
      v.acked_missing++;
      example(`acknowledged but not stored: ${clientId} -> ${m.id}`);
    }
  }

  for (const p of parties) {
    const who = `${p.kind} ${p.index}`;
    v.foreign += p.foreign ?? 0;
    for (const [chatId, view] of p.views) {
      const stored = chats.get(chatId) ?? [];
      const liveSet = new Set(view.live);
      for (const id of stored) {
        if (byId.get(id)!.late) continue;
        if (!view.known.has(id)) {
          v.lost++;
          const cursors = view.fetches.map((f) => (f.after ? `after ${show(byId.get(f.after))}` : 'a first page')).join(', ');
          example(`lost: ${who} (${p.connects - 1} reconnects; caught up ${cursors || 'never'}) never got ${show(byId.get(id))} of chat ${chatId}`);
        }
        if (p.connects === 1 && !liveSet.has(id)) {
          v.missed_live++;
          example(`missed live: ${who} (never reconnected) did not receive ${id} of chat ${chatId}`);
        }
      }
      const times = new Map<string, number>();
      for (const id of view.live) times.set(id, (times.get(id) ?? 0) + 1);
      for (const [id, n] of times) {
        if (n === 1) continue;
        if (resent.has(byId.get(id)?.client_id ?? '')) {
          v.relayed_again += n - 1;
        } else {
          v.doubled_live += n - 1;
          example(`doubled live: ${who} got ${show(byId.get(id))} of chat ${chatId} ${n} times`);
        }
      }
      const unknown = [...view.known].filter((id) => byId.get(id)?.chat_id !== chatId);
      v.foreign += unknown.length;
      for (const id of unknown) example(`foreign or unstored: ${who} holds ${id} as a message of chat ${chatId}`);
      // A message relayed again is placed by its first arrival.
      for (const [i, sequence] of [[...liveSet], ...view.fetches.map((f) => f.ids)].entries()) {
        const ranks = sequence.map((id) => rank.get(id) ?? -1);
        for (let k = 1; k < ranks.length; k++) {
          if (ranks[k] >= ranks[k - 1]) continue;
          v.out_of_order++;
          const [a, b] = [byId.get(sequence[k - 1]), byId.get(sequence[k])];
          example(`out of order (${i === 0 ? 'live' : 'catch-up'}): ${who} got ${show(a)} before ${show(b)}`);
        }
      }
    }
  }

  const userMessages = rows.filter((r) => r.sender_type === 'user' && !r.late).map((r) => r.id);
  for (const a of agents) {
    for (const [id, n] of a.room) {
      if (n > 1) {
        v.agents_room.doubled += n - 1;
        example(`agents' room doubled: agent ${a.index} got new_user_message ${id} ${n} times`);
      }
    }
    if (a.connects !== 1) continue;
    for (const id of userMessages) {
      if (!a.room.has(id)) {
        v.agents_room.missed_live++;
        example(`agents' room missed: agent ${a.index} never got new_user_message ${id}`);
      }
    }
  }
  return v;
}

interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadReport {
  variant: string;
  finished_at: string;
  machine: { cpus: number; node: string };
  server_version: string;
  setup: {
    users: number;
    polling_users: number;
    agents: number;
    agent_accounts: number;
    messages_per_user: number;
    seconds: number;
  };
  /** Wall time of each phase, in seconds: the load phase runs over its planned length when sends wait. */
  phases_s: Record<string, number>;
  messages: { userSent: number; userAcked: number; agentSent: number; agentAcked: number; gaveUp: number; stored: number };
  relay_ms: { user_to_agent: Latency; agent_to_user: Latency };
  errors: Record<string, number>;
  reconnects: {
    users: number;
    agents: number;
    clients_reconnected: number;
    planned_drops: number;
    catch_up_requests: number;
    recovered_by_catch_up: number;
  };
  server: {
    alive: boolean;
    /** What /api/health answered after the load (0: nothing within 15 s); reported, not asserted: its checks have a 1 s timeout. */
    health_status_after_load: number;
    event_loop_lag_ms: { p99_max: number; max: number };
    rss_mb: { before: number; peak: number; after_load: number; after_close: number };
    heap_used_mb: { at_start: number; after_close_and_gc: number };
    cpu_seconds: number;
    user_sockets_at_peak: number;
    user_sockets_after_close: number;
  };
  client_event_loop_p99_ms: number;
  verification: Verification;
}

export function toMarkdown(r: LoadReport): string {
  const v = r.verification;
  const m = r.messages;
  const errors = Object.entries(r.errors);
  const latency = (name: string, l: Latency) => `| ${name} | ${l.count} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} |`;
  return [
    `# Load test: ${r.setup.users} users, ${r.setup.agents} agents, ${r.setup.seconds} s`,
    '',
    `Variant \`${r.variant}\` against the server at ${r.server_version}, finished ${r.finished_at} on ${r.machine.cpus} cores (shared), Node ${r.machine.node}. ` +
      `One server process with the default pool (\`DB_POOL_SIZE\` 10); the clients run in one process beside it.`,
    '',
    '## Outcome',
    '',
    '| check | count |',
    '|---|---|',
    `| acknowledged but not stored | ${v.acked_missing} |`,
    `| stored twice | ${v.stored_twice} |`,
    `| lost (a client never got a message of its chat) | ${v.lost} |`,
    `| missed live by a client that never reconnected | ${v.missed_live} |`,
    `| delivered twice | ${v.doubled_live} |`,
    `| relayed again after its sender resent it (clients keep one copy) | ${v.relayed_again} |`,
    `| out of order | ${v.out_of_order} |`,
    `| delivered outside the client's chats | ${v.foreign} |`,
    `| agents' room: doubled / missed | ${v.agents_room.doubled} / ${v.agents_room.missed_live} |`,
    `| sends given up unacknowledged | ${m.gaveUp} |`,
    `| stored only after every client had gone (left out of the delivery checks) | ${v.stored_after_close} |`,
    '',
    '## Traffic',
    '',
    `- ${r.setup.users} users (${r.setup.polling_users} on HTTP long-polling, the rest on WebSocket), each in their own chat, ` +
      `${r.setup.messages_per_user} messages each; ${r.setup.agents} agents (${r.setup.agent_accounts === r.setup.agents ? 'each with an account of their own' : 'sharing one account'}), ` +
      `each watching a tenth of the chats and the agents' room and answering every user message.`,
    `- Sent / acknowledged: users ${m.userSent} / ${m.userAcked}, agents ${m.agentSent} / ${m.agentAcked}; stored in Postgres: ${m.stored}.`,
    `- Time (s): ${Object.entries(r.phases_s).map(([k, t]) => `${k} ${t}`).join(', ')}.`,
    `- Reconnects: users ${r.reconnects.users}, agents ${r.reconnects.agents} (${r.reconnects.clients_reconnected} clients), ` +
      `of which ${r.reconnects.planned_drops} after a connection the test dropped on purpose; ` +
      `${r.reconnects.catch_up_requests} catch-up requests brought ${r.reconnects.recovered_by_catch_up} messages the clients had missed.`,
    `- Errors: ${errors.length ? errors.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}.`,
    '',
    '## Relay (ms, from the send to the other side receiving `new_message`; includes the store)',
    '',
    '| direction | messages | p50 | p90 | p99 | max |',
    '|---|---|---|---|---|---|',
    latency('user → agent', r.relay_ms.user_to_agent),
    latency('agent → user', r.relay_ms.agent_to_user),
    '',
    `The load generator's event loop lagged up to ${r.client_event_loop_p99_ms} ms (p99), which these figures include.`,
    '',
    '## Server',
    '',
    `- Resident memory (MB): ${r.server.rss_mb.before} before, ${r.server.rss_mb.peak} at peak, ${r.server.rss_mb.after_load} after the load, ` +
      `${r.server.rss_mb.after_close} once every client had gone; V8 heap in use ${r.server.heap_used_mb.at_start} MB at start, ` +
      `${r.server.heap_used_mb.after_close_and_gc} MB at the end after a full collection (forced by a heap snapshot, taken last).`,
    `- CPU: ${r.server.cpu_seconds} s; user sockets ${r.server.user_sockets_at_peak} at peak, ${r.server.user_sockets_after_close} after close; ` +
      `process alive at the end: ${r.server.alive ? 'yes' : 'no'}, \`/api/health\` after the load: ${r.server.health_status_after_load || 'no answer'}.`,
    `- Event-loop delay, worst 5-second window: p99 ${r.server.event_loop_lag_ms.p99_max} ms, max ${r.server.event_loop_lag_ms.max} ms.`,
    ...(v.examples.length ? ['', '## First problems', '', ...v.examples.map((e) => `- ${e}`)] : []),
    '',
  ].join('\n');
}

/** `results/<name>.json` and `.md` beside this file. */
export function writeReport(r: LoadReport, name: string): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const markdown = toMarkdown(r);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(r, null, 2) + '\n');
  writeFileSync(join(dir, `${name}.md`), markdown);
  return markdown;
}
