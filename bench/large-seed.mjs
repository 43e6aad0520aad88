// The large history the search and reports benchmarks run on: 100,000 chats and 2,000,000
// messages over the last 180 days, made in SQL (generate_series) so it takes minutes, not hours,
// and kept in a database of its own so a rerun reuses it.
//
//   import { seedLarge, startLargeServer } from './large-seed.mjs';
//   const { server, db, seed } = await startLargeServer();   // server migrated, data seeded once
//   // seed: { chats, messages, agentIds, from, to, words, ... } (see SeedDescription below)
//
// What it makes, so figures can be read against it:
// - users `large-<n>` with names ("Sofia Garcia") and emails ("sofia.garcia<n>@<domain>"), one of
//   50 domains each; one chat per user, started at a random moment of the 180 days;
// - messages drawn into chats at random (about 20 a chat, Poisson), each within a few days of the
//   chat's start: 55% from the user, 40% agent replies, 5% internal notes; replies and notes from
//   one of `agents` seeded agents (role agent, who cannot log in);
// - text from a word list with a Zipf distribution (the word of rank r has a chance in
//   proportion to 1/r), so there are very common words ("order", "account") and rare ones,
//   plus planted sentences: a rare word (`words.rare`, 1 message in 100,000), a phrase
//   (`words.phrase`, 1 in 100) and invoice numbers (1 in 200); 1% of messages are long;
// - 60% of chats older than a day archived an hour after their last message; most assigned.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client } = require('pg');

/** Bumped whenever what the seed makes changes, so an older seeded database is made again. */
export const SEED_VERSION = 1;
export const LARGE_DATABASE = process.env.BENCH_LARGE_DATABASE ?? 'support_chat_bench_large';
const MARKER = 'bench.large_seed';
const PREFIX = 'large-';
const DAYS = 180;

