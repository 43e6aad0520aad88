/**
 * The catch-up's statements, run in one transaction over the messages and archives stamped in
 * ($1, $2]. Only the message and archive tables are read; the message path is not touched.
 */

/** Whose counts a message goes under when no agent wrote it (the user's side). */
export const NOBODY = '00000000-0000-0000-0000-000000000000';

/** Messages per 15 minutes and agent, and chats' first user messages, added to what is there. */
export const COUNTS_SQL = `
  INSERT INTO support_report_counts AS rc (bucket, agent_id, user_messages, agent_messages, notes, new_chats)
  SELECT date_bin('15 minutes', m.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
         COALESCE(m.admin_id, '${NOBODY}'::uuid),
         count(*) FILTER (WHERE m.sender_type = 'user'),
         count(*) FILTER (WHERE m.sender_type = 'admin' AND NOT m.private),
         count(*) FILTER (WHERE m.private),
         count(*) FILTER (WHERE m.sender_type = 'user' AND NOT EXISTS (
           SELECT 1 FROM support_messages p WHERE p.chat_id = m.chat_id AND p.sender_type = 'user' AND p.created_at < m.created_at))
  FROM support_messages m
  WHERE m.created_at > $1::timestamptz AND m.created_at <= $2::timestamptz
  GROUP BY 1, 2
  ON CONFLICT (bucket, agent_id) DO UPDATE SET
    user_messages = rc.user_messages + EXCLUDED.user_messages,
    agent_messages = rc.agent_messages + EXCLUDED.agent_messages,
    notes = rc.notes + EXCLUDED.notes,
    new_chats = rc.new_chats + EXCLUDED.new_chats`;

/**
 * The batch's events (messages without notes: k 0 user, 1 agent; archives: k 2), each chat's
 * last event before the batch (`fresh` false), and what came just before each (`prev_k`).
 */
export const BATCH_SQL = `
  CREATE TEMP TABLE report_batch ON COMMIT DROP AS
  WITH ev AS (
    SELECT m.chat_id, m.created_at AS at, CASE WHEN m.sender_type = 'user' THEN 0 ELSE 1 END AS k, m.admin_id AS agent, true AS fresh
    FROM support_messages m
    WHERE m.created_at > $1::timestamptz AND m.created_at <= $2::timestamptz AND NOT m.private
    UNION ALL
    SELECT a.chat_id, a.archived_at, 2, a.agent_id, true
    FROM support_chat_archives a
    WHERE a.archived_at > $1::timestamptz AND a.archived_at <= $2::timestamptz
  ), prior AS (
    SELECT c.chat_id, p.at, p.k, NULL::uuid AS agent, false AS fresh
    FROM (SELECT DISTINCT chat_id FROM ev) c
    CROSS JOIN LATERAL (
      SELECT x.at, x.k FROM (
        (SELECT m.created_at AS at, CASE WHEN m.sender_type = 'user' THEN 0 ELSE 1 END AS k FROM support_messages m
         WHERE m.chat_id = c.chat_id AND m.created_at <= $1::timestamptz AND NOT m.private ORDER BY m.created_at DESC LIMIT 1)
        UNION ALL
        (SELECT a.archived_at, 2 FROM support_chat_archives a
         WHERE a.chat_id = c.chat_id AND a.archived_at <= $1::timestamptz ORDER BY a.archived_at DESC LIMIT 1)
      ) x ORDER BY x.at DESC, x.k DESC LIMIT 1
    ) p
    WHERE $1::timestamptz > '-infinity'
  )
  SELECT e.chat_id, e.at, e.k, e.agent, e.fresh, lag(e.k) OVER (PARTITION BY e.chat_id ORDER BY e.at, e.k) AS prev_k
  FROM (SELECT * FROM ev UNION ALL SELECT * FROM prior) e`;

/** A user message after anything but another user message starts a burst. */
export const BURSTS_SQL = `
  INSERT INTO support_report_bursts (chat_id, started_at)
  SELECT chat_id, at FROM report_batch WHERE fresh AND k = 0 AND prev_k IS DISTINCT FROM 0
  ON CONFLICT DO NOTHING`;

/** The same starts counted per 15 minutes, so a report counts bursts without reading them. */
export const BURST_COUNTS_SQL = `
  INSERT INTO support_report_counts AS rc (bucket, agent_id, bursts)
  SELECT date_bin('15 minutes', at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), '${NOBODY}'::uuid, count(*)
  FROM report_batch WHERE fresh AND k = 0 AND prev_k IS DISTINCT FROM 0
  GROUP BY 1
  ON CONFLICT (bucket, agent_id) DO UPDATE SET bursts = rc.bursts + EXCLUDED.bursts`;

/**
 * The event right after a burst ends it: an agent's reply answers it (the wait, to the
 * millisecond, and who), an archive closes it unanswered. Written once; a burst already ended
 * keeps its end.
 */
export const ENDS_SQL = `
  INSERT INTO support_report_ends (chat_id, started_at, ended_at, wait_ms, agent_id)
  SELECT r.chat_id, r.burst, r.at,
         CASE WHEN r.k = 1 THEN (extract(epoch FROM r.at - r.burst) * 1000)::bigint END,
         CASE WHEN r.k = 1 THEN r.agent END
  FROM (
    SELECT t.chat_id, t.at, t.k, t.agent,
           (SELECT max(x.started_at) FROM support_report_bursts x WHERE x.chat_id = t.chat_id AND x.started_at < t.at) AS burst
    FROM report_batch t WHERE t.fresh AND t.k > 0 AND t.prev_k = 0
  ) r
  WHERE r.burst IS NOT NULL
  ON CONFLICT (chat_id, started_at) DO NOTHING`;

export const WATERMARK_KEY = 'reports.processed_until';

export const WATERMARK_SQL = `
  INSERT INTO support_settings (key, value) VALUES ('${WATERMARK_KEY}', to_jsonb($1::timestamptz))
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`;
