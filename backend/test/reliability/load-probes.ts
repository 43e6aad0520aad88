import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerProcess } from '../support/instances';

// What the load run reads of the server process from outside (Linux /proc, /metrics), and small helpers.

/**
 * A thousand sockets need file descriptors on both sides of loopback; fail with a sentence
 * rather than a wall of EMFILE errors.
 */
export function checkFileLimit(clients: number): void {
  let soft = Infinity;
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const value = line?.split(/\s{2,}/)[1];
    if (value && value !== 'unlimited') soft = Number(value);
  } catch {
    return;
  }
  const needed = clients + 500;
  if (soft < needed) throw new Error(`the load test needs ${needed} open files, the limit is ${soft}: raise it with ulimit -n`);
}

/**
 * The server's V8 heap in use (MB) after a full collection: a heap snapshot (SIGUSR2) collects
 * first; the snapshot itself is only waited for and deleted.
 */
export async function heapAfterFullGc(server: ServerProcess, pid: number, dir: string): Promise<number> {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return -1;
  }
  const end = Date.now() + 120_000;
  const snapshots = () => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
  while (!snapshots().length && Date.now() < end) await sleep(250);
  // The snapshot is written while the server's loop is blocked: it answers again once done.
  let heap = -1;
  while (heap <= 0 && Date.now() < end) heap = await metric(server, 'nodejs_heap_size_used_bytes');
  for (const f of snapshots()) rmSync(join(dir, f), { force: true });
  return heap > 0 ? Math.round(heap / 2 ** 20) : -1;
}

/** The commit the server was built from, so a report says what it measured. */
export function serverVersion(root: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'backend/src') ? `${commit} with uncommitted changes to backend/src` : commit;
  } catch {
    return 'unknown';
  }
}

/** The server's resident memory in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

export function cpuSeconds(pid: number): number {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks, counted after the command name's closing ')'.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** One sample of /metrics: 0 when absent, -1 when the server did not answer. */
export async function metric(server: ServerProcess, series: string): Promise<number> {
  return (await metrics(server, [series]))[0];
}

async function metrics(server: ServerProcess, series: string[]): Promise<number[]> {
  try {
    const lines = (await (await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text()).split('\n');
    return series.map((name) => {
      const line = lines.find((l) => l.startsWith(`${name} `));
      return line === undefined ? 0 : Number(line.slice(name.length + 1));
    });
  } catch {
    return series.map(() => -1);
  }
}

/** The status /api/health answers (0: no answer in 15 s). */
export async function healthStatus(server: ServerProcess): Promise<number> {
  try {
    return (await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(15_000) })).status;
  } catch {
    return 0;
  }
}

/** The server's event-loop delay since the last scrape, in ms. */
export async function serverLag(server: ServerProcess): Promise<{ p99: number; max: number }> {
  // One scrape for both: each scrape starts the measurement afresh.
  const [p99, max] = await metrics(server, ['nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds']);
  return { p99: Math.round(Math.max(0, p99) * 1000), max: Math.round(Math.max(0, max) * 1000) };
}

/** The metric once it reads `want`, or its last reading after `ms`. */
export async function settledMetric(server: ServerProcess, series: string, want: number, ms: number): Promise<number> {
  let last = await metric(server, series);
  const end = Date.now() + ms;
  while (last !== want && Date.now() < end) {
    await sleep(250);
    last = await metric(server, series);
  }
  return last;
}

export async function pooled<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(range(Math.min(concurrency, items.length)).map(worker));
}

export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + Math.max(0, ms);
  while (!check()) {
    if (Date.now() >= end) return false;
    await sleep(50);
  }
  return true;
}

export function summary(values: number[]): { count: number; p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]) : 0);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const round = (x: number) => Math.round(x * 10) / 10;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