// Most common first: the Zipf draw makes the first few words very common and the tail rare.
// English stop words are in it, as in real text, though search never indexes them.
const WORDS = `the to and a i you is it my for of in on this that with order account can not
have please be help your we payment but thanks just was are app card do email if get now
refund what when there delivery so me how at from will password login ticket team
price know need like update issue invoice any no time subscription one service see plan
working still could after again out want problem error thank let received already did
sent hello check today number code support page back new cancel link phone address shipping
week trying use would day message help been status change tried charge screen customer via
yesterday free option access open hi item pay return all bank receipt product months box
sign through them reset download tomorrow settings profile data website setup button store
missing wrong late coupon discount upgrade downgrade renewal annual monthly trial expired
package tracking courier warehouse parcel damaged replacement exchange size colour color stock
available backorder preorder voucher gift balance credit debit transfer wallet paypal stripe
checkout basket cart total tax vat currency euro dollar pound fee fees charged twice duplicate
notification notifications alert reminder newsletter unsubscribe spam inbox folder attachment
screenshot photo video upload file export import sync backup restore device tablet laptop
android iphone browser chrome firefox safari cookie cache session logout verification sms
authenticator token expire locked blocked suspended closed reopen merge migrate domain
server outage slow crash freeze bug glitch feature request suggestion feedback review rating
complaint manager supervisor escalate callback schedule appointment booking reservation
calendar timezone holiday weekend morning evening urgent asap priority deadline contract
agreement terms policy privacy gdpr consent delete erase personal identity passport licence
address postcode zip city country region language translation spelling typo format template
report dashboard analytics chart graph statistics metric usage quota limit storage bandwidth
integration webhook api key secret permission role admin owner member invite seat license
installer version release patch changelog compatibility requirement architecture database
firmware bluetooth wifi router printer scanner keyboard mouse monitor battery charger cable
adapter warranty guarantee repair technician engineer visit install uninstall reinstall
configure configuration wizard tutorial guide documentation manual faq article knowledge
apologies sorry unfortunately appreciate patience understand frustrating confusing amazing
excellent wonderful terrible awful disappointed satisfied happy quick speedy prompt delayed
overdue outstanding pending processing approved declined rejected refunded cancelled shipped
delivered returned lost stolen fraud dispute chargeback mediation arbitration solicitor
invoicing billing accounting bookkeeping payroll pension mortgage insurance premium claim`
  .split(/\s+/)
  .filter((w) => /^[a-z']+$/.test(w));

const FIRST = 'Sofia Liam Olivia Noah Emma Lucas Mia Ethan Ana Mateo Chloe Hugo Zoe Omar Lea Ivan Nora Yusuf Ines Kai Aiko Ravi Priya Chen Mei Sven Freya Tomas Elif Amara'.split(' ');
const LAST = 'Garcia Smith Muller Rossi Dubois Silva Novak Kowalski Jensen Tanaka Patel Kim Nguyen Okafor Ivanova Haddad Costa Berg Moreau Lopez Schmidt Fischer Romano Santos Ali Chen Sato Mensah Larsen Weber'.split(' ');
const DOMAINS = Array.from({ length: 50 }, (_, i) =>
  ['example.com', 'example.org', 'example.net'][i % 3].replace('example', ['northwind', 'contoso', 'fabrikam', 'initech', 'globex', 'umbrella', 'hooli', 'acme', 'stark', 'wayne'][i % 10] + (i >= 10 ? String(Math.floor(i / 10)) : '')),
);
const AGENT_NAMES = ['Ana Agent', 'Ben Brooks', 'Carla Cruz', 'Dev Dara', 'Eli Evans', 'Fay Fox', 'Gus Gray', 'Hana Hill', 'Ian Ito', 'Jo Jung'];

export const PLANTED = {
  rare: 'quetzal',
  phrase: 'refund request',
  invoice: 'INV-',
};

/**
 * @typedef {object} SeedDescription
 * @property {number} version
 * @property {number} chats
 * @property {number} messages
 * @property {string[]} agentIds   the seeded agents (admins rows, role agent, no usable password)
 * @property {string} from          ISO time: no seeded message or chat is older
 * @property {string} to            ISO time: the moment of seeding; nothing seeded is newer
 * @property {{rare: string, common: string, phrase: string, invoice: string}} words
 * @property {string[]} domains     the users' email domains (each about 1 user in 50)
 * @property {number} seconds       how long seeding took
 */

/**
 * Seeds `client`'s database (already migrated) once; a database already seeded with the same
 * sizes and version is left as it is and its description returned. A partial or different seed
 * is removed first (its users, which takes their chats and messages).
 * @param {import('pg').Client} client
 * @param {{chats?: number, messages?: number, agents?: number, log?: (line: string) => void}} [options]
 * @returns {Promise<SeedDescription>}
 */
export async function seedLarge(client, options = {}) {
  const chats = options.chats ?? 100_000;
  const messages = options.messages ?? 2_000_000;
  const agents = Math.min(options.agents ?? 8, AGENT_NAMES.length);
  const log = options.log ?? ((line) => console.log(line));

  const existing = await describeSeed(client);
  if (existing && existing.version === SEED_VERSION && existing.chats === chats && existing.messages === messages) {
    log(`large seed: reusing ${chats} chats and ${messages} messages seeded at ${existing.to}`);
    return existing;
  }
  const started = Date.now();
  const step = async (label, sql, params = []) => {
    const t = Date.now();
    const res = await client.query(sql, params);
    log(`large seed: ${label} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    return res;
  };

  await step('removing an older seed', `DELETE FROM users WHERE external_id LIKE '${PREFIX}%'`);
  await client.query(`DELETE FROM support_settings WHERE key = $1`, [MARKER]);
  // Same data on every run; a parallel plan would draw in a different order.
  await client.query(`SET max_parallel_workers_per_gather = 0`);
  await client.query(`SELECT setseed(0.15)`);
  const to = new Date((await client.query(`SELECT date_trunc('milliseconds', now()) AS t`)).rows[0].t);
  const from = new Date(to.getTime() - DAYS * 86_400_000);

  const agentIds = [];
  for (let i = 0; i < agents; i++) {
    const email = `${PREFIX}agent-${i + 1}@example.com`;
    const { rows } = await client.query(
      // '!' is no bcrypt hash: these agents exist for the figures and can never log in.
      `INSERT INTO admins (email, password_hash, name, role) VALUES ($1, '!', $2, 'agent')
       ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [email, AGENT_NAMES[i]],
    );
    agentIds.push(rows[0].id);
  }

  await step(
    `${chats} users`,
    `INSERT INTO users (external_id, email, name, created_at, updated_at)
     SELECT '${PREFIX}' || g,
            lower(($2::text[])[1 + g % cardinality($2::text[])] || '.' || ($3::text[])[1 + (g / 7) % cardinality($3::text[])]) || g
              || '@' || ($4::text[])[1 + (g / 3) % cardinality($4::text[])],
            ($2::text[])[1 + g % cardinality($2::text[])] || ' ' || ($3::text[])[1 + (g / 7) % cardinality($3::text[])],
            t, t
     FROM generate_series(1, $1::int) g,
          LATERAL (SELECT $5::timestamptz + random() * ($6::timestamptz - $5::timestamptz - interval '3 days') + 0 * g * interval '1 ms' AS t) s`,
    [chats, FIRST, LAST, DOMAINS, from.toISOString(), to.toISOString()],
  );
  await step(
    `${chats} chats`,
    `INSERT INTO support_chats (user_id, created_at, updated_at)
     SELECT u.id, u.created_at, u.created_at FROM users u WHERE u.external_id LIKE '${PREFIX}%'`,
  );
  await client.query(`DROP TABLE IF EXISTS large_seed_chats`);
  await client.query(
    `CREATE TEMP TABLE large_seed_chats AS
     SELECT (row_number() OVER (ORDER BY c.created_at, c.id))::int AS no, c.id AS chat_id, c.created_at AS started,
            -- How long the conversation goes on: minutes for most, days for some.
            interval '10 minutes' + random() * random() * interval '3 days' AS span
     FROM support_chats c JOIN users u ON u.id = c.user_id WHERE u.external_id LIKE '${PREFIX}%'`,
  );
  await client.query(`ALTER TABLE large_seed_chats ADD PRIMARY KEY (no)`);

  const batch = 250_000;
  for (let first = 1; first <= messages; first += batch) {
    const last = Math.min(messages, first + batch - 1);
    await step(
      `messages ${first}..${last}`,
      `INSERT INTO support_messages (chat_id, content, sender_type, admin_id, sender_name, private, read_at, created_at, updated_at)
       SELECT c.chat_id, d.content,
              CASE WHEN d.who < 0.55 THEN 'user' ELSE 'admin' END,
              CASE WHEN d.who >= 0.55 THEN ($4::uuid[])[1 + floor(d.agent * cardinality($4::uuid[]))::int] END,
              CASE WHEN d.who >= 0.55 THEN ($5::text[])[1 + floor(d.agent * cardinality($4::uuid[]))::int] END,
              d.who >= 0.95,
              LEAST(c.started + d.at * c.span + interval '2 minutes', $6::timestamptz),
              LEAST(c.started + d.at * c.span, $6::timestamptz), LEAST(c.started + d.at * c.span, $6::timestamptz)
       FROM (
         SELECT k, 1 + floor(random() * $3)::int AS no, random() AS who, random() AS agent, random() AS at,
                ${CONTENT_SQL} AS content
         FROM generate_series($1::int, $2::int) k
       ) d
       JOIN large_seed_chats c ON c.no = d.no`,
      [first, last, chats, agentIds, AGENT_NAMES.slice(0, agents), to.toISOString(), WORDS],
    );
  }

  await step(
    'chat counters, archive and assignment',
    `UPDATE support_chats c SET
       message_count = s.n,
       last_message_at = s.last_public,
       admin_viewed_at = s.last_any,
       archived_at = CASE WHEN random() < 0.6 AND s.last_any < $1::timestamptz - interval '1 day'
                          THEN s.last_any + interval '1 hour' END,
       assignee_id = CASE WHEN random() < 0.85 THEN ($2::uuid[])[1 + floor(random() * cardinality($2::uuid[]))::int] END,
       assigned_at = c.created_at + interval '1 minute'
     FROM (
       SELECT m.chat_id, count(*)::int AS n, max(m.created_at) FILTER (WHERE NOT m.private) AS last_public, max(m.created_at) AS last_any
       FROM support_messages m JOIN large_seed_chats l ON l.chat_id = m.chat_id GROUP BY m.chat_id
     ) s
     WHERE c.id = s.chat_id`,
    [to.toISOString(), agentIds],
  );
  await client.query(`DROP TABLE large_seed_chats`);
  await step('vacuum and analyze', `VACUUM (ANALYZE) support_messages, support_chats, users, admins`);

  const description = {
    version: SEED_VERSION,
    chats,
    messages,
    agentIds,
    from: from.toISOString(),
    to: to.toISOString(),
    words: { rare: PLANTED.rare, common: 'order', phrase: PLANTED.phrase, invoice: PLANTED.invoice },
    domains: DOMAINS,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  await client.query(
    `INSERT INTO support_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [MARKER, JSON.stringify(description)],
  );
  log(`large seed: done in ${description.seconds} s`);
  return description;
}

// A message: 3 to 19 Zipf-drawn words (1% of messages 60 to 120), a capital and a full stop,
// and now and then a planted sentence. $7 is the word list; `k` keeps each draw per row.
const CONTENT_SQL = `(
  SELECT upper(left(body, 1)) || substr(body, 2) || '.' ||
         CASE WHEN p < 0.00001 THEN ' Have you ever seen a ${PLANTED.rare}?'
              WHEN p < 0.01 THEN ' I sent a ${PLANTED.phrase} last week.'
              WHEN p < 0.015 THEN ' Invoice ${PLANTED.invoice}' || lpad((k % 1000000)::text, 6, '0') || ' looks wrong.'
              ELSE '' END
  FROM (
    SELECT array_to_string(ARRAY(
             SELECT ($7::text[])[LEAST(cardinality($7::text[]), floor(exp(random() * ln(cardinality($7::text[]) + 1)))::int)]
             FROM generate_series(1, CASE WHEN k % 100 = 0 THEN 60 + k % 61 ELSE 3 + k % 17 END)
           ), ' ') AS body,
           random() AS p
  ) w
)`;

/**
 * The seed's description, or null when the database was never seeded (or is being seeded).
 * @param {import('pg').Client} client
 * @returns {Promise<SeedDescription | null>}
 */
export async function describeSeed(client) {
  const { rows } = await client.query(`SELECT value FROM support_settings WHERE key = $1`, [MARKER]);
  return rows[0]?.value ?? null;
}

/**
 * The built server on the large database (kept between runs; migrated by the server on start),
 * seeded if it is not yet, and a client on it. The caller stops the server and ends the client.
 * @param {{env?: Record<string, string>, chats?: number, messages?: number, log?: (line: string) => void}} [options]
 */
export async function startLargeServer(options = {}) {
  const { startServer } = await import('../scripts/test-server.mjs');
  const server = await startServer({ database: LARGE_DATABASE, env: options.env });
  const db = new Client({ connectionString: server.env.DATABASE_URL });
  await db.connect();
  try {
    const seed = await seedLarge(db, options);
    return { server, db, seed };
  } catch (err) {
    await db.end();
    await server.stop();
    throw err;
  }
}
