// Other users' relay during a flood: the hostile-floods test's flood cases (over WebSocket and
// over long-polling) run several times (a server in its own process; 10,000 sends at once from
// one socket in a process of its own;
// other users' messages timed to the agent before and during the flood, one every 25 ms across
// its whole length). Reports each round and, per transport, the median p95 ratio against the 2×
// target, and
// writes bench/results/flood-latest.md. Loopback only; a fixed number of rounds.
//
//   node bench/flood.bench.mjs [--rounds=N]     (npm run bench:flood builds the backend first)
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
const TARGET_RATIO = 2;
const root = new URL('..', import.meta.url).pathname;
const loadAtStart = loadavg()[0];

const dir = mkdtempSync(join(tmpdir(), 'flood-bench-'));
const report = join(dir, 'rounds.jsonl');
try {
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round} of ${ROUNDS}`);
    execFileSync(
      'npx',
      ['jest', '--runInBand', '--selectProjects', 'e2e', '--testPathPatterns', 'hostile-floods', '-t', 'rate-limits'],
      { cwd: root, env: { ...process.env, FLOOD_REPORT: report }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const rounds = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const transports = [...new Set(rounds.map((r) => r.transport))];
  if (rounds.length !== ROUNDS * transports.length) throw new Error(`expected ${ROUNDS} rounds per transport, got ${rounds.length} in all`);
  const ratio = (r) => r.flood.p95 / r.calm.p95;
  const medians = transports.map((t) => {
    const ratios = rounds.filter((r) => r.transport === t).map(ratio).sort((a, b) => a - b);
    return { transport: t, median: ratios[Math.floor(ratios.length / 2)] };
  });

  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  const ms = (v) => `${v.toFixed(1)} ms`;
  const lines = [
    '# Flood benchmark',
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${cpus().length} cores, ${cpus()[0]?.model ?? ''} · Node ${process.version} · commit ${commit} · load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`,
    '',
    'One socket, over WebSocket or over long-polling, emits 10,000 `send_message` at once from a process of its own (at the lowest CPU priority, as an attacker\'s own machine would be); its allowance is 30. Other users send one message every 25 ms, each timed from the emit to the agent hearing it: 100 before the flood ("calm") and as many as fit while any flood message is unanswered. Event-loop delay is the server\'s own (`/metrics`, which includes the 10 ms timer resolution).',
    '',
    '| round | flooder on | calm p50 | calm p95 | flood samples | flood p50 | flood p95 | p95 ratio | loop delay p99 calm / flood | loop delay max calm / flood | admitted | refused |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rounds.map(
      (r, i) =>
        `| ${Math.floor(i / transports.length) + 1} | ${r.transport} | ${ms(r.calm.p50)} | ${ms(r.calm.p95)} | ${r.flood.samples} | ${ms(r.flood.p50)} | ${ms(r.flood.p95)} | ${ratio(r).toFixed(2)}× | ${ms(r.calm.lagP99)} / ${ms(r.flood.lagP99)} | ${ms(r.calm.lagMax)} / ${ms(r.flood.lagMax)} | ${r.admitted} | ${r.refused} |`,
    ),
    '',
    '| target | status | measured |',
    '|---|---|---|',
    ...medians.map(
      (m) =>
        `| other users' relay p95 during a flood over ${m.transport} ≤ ${TARGET_RATIO}× calm (median of ${ROUNDS} rounds) | **${m.median <= TARGET_RATIO ? 'met' : 'missed'}** | ${m.median.toFixed(2)}× |`,
    ),
    '',
  ];
  writeFileSync(join(root, 'bench', 'results', 'flood-latest.md'), lines.join('\n'));
  console.log(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
