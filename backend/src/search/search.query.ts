import type { SenderType } from '../contracts/wire';

/** A hit: a message (with its tokens, to mark the words) or a customer's chat. */
export interface HitRow {
  /** The hit's place in the order; null for a chat without messages (it sorts last). */
  t: Date | null;
  key: string;
  chat_id: string;
  /** Null for a customer match. */
  id: string | null;
  content: string | null;
  sender_type: SenderType | null;
  read_at: Date | null;
  created_at: Date | null;
  client_id: string | null;
  admin_id: string | null;
  sender_name: string | null;
  private: boolean | null;
  /** ts_parse('default', content): each token's type and text. */
  tokids: number[] | null;
  tokens: string[] | null;
  /** Where the query's lexemes stand in the message's tsvector. */
  positions: number[] | null;
}

/**
 * How many of the newest messages (from the cursor) are read in time order before the GIN index
 * is asked instead: a word in one message of 250 fills a page within them.
 */
export const RECENT_WINDOW = 5000;

/**
 * Customers: up to this many matching users are looked up one by one; more, and the chats are
 * read newest first instead (RECENT_WINDOW of them), keeping those whose user matches.
 */
export const MANY_USERS = 500;

/**
 * A user's email or name matches from three characters: trigrams need three, and two letters
 * ("an") are in most names.
 */
export const MIN_FRAGMENT = 3;

// The chat list's own order (its two partial indexes, open and archived chats): a chat without
// messages sorts last.
const CHAT_ORDER = `COALESCE(c.last_message_at, '-infinity'::timestamptz)`;
const userMatch = (pattern: string) => `${pattern}::text IS NOT NULL AND (lower(u.email) LIKE ${pattern} OR lower(u.name) LIKE ${pattern})`;

/** How many customers a page must consider, from the check statement's count. */
export type CustomerMatches = 'none' | 'few' | 'many';

/**
 * The query's check, one statement before the hits: what websearch_to_tsquery makes of $1, and
 * how many users match the LIKE pattern $2, counted up to MANY_USERS + 1 through the trigram
 * indexes.
 */
export const CHECK_SQL = `
  SELECT numnode(tq) AS nodes, querytree(tq) AS tree,
         (SELECT count(*)::int FROM (SELECT 1 FROM users u WHERE ${userMatch('$2')} LIMIT ${MANY_USERS + 1}) x) AS users
  FROM websearch_to_tsquery('english', $1) tq`;

export function customerMatches(users: number): CustomerMatches {
  return users === 0 ? 'none' : users > MANY_USERS ? 'many' : 'few';
}

/**
 * The hits of one page: messages newest first by (time, id), and
 * customers whose email or name matches, each chat by its last message. Every side is cut at the
 * page size before they are merged, so a page reads at most a few times its size however many
 * rows match; the snippet's tokens are parsed only for the page's rows.
 *
 * Each side is found one of two ways, decided by the data rather than by the planner's estimate
 * (a word Postgres has no statistics for looks far more common than it is, and the planner would
 * then walk two million rows to find twenty):
 * - Messages: the newest RECENT_WINDOW messages are read along the time index, keeping those
 *   that match; a common word fills the page there. When it does not, the word is rare enough
 *   for the GIN index: every match, then sorted (`+ interval '0'` keeps the planner off the time
 *   index there).
 * - Customers (`customers`, from the check): up to MANY_USERS matching users, each one's chat is
 *   looked up. A fragment shared by more ("gmail") is read the other way round: the newest
 *   RECENT_WINDOW chats along the list's indexes, keeping those whose user matches; only if they
 *   do not fill the page, every match is joined, in whatever way the planner prefers (there are
 *   hundreds at least, and this seldom runs: a one-by-one lookup planned for tens of thousands
 *   would make the plan look costly enough to be JIT-compiled, milliseconds on every page).
 */
