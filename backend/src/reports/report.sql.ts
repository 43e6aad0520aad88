/**
 * The report's statements. Parameters: $1 first day, $2 last day (dates, in the zone), $3 an
 * agent's id or null, $4 the time zone. The range is [first day 00:00, the day after the last
 * day 00:00) in that zone.
 */
const FROM = `(($1::date)::timestamp AT TIME ZONE $4::text)`;
const TO = `((($2::date) + 1)::timestamp AT TIME ZONE $4::text)`;
/** How far before and after the range a burst's history and its reply are looked for. */
export const MARGIN_DAYS = 7;
const MARGIN = `interval '${MARGIN_DAYS} days'`;
const AGENT = (column: string) => `($3::uuid IS NULL OR ${column} = $3::uuid)`;

/** Messages in the range by sender, note or not, the agent's or not, day of the week and hour. */
export const MESSAGES_SQL = `
  SELECT m.sender_type AS sender, m.private, COALESCE(m.admin_id = $3::uuid, false) AS mine,
         extract(isodow FROM m.created_at AT TIME ZONE $4::text)::int AS dow,
         extract(hour FROM m.created_at AT TIME ZONE $4::text)::int AS hour,
         count(*)::int AS n
  FROM support_messages m
  WHERE m.created_at >= ${FROM} AND m.created_at < ${TO}
  GROUP BY 1, 2, 3, 4, 5`;

/**
 * First responses. A burst is the user's messages since the last agent reply (or archive); it
 * starts at its first message and is answered by the agent message right after it. The events
 * (messages without notes, and archives) of the range and a margin either side are ordered per
 * chat once: the first window marks each event's predecessor, the second carries the time the
 * current burst started. Only bursts that start in the range count; one that an archive closed
 * before any reply (a "thanks" after the answer) is neither answered nor left waiting.
 */
export const FIRST_RESPONSE_SQL = `
  WITH ev AS (
    SELECT m.chat_id, m.created_at AS at, CASE WHEN m.sender_type = 'user' THEN 0 ELSE 1 END AS k, m.admin_id AS agent
    FROM support_messages m
    WHERE m.created_at >= ${FROM} - ${MARGIN} AND m.created_at < ${TO} + ${MARGIN} AND NOT m.private
    UNION ALL
    SELECT a.chat_id, a.archived_at, 2, a.agent_id
    FROM support_chat_archives a
    WHERE a.archived_at >= ${FROM} - ${MARGIN} AND a.archived_at < ${TO} + ${MARGIN}
  ), marked AS (
    SELECT chat_id, at, k, agent, lag(k) OVER (PARTITION BY chat_id ORDER BY at, k) AS prev_k
    FROM ev
  ), timed AS (
    SELECT at, k, agent, prev_k,
           max(at) FILTER (WHERE k = 0 AND prev_k IS DISTINCT FROM 0)
             OVER (PARTITION BY chat_id ORDER BY at, k ROWS UNBOUNDED PRECEDING) AS burst_at
    FROM marked
  ), replies AS (
    SELECT *, extract(epoch FROM at - burst_at)::float8 AS wait,
           k = 1 AND prev_k = 0 AND burst_at >= ${FROM} AND burst_at < ${TO} AS reply
    FROM timed
  )
  SELECT count(*) FILTER (WHERE k = 0 AND prev_k IS DISTINCT FROM 0 AND at >= ${FROM} AND at < ${TO})::int AS bursts,
         count(*) FILTER (WHERE reply)::int AS answered_all,
         count(*) FILTER (WHERE k = 2 AND prev_k = 0 AND burst_at >= ${FROM} AND burst_at < ${TO})::int AS closed,
         count(*) FILTER (WHERE reply AND ${AGENT('agent')})::int AS answered,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY wait) FILTER (WHERE reply AND ${AGENT('agent')}) AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY wait) FILTER (WHERE reply AND ${AGENT('agent')}) AS p90
  FROM replies`;

/** New and reopened conversations, resolutions and ratings: one indexed range each. */
export const SUMMARY_SQL = `
  SELECT
    (SELECT count(*) FROM support_chats c
      WHERE c.created_at >= ${FROM} AND c.created_at < ${TO}
        AND EXISTS (SELECT 1 FROM support_messages m WHERE m.chat_id = c.id AND m.sender_type = 'user'))::int AS new_chats,
    (SELECT count(*) FROM support_chat_archives a WHERE a.reopened_at >= ${FROM} AND a.reopened_at < ${TO})::int AS reopened,
    res.*, rat.*
  FROM (
    SELECT count(*)::int AS resolved,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.archived_at - a.opened_at)::float8) AS resolution_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.archived_at - a.opened_at)::float8) AS resolution_p90
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
