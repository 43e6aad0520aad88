// The agents' chat list must stay fast as chats pile up: the same requests are timed on 1,000
// chats (the baseline) and then on 100,000 in the same database, and the ratio is what counts.
// Loopback only; a fixed number of requests.
import { createRequire } from 'node:module';
import { startServer } from '../scripts/test-server.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

const SMALL = Number(process.env.BENCH_SMALL ?? 1_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const RUNS = 40;
const MAX_RATIO = Number(process.env.BENCH_MAX_RATIO ?? 3);

const server = await startServer({ env: { MESSAGE_RATE_LIMIT: '100000' } });
const db = new Client({ connectionString: server.env.DATABASE_URL });
await db.connect();
try {
  const token = await server.adminToken();
  await seed(0, SMALL);
  const small = await measure(token);
  await seed(SMALL, LARGE);
  const large = await measure(token);

  console.log(`chat list, median of ${RUNS} requests (limit 50):`);
  const rows = [];
  for (const key of Object.keys(small)) {
    const ratio = large[key] / small[key];
    rows.push(ratio);
    console.log(`  ${key.padEnd(18)} ${fmt(small[key])} at ${SMALL} chats, ${fmt(large[key])} at ${LARGE}: x${ratio.toFixed(2)}`);
  }
  const worst = Math.max(...rows);
  console.log(`worst ratio x${worst.toFixed(2)} (budget x${MAX_RATIO})`);
  if (worst > MAX_RATIO) process.exitCode = 1;
} finally {
  await db.end();
  await server.stop();
}

/** Users, chats and three messages each, made in SQL so 100,000 chats take seconds. */
async function seed(from, to) {
  await db.query(
    `INSERT INTO users (external_id, email, name)
     SELECT 'bench-' || g, 'bench' || g || '@example.com', 'Bench ' || g FROM generate_series($1::int, $2::int - 1) g`,
    [from, to],
  );
  await db.query(
    `INSERT INTO support_chats (user_id, last_message_at, message_count, admin_viewed_at, assignee_id)
     SELECT u.id, now() - (g || ' seconds')::interval, 3,
            CASE WHEN g % 3 = 0 THEN NULL ELSE now() END,
            -- A third of the chats are the agent's own ("Mine"), a third unassigned.
            CASE WHEN g % 3 = 1 THEN (SELECT id FROM admins ORDER BY created_at LIMIT 1) END
     FROM generate_series($1::int, $2::int - 1) g JOIN users u ON u.external_id = 'bench-' || g`,
    [from, to],
  );
  await db.query(
    `INSERT INTO support_messages (chat_id, content, sender_type, created_at)
     SELECT c.id, 'message ' || k || ' of a long-running conversation about an order', CASE WHEN k = 2 THEN 'admin' ELSE 'user' END,
            c.last_message_at - ((3 - k) || ' milliseconds')::interval
     FROM support_chats c JOIN users u ON u.id = c.user_id
     CROSS JOIN generate_series(1, 3) k
     WHERE u.external_id LIKE 'bench-%' AND NOT EXISTS (SELECT 1 FROM support_messages m WHERE m.chat_id = c.id)`,
  );
  // A tenth of the chats carry a common label, a thousandth a rare one: the label filter is
  // timed on both, since Postgres serves them from different sides.
  await db.query(`INSERT INTO support_labels (name, color) VALUES ('Billing', '#1f7aec'), ('Legal', '#aa0000') ON CONFLICT DO NOTHING`);
  await db.query(
    `INSERT INTO support_chat_labels (chat_id, label_id, label_key)
     SELECT c.id, l.id, lower(l.name)
     FROM generate_series($1::int, $2::int - 1) g
     JOIN users u ON u.external_id = 'bench-' || g
     JOIN support_chats c ON c.user_id = u.id
     JOIN support_labels l ON (l.name = 'Billing' AND g % 10 = 0) OR (l.name = 'Legal' AND g % 1000 = 7)
     ON CONFLICT DO NOTHING`,
    [from, to],
  );
  await db.query('ANALYZE');
}

async function measure(token) {
  const page = (query) => async () => {
    const res = await fetch(`${server.url}/api/admin/chats?${query}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`list answered ${res.status}`);
    await res.json();
  };
  // A cursor in the middle of the list: what an agent reaches by scrolling.
  const { rows } = await db.query(
    `SELECT last_message_at, id FROM support_chats WHERE archived_at IS NULL
     ORDER BY COALESCE(last_message_at, '-infinity') DESC, id DESC OFFSET $1 LIMIT 1`,
    [Math.floor((await count()) / 2)],
  );
  const cursor = Buffer.from(JSON.stringify({ t: rows[0].last_message_at.toISOString(), id: rows[0].id })).toString('base64url');
  return {
    'first page': await median(page('limit=50')),
    'middle page': await median(page(`limit=50&cursor=${cursor}`)),
    'archived tab': await median(page('archived=true&limit=50')),
    mine: await median(page('assignee=me&limit=50')),
    unassigned: await median(page('assignee=none&limit=50')),
    'label (1 in 10)': await median(page('label=billing&limit=50')),
    'label (1 in 1000)': await median(page('label=legal&limit=50')),
  };
}

async function count() {
  return Number((await db.query('SELECT count(*) FROM support_chats')).rows[0].count);
}

async function median(fn) {
  for (let i = 0; i < 5; i++) await fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function fmt(ms) {
  return `${ms.toFixed(2)} ms`.padStart(9);
}