export function hitsQuery(
  q: string,
  rows: number,
  lexemes: string[],
  cursor: { t: string | null; id: string } | null,
  customers: CustomerMatches,
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const tq = `websearch_to_tsquery('english', ${param(q)})`;
  const limit = param(rows);
  const tokens = param(lexemes);
  // A null time: past every chat with messages.
  const at = cursor ? { t: param(cursor.t ?? '-infinity'), id: param(cursor.id) } : null;
  const after = (t: string, id: string) => (at ? `AND (${t}, ${id}) < (${at.t}::timestamptz, ${at.id}::uuid)` : '');
  const pattern = customers === 'none' ? '' : param(likePattern(q));
  const chats = (archived: boolean) => `
        (SELECT ${CHAT_ORDER} AS t, c.id, c.user_id FROM support_chats c
         WHERE c.archived_at IS ${archived ? 'NOT ' : ''}NULL ${after(CHAT_ORDER, 'c.id')}
         ORDER BY ${CHAT_ORDER} DESC, c.id DESC LIMIT ${RECENT_WINDOW})`;
  const customerCtes =
    customers === 'many'
      ? `, recent_chats AS MATERIALIZED (
    SELECT w.t, w.id
    FROM (
      ${chats(false)}
      UNION ALL
      ${chats(true)}
      ORDER BY t DESC, id DESC LIMIT ${RECENT_WINDOW}
    ) w
    JOIN users u ON u.id = w.user_id
    WHERE ${userMatch(pattern)}
    ORDER BY w.t DESC, w.id DESC LIMIT ${limit}
  ), chats_filled AS (
    SELECT count(*) >= ${limit} AS page FROM recent_chats
  )`
      : '';
  const customerHits = {
    none: '',
    few: `
    UNION ALL
    (SELECT c.t, c.id, c.id, false
     FROM users u
     -- The LIMIT keeps this a lookup per matching user: a hash join would read every chat.
     CROSS JOIN LATERAL (SELECT ${CHAT_ORDER} AS t, c.id FROM support_chats c WHERE c.user_id = u.id LIMIT 1) c
     WHERE ${userMatch(pattern)} ${after('c.t', 'c.id')}
     ORDER BY c.t DESC, c.id DESC LIMIT ${limit})`,
    many: `
    UNION ALL
    (SELECT r.t, r.id, r.id, false FROM recent_chats r WHERE (SELECT page FROM chats_filled))
    UNION ALL
    (SELECT ${CHAT_ORDER}, c.id, c.id, false
     FROM users u JOIN support_chats c ON c.user_id = u.id
     WHERE NOT (SELECT page FROM chats_filled) AND ${userMatch(pattern)} ${after(CHAT_ORDER, 'c.id')}
     ORDER BY ${CHAT_ORDER} DESC, c.id DESC LIMIT ${limit})`,
  }[customers];
  const text = `
  WITH recent AS MATERIALIZED (
    SELECT w.created_at, w.id, w.chat_id
    FROM (
      SELECT m.created_at, m.id, m.chat_id, m.search FROM support_messages m
      WHERE true ${after('m.created_at', 'm.id')}
      ORDER BY m.created_at DESC, m.id DESC LIMIT ${RECENT_WINDOW}
    ) w
    WHERE w.search @@ ${tq}
    ORDER BY w.created_at DESC, w.id DESC LIMIT ${limit}
  ), filled AS (
    SELECT count(*) >= ${limit} AS page FROM recent
  )${customerCtes}
  SELECT NULLIF(h.t, '-infinity'::timestamptz) AS t, h.key, h.chat_id, m.id, m.content, m.sender_type, m.read_at,
         m.created_at, m.client_id, m.admin_id, m.sender_name, m.private, p.tokids, p.tokens,
         ARRAY(SELECT unnest(v.positions) FROM unnest(m.search) v WHERE v.lexeme = ANY(${tokens}::text[])) AS positions,
         -- Harmless, but parallel-unsafe, so the statement runs without parallel workers: a
         -- gated-off branch would otherwise start them (milliseconds each) to find it has nothing to do.
         current_schema() AS serial
  FROM (
    (SELECT r.created_at AS t, r.id AS key, r.chat_id, true AS is_message FROM recent r WHERE (SELECT page FROM filled))
    UNION ALL
    (SELECT m.created_at, m.id, m.chat_id, true
     FROM support_messages m
     WHERE NOT (SELECT page FROM filled) AND m.search @@ ${tq} ${after('m.created_at', 'm.id')}
     ORDER BY m.created_at + interval '0' DESC, m.id DESC LIMIT ${limit})${customerHits}
    ORDER BY t DESC, key DESC LIMIT ${limit}
  ) h
  LEFT JOIN support_messages m ON h.is_message AND m.id = h.key
  LEFT JOIN LATERAL (
    SELECT array_agg(t.tokid ORDER BY t.n) AS tokids, array_agg(t.token ORDER BY t.n) AS tokens
    FROM ts_parse('default', m.content) WITH ORDINALITY t(tokid, token, n)
  ) p ON m.id IS NOT NULL
  ORDER BY h.t DESC, h.key DESC`;
  return { text, values };
}

/** The LIKE pattern for customers' email and name: null (no customer matching) under MIN_FRAGMENT. */
export function likePattern(q: string): string | null {
  return q.length >= MIN_FRAGMENT ? `%${likeEscape(q.toLowerCase())}%` : null;
}

/** `q` taken literally inside LIKE: its own %, _ and \ are not wildcards. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
