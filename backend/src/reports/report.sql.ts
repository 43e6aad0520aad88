import { NOBODY } from './rollup.sql';

/**
 * The report's statements, over the report tables (see report-rollup.ts) and the archives and
 * ratings. Parameters: $1 first day, $2 last day (dates, in the zone), $3 an agent's id or null,
 * $4 the time zone. The range is [first day 00:00, the day after the last day 00:00) there.
 */
const FROM = `(($1::date)::timestamp AT TIME ZONE $4::text)`;
const TO = `((($2::date) + 1)::timestamp AT TIME ZONE $4::text)`;
const AGENT = (column: string) => `($3::uuid IS NULL OR ${column} = $3::uuid)`;

/** Messages, new chats and bursts by day of the week and hour, in the zone (buckets are 15 minutes). */
export const MESSAGES_SQL = `
  SELECT extract(isodow FROM c.bucket AT TIME ZONE $4::text)::int AS dow,
         extract(hour FROM c.bucket AT TIME ZONE $4::text)::int AS hour,
         sum(c.user_messages)::int AS users,
         COALESCE(sum(c.agent_messages) FILTER (WHERE c.agent_id <> '${NOBODY}' AND ${AGENT('c.agent_id')}), 0)::int AS agents,
         COALESCE(sum(c.notes) FILTER (WHERE c.agent_id <> '${NOBODY}' AND ${AGENT('c.agent_id')}), 0)::int AS notes,
         sum(c.new_chats)::int AS new_chats,
         sum(c.bursts)::int AS bursts
  FROM support_report_counts c
  WHERE c.bucket >= ${FROM} AND c.bucket < ${TO}
  GROUP BY 1, 2`;

/**
 * The ends of bursts that started in the range: how many an agent (or this one) answered and how
 * many an archive closed unanswered, and the waits' median and p90 in milliseconds (one sort),
 * from one index-only range.
 */
export const FIRST_RESPONSE_SQL = `
  SELECT count(e.wait_ms)::int AS answered_all,
         count(*) FILTER (WHERE e.wait_ms IS NULL)::int AS closed,
         count(e.wait_ms) FILTER (WHERE ${AGENT('e.agent_id')})::int AS answered,
         percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY e.wait_ms)
           FILTER (WHERE e.wait_ms IS NOT NULL AND ${AGENT('e.agent_id')}) AS waits
  FROM support_report_ends e
  WHERE e.started_at >= ${FROM} AND e.started_at < ${TO}`;

/**
 * The first responses' sort holds a quarter of a million waits for 90 days at the benchmark's
 * size (6 MB): in memory rather than spilled to disk at the default 4 MB.
 */
export const FIRST_RESPONSE_WORK_MEM = `SET LOCAL work_mem = '32MB'`;

/** Reopened conversations, resolutions and ratings: one indexed range each. */
export const SUMMARY_SQL = `
  SELECT
    (SELECT count(*) FROM support_chat_archives a WHERE a.reopened_at >= ${FROM} AND a.reopened_at < ${TO})::int AS reopened,
    res.*, rat.*
  FROM (
    SELECT count(*)::int AS resolved,
           percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY extract(epoch FROM a.archived_at - a.opened_at)::float8) AS resolutions
    FROM support_chat_archives a
    WHERE a.archived_at >= ${FROM} AND a.archived_at < ${TO} AND a.opened_at IS NOT NULL AND ${AGENT('a.agent_id')}
  ) res, (
    SELECT count(*)::int AS rated, avg(r.score)::float8 AS average,
           ARRAY[count(*) FILTER (WHERE r.score = 1), count(*) FILTER (WHERE r.score = 2), count(*) FILTER (WHERE r.score = 3),
                 count(*) FILTER (WHERE r.score = 4), count(*) FILTER (WHERE r.score = 5)]::int[] AS distribution
    FROM support_chat_ratings r
    LEFT JOIN support_chat_archives a ON a.chat_id = r.chat_id AND a.archived_at = r.archived_at
    WHERE r.created_at >= ${FROM} AND r.created_at < ${TO} AND ${AGENT('a.agent_id')}
  ) rat`;
