import { NOBODY } from './rollup.sql';

/**
 * The report's statements, over the report tables (see report-rollup.ts) and the archives and
 * ratings. Parameters: $1 first day, $2 last day (dates, in the zone), $3 an agent's id or null,
 * $4 the time zone. The range is [first day 00:00, the day after the last day 00:00) there.
 */
const FROM = `(($1::date)::timestamp AT TIME ZONE $4::text)`;
const TO = `((($2::date) + 1)::timestamp AT TIME ZONE $4::text)`;
const AGENT = (column: string) => `($3::uuid IS NULL OR ${column} = $3::uuid)`;

/** Messages and new chats by day of the week and hour, in the zone (buckets are 15 minutes). */
export const MESSAGES_SQL = `
  SELECT extract(isodow FROM c.bucket AT TIME ZONE $4::text)::int AS dow,
         extract(hour FROM c.bucket AT TIME ZONE $4::text)::int AS hour,
         sum(c.user_messages)::int AS users,
         COALESCE(sum(c.agent_messages) FILTER (WHERE c.agent_id <> '${NOBODY}' AND ${AGENT('c.agent_id')}), 0)::int AS agents,
         COALESCE(sum(c.notes) FILTER (WHERE c.agent_id <> '${NOBODY}' AND ${AGENT('c.agent_id')}), 0)::int AS notes,
         sum(c.new_chats)::int AS new_chats
  FROM support_report_counts c
  WHERE c.bucket >= ${FROM} AND c.bucket < ${TO}
  GROUP BY 1, 2`;

/**
 * Bursts that started in the range: how many, how many an agent (or this one) answered and how
 * many an archive closed unanswered, and the waits' median and p90 (one sort for both).
 */
export const FIRST_RESPONSE_SQL = `
  SELECT count(*)::int AS bursts,
         count(b.replied_at)::int AS answered_all,
         count(*) FILTER (WHERE b.closed_at IS NOT NULL)::int AS closed,
         count(b.replied_at) FILTER (WHERE ${AGENT('b.agent_id')})::int AS answered,
         percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY extract(epoch FROM b.replied_at - b.started_at)::float8)
           FILTER (WHERE b.replied_at IS NOT NULL AND ${AGENT('b.agent_id')}) AS waits
  FROM support_report_bursts b
  WHERE b.started_at >= ${FROM} AND b.started_at < ${TO}`;

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
