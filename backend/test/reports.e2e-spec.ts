import { Client } from 'pg';
import type { SupportChat, SupportReport } from '../src/contracts/wire';
import { ReportRollup } from '../src/reports/report-rollup';
import { addAgent } from './support/agents';
import { PG, startTestApp, type TestApp } from './support/test-app';

/**
 * A week of conversations written straight into the tables with chosen times (UTC), so every
 * figure can be worked out by hand. Range: Monday 2026-03-02 to Sunday 2026-03-08.
 *
 * chat 1 (new, Mon): U 09:00, U 09:01, Ana 09:05 (300 s from the burst's first message), U 09:10,
 *   Ben 09:10:30 (30 s), Ana's note 09:11, archived 09:20 assigned to Ana (1200 s), rated 5.
 * chat 2 (new, Tue): U 14:00, Ana 14:02 (120 s), U 14:10 "thanks" (a burst the archive closes: neither
 *   answered nor waiting), archived 14:30 assigned to Ben (1800 s), rated 3;
 *   reopened by U Wed 10:00, Ben 10:10 (600 s), archived 11:00 (3600 s from the reopening), rated 4.
 * chat 3 (new, Thu): U 16:00, never answered.
 * chat 4 (made 2026-02-20, talked then): U Fri 20:00, Ana 20:15 (900 s).
 * chat 5 (new, Sun): U 23:59, Ben Mon 2026-03-09 00:04 (300 s: the reply may come after the range).
 * chat 6 (made 2026-02-25): U Sun 2026-03-01 23:00, Ana Mon 00:10 (the burst began before the range).
 */
type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

describe('reports (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let ana: { id: string; token: string };
  let ben: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.adminToken();
    ana = await addAgent(t, admin, 'Ana');
    ben = await addAgent(t, admin, 'Ben');
    const chats: string[] = [];
    for (let i = 0; i < 6; i++) chats.push((await t.http<SupportChat>('/api/support_chat', { token: t.userToken() })).body.id);
    const pg = new Client({ connectionString: `${PG}/${t.database}` });
    await pg.connect();
    try {
      const created = ['2026-03-02T08:00Z', '2026-03-03T13:00Z', '2026-03-05T15:00Z', '2026-02-20T09:00Z', '2026-03-08T23:00Z', '2026-02-25T09:00Z'];
      for (const [i, at] of created.entries()) await pg.query(`UPDATE support_chats SET created_at = $2 WHERE id = $1`, [chats[i], at]);
      const msg = (chat: number, at: string, who: 'user' | { id: string }, priv = false) =>
        pg.query(
          `INSERT INTO support_messages (chat_id, content, sender_type, admin_id, private, created_at, updated_at)
           VALUES ($1, 'x', $2, $3, $4, $5, $5)`,
          [chats[chat - 1], who === 'user' ? 'user' : 'admin', who === 'user' ? null : who.id, priv, at],
        );
      const archive = (chat: number, at: string, assignee: { id: string }) =>
        pg.query(`UPDATE support_chats SET archived_at = $2, assignee_id = $3 WHERE id = $1`, [chats[chat - 1], at, assignee.id]);
      const rate = (chat: number, archivedAt: string, score: number, at: string) =>
        pg.query(`INSERT INTO support_chat_ratings (chat_id, archived_at, score, created_at) VALUES ($1, $2, $3, $4)`, [chats[chat - 1], archivedAt, score, at]);

      await msg(1, '2026-03-02T09:00:00Z', 'user');
      await msg(1, '2026-03-02T09:01:00Z', 'user');
      await msg(1, '2026-03-02T09:05:00Z', ana);
      await msg(1, '2026-03-02T09:10:00Z', 'user');
      await msg(1, '2026-03-02T09:10:30Z', ben);
      await msg(1, '2026-03-02T09:11:00Z', ana, true);
      await archive(1, '2026-03-02T09:20:00Z', ana);
      await rate(1, '2026-03-02T09:20:00Z', 5, '2026-03-02T09:25:00Z');

      await msg(2, '2026-03-03T14:00:00Z', 'user');
      await msg(2, '2026-03-03T14:02:00Z', ana);
      await msg(2, '2026-03-03T14:10:00Z', 'user');
      await archive(2, '2026-03-03T14:30:00Z', ben);
      await rate(2, '2026-03-03T14:30:00Z', 3, '2026-03-03T14:40:00Z');
      await msg(2, '2026-03-04T10:00:00Z', 'user');
      // What a user's message does to an archived chat: unarchive it and move its last message.
      await pg.query(`UPDATE support_chats SET archived_at = NULL, last_message_at = '2026-03-04T10:00:00Z' WHERE id = $1`, [chats[1]]);
      await msg(2, '2026-03-04T10:10:00Z', ben);
      await archive(2, '2026-03-04T11:00:00Z', ben);
      await rate(2, '2026-03-04T11:00:00Z', 4, '2026-03-04T11:05:00Z');

      await msg(3, '2026-03-05T16:00:00Z', 'user');

      await msg(4, '2026-02-20T10:00:00Z', 'user');
      await msg(4, '2026-02-20T10:01:00Z', ana);
      await msg(4, '2026-03-06T20:00:00Z', 'user');
      await msg(4, '2026-03-06T20:15:00Z', ana);

      await msg(5, '2026-03-08T23:59:00Z', 'user');
      await msg(5, '2026-03-09T00:04:00Z', ben);

      await msg(6, '2026-03-01T23:00:00Z', 'user');
      await msg(6, '2026-03-02T00:10:00Z', ana);
    } finally {
      await pg.end();
    }
    // The history was written behind the catch-up's back: recount it, as an import would.
    const rebuilt = await t.http('/api/admin/reports/rebuild', { method: 'POST', token: admin });
    expect(rebuilt.status).toBe(200);
  });
  afterAll(() => t.close());

  const get = (query: string, token = admin) => t.http(`/api/admin/reports?${query}`, { token });
  const WEEK = 'from=2026-03-02&to=2026-03-08';

  /** Every statement this process sends to Postgres while `work` runs. */
  async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      await work();
      return spy.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text));
    } finally {
      spy.mockRestore();
    }
  }

  const hours = (cells: [day: number, hour: number, n: number][]) => {
    const grid = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (const [d, h, n] of cells) grid[d][h] = n;
    return grid;
  };

  it('computes the week for the team, in three statements', async () => {
    let res!: Awaited<ReturnType<typeof get>>;
    const statements = await statementsDuring(async () => (res = await get(WEEK)));
    expect(res.status).toBe(200);
    // Three reads; the first responses' in a transaction that gives its sort memory.
    expect(statements.filter((s) => /FROM support_/.test(s))).toHaveLength(3);
    expect(statements.map((s) => s.trim().split(/\s/)[0])).toEqual(expect.arrayContaining(['START', 'SET', 'COMMIT']));
    expect(statements).toHaveLength(6);
    expect(res.body as SupportReport).toEqual({
      from: '2026-03-02',
      to: '2026-03-08',
      tz: 'UTC',
      agent_id: null,
      // New: chats 1, 2, 3, 5 (made in the range, with a user message); reopened: chat 2 on Wed.
      conversations: { started: 5, new: 4, reopened: 1 },
      // User: 3 + 3 + 1 + 1 + 1 (chat 6's is Sunday before). Agents: 2 + 2 + 1 + 1 (chat 6's Monday
      // reply; chat 5's is after the range). One note.
      messages: { by_user: 9, by_agent: 6, notes: 1 },
      // Bursts starting in the range: chat 1 ×2, chat 2 ×3, chats 3, 4, 5 = 8; answered 6, chat 2's
      // "thanks" closed by the archive, chat 3's unanswered.
      // Waits sorted: 30, 120, 300, 300, 600, 900. Median at position 0.5 × 5 = 2.5: (300 + 300) / 2 = 300.
      // p90 at 0.9 × 5 = 4.5: 600 + 0.5 × (900 − 600) = 750.
      first_response: { bursts: 8, answered: 6, unanswered: 1, median_seconds: 300, p90_seconds: 750 },
      // 1200, 1800, 3600: median 1800; p90 at 0.9 × 2 = 1.8: 1800 + 0.8 × (3600 − 1800) = 3240.
      resolution: { resolved: 3, median_seconds: 1800, p90_seconds: 3240 },
      // 5, 3, 4: average 4.
      ratings: { count: 3, average: 4, distribution: [0, 0, 1, 1, 1] },
      busiest_hours: hours([[0, 9, 3], [1, 14, 2], [2, 10, 1], [3, 16, 1], [4, 20, 1], [6, 23, 1]]),
    });
  });

  it("narrows to one agent's replies, resolutions and ratings", async () => {
    const a = (await get(`${WEEK}&agent=${ana.id}`)).body as SupportReport;
    expect(a.agent_id).toBe(ana.id);
    expect(a.messages).toEqual({ by_user: 9, by_agent: 4, notes: 1 });
    // Ana's replies: 300, 120, 900 → sorted 120, 300, 900: median 300; p90 at 1.8: 300 + 0.8 × 600 = 780.
    expect(a.first_response).toEqual({ bursts: 8, answered: 3, unanswered: 1, median_seconds: 300, p90_seconds: 780 });
    expect(a.resolution).toEqual({ resolved: 1, median_seconds: 1200, p90_seconds: 1200 });
    expect(a.ratings).toEqual({ count: 1, average: 5, distribution: [0, 0, 0, 0, 1] });

    const b = (await get(`${WEEK}&agent=${ben.id.toUpperCase()}`)).body as SupportReport;
    expect(b.messages).toEqual({ by_user: 9, by_agent: 2, notes: 0 });
    // Ben: 30, 600, 300 → 30, 300, 600: median 300; p90 at 1.8: 300 + 0.8 × 300 = 540.
    expect(b.first_response).toEqual({ bursts: 8, answered: 3, unanswered: 1, median_seconds: 300, p90_seconds: 540 });
    // 1800 and 3600: median 2700; p90 at 0.9: 1800 + 0.9 × 1800 = 3420.
    expect(b.resolution).toEqual({ resolved: 2, median_seconds: 2700, p90_seconds: 3420 });
    expect(b.ratings).toEqual({ count: 2, average: 3.5, distribution: [0, 0, 1, 1, 0] });

    const nobody = (await get(`${WEEK}&agent=00000000-0000-4000-8000-000000000000`)).body as SupportReport;
    expect(nobody.first_response).toMatchObject({ answered: 0, median_seconds: null, p90_seconds: null });
    expect(nobody.ratings).toEqual({ count: 0, average: null, distribution: [0, 0, 0, 0, 0] });
  });

  it('counts days and hours in the time zone asked for', async () => {
    // Paris is UTC+1 in March: the week runs from Sunday 23:00 UTC to the next Sunday 23:00 UTC,
    // which takes chat 6's first message in and chat 5's out.
    const r = (await get(`${WEEK}&tz=Europe/Paris`)).body as SupportReport;
    expect(r.tz).toBe('Europe/Paris');
    expect(r.messages.by_user).toBe(9);
    expect(r.busiest_hours).toEqual(hours([[0, 0, 1], [0, 10, 3], [1, 15, 2], [2, 11, 1], [3, 17, 1], [4, 21, 1]]));
  });

  it('answers the same numbers as CSV', async () => {
    const json = (await get(`${WEEK}&agent=${ben.id}`)).body as SupportReport;
    const res = await t.http(`/api/admin/reports.csv?${WEEK}&agent=${ben.id}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.text.startsWith('metric,value\r\n')).toBe(true);
    const csv = new Map(res.text.trim().split('\r\n').slice(1).map((line) => line.split(',') as [string, string]));
    const expected: Record<string, unknown> = {
      from: json.from, to: json.to, tz: json.tz, agent_id: json.agent_id,
      conversations_started: json.conversations.started, conversations_new: json.conversations.new,
      conversations_reopened: json.conversations.reopened,
      messages_by_user: json.messages.by_user, messages_by_agent: json.messages.by_agent, notes: json.messages.notes,
      first_response_bursts: json.first_response.bursts, first_response_answered: json.first_response.answered,
      first_response_unanswered: json.first_response.unanswered,
      first_response_median_seconds: json.first_response.median_seconds, first_response_p90_seconds: json.first_response.p90_seconds,
      resolved: json.resolution.resolved, resolution_median_seconds: json.resolution.median_seconds,
      resolution_p90_seconds: json.resolution.p90_seconds,
      ratings_count: json.ratings.count, ratings_average: json.ratings.average,
    };
    json.ratings.distribution.forEach((n, i) => (expected[`ratings_${i + 1}`] = n));
    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    json.busiest_hours.forEach((row, d) => row.forEach((n, h) => (expected[`user_messages_${days[d]}_${String(h).padStart(2, '0')}`] = n)));
    expect(Object.fromEntries(csv)).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, String(v)])));
    expect(csv.get('first_response_p90_seconds')).toBe('540');
  });

  it('refuses bad ranges with 400 and the reason, and non-admins with 403', async () => {
    const cases: [string, string | RegExp][] = [
      ['from=2026-03-08&to=2026-03-02', 'to is before from'],
      ['from=2025-01-01&to=2026-01-02', 'the range is 367 days; at most 366 (one year)'],
      ['from=2026-02-30&to=2026-03-02', 'from is not a date: 2026-02-30'],
      ['from=yesterday&to=2026-03-02', /from must be a date as YYYY-MM-DD/],
      [`${WEEK}&tz=Mars/Olympus`, 'tz "Mars/Olympus" is not a known time zone'],
      [`${WEEK}&tz=%27;DROP`, /tz must be an IANA time zone/],
      [`${WEEK}&agent=ana`, /agent must be an agent id/],
      [`${WEEK}&extra=1`, /property extra should not exist/],
    ];
    for (const [query, reason] of cases) {
      for (const path of ['/api/admin/reports', '/api/admin/reports.csv']) {
        const res = await t.http<ErrorBody>(`${path}?${query}`, { token: admin });
        expect({ query, path, status: res.status }).toEqual({ query, path, status: 400 });
        if (typeof reason === 'string') expect([res.body.message].flat()).toContain(reason);
        else expect(JSON.stringify(res.body.message)).toMatch(reason);
        expect(res.text).not.toMatch(/stack|QueryFailed|SELECT/);
      }
    }
    expect((await get('from=2025-01-01&to=2025-12-31')).status).toBe(200);
    expect((await get(WEEK, ana.token)).status).toBe(403);
    expect((await t.http('/api/admin/reports/rebuild', { method: 'POST', token: ana.token })).status).toBe(403);
    expect((await get(WEEK, t.userToken())).status).toBe(403);
  });

  it('keeps counting in rounds: a burst begun in one round is answered in the next, as a recount finds', async () => {
    const rollup = t.app.get(ReportRollup);
    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const pg = new Client({ connectionString: `${PG}/${t.database}` });
    await pg.connect();
    try {
      const watermark = async () =>
        new Date((await pg.query(`SELECT value #>> '{}' AS v FROM support_settings WHERE key = 'reports.processed_until'`)).rows[0].v as string);
      const insert = (at: Date, who: 'user' | 'admin') =>
        pg.query(
          `INSERT INTO support_messages (chat_id, content, sender_type, admin_id, created_at, updated_at) VALUES ($1, 'x', $2, $3, $4, $4)`,
          [chatId, who, who === 'user' ? null : ana.id, at],
        );
      // Each message just after the last round's end, so the next round takes it.
      const asked = new Date((await watermark()).getTime() + 1);
      await insert(asked, 'user');
      expect(await rollup.catchUp()).toBe(true);
      const answered = new Date((await watermark()).getTime() + 1);
      await insert(answered, 'admin');
      expect(await rollup.catchUp()).toBe(true);

      const bursts = async () =>
        (
          await pg.query(
            `SELECT b.started_at, e.ended_at, e.wait_ms, e.agent_id FROM support_report_bursts b
             LEFT JOIN support_report_ends e USING (chat_id, started_at) WHERE b.chat_id = $1`,
            [chatId],
          )
        ).rows;
      expect(await bursts()).toEqual([
        { started_at: asked, ended_at: answered, wait_ms: String(answered.getTime() - asked.getTime()), agent_id: ana.id },
      ]);

      const snapshot = async () => ({
        counts: (await pg.query(`SELECT * FROM support_report_counts ORDER BY bucket, agent_id`)).rows,
        bursts: (await pg.query(`SELECT * FROM support_report_bursts ORDER BY chat_id, started_at`)).rows,
        ends: (await pg.query(`SELECT * FROM support_report_ends ORDER BY chat_id, started_at`)).rows,
      });
      const rounds = await snapshot();
      expect(rounds.counts.length).toBeGreaterThan(0);
      await rollup.rebuild();
      expect(await snapshot()).toEqual(rounds);
    } finally {
      await pg.end();
    }
  });

  it('brings the tables up to date before a report when the last round is over 30 s old', async () => {
    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const around = `from=${day(-1)}&to=${day(1)}`;
    const users = async () => ((await get(around)).body as SupportReport).messages.by_user;
    const before = await users();
    const pg = new Client({ connectionString: `${PG}/${t.database}` });
    await pg.connect();
    try {
      const { rows } = await pg.query(`SELECT value #>> '{}' AS v FROM support_settings WHERE key = 'reports.processed_until'`);
      await pg.query(
        `INSERT INTO support_messages (chat_id, content, sender_type, created_at, updated_at) VALUES ($1, 'x', 'user', $2, $2)`,
        [chatId, new Date(new Date(rows[0].v as string).getTime() + 1)],
      );
    } finally {
      await pg.end();
    }
    // Counted a moment ago: the report reads the tables as they are.
    expect(await users()).toBe(before);
    const now = Date.now();
    const later = jest.spyOn(Date, 'now').mockReturnValue(now + 31_000);
    try {
      let res!: Awaited<ReturnType<typeof get>>;
      const statements = await statementsDuring(async () => (res = await get(around)));
      expect((res.body as SupportReport).messages.by_user).toBe(before + 1);
      expect(statements.length).toBeGreaterThan(3);
    } finally {
      later.mockRestore();
    }
  });

  it('defaults to the last 30 days, today included', async () => {
    const r = (await get('')).body as SupportReport;
    const today = new Date().toISOString().slice(0, 10);
    expect(r.to).toBe(today);
    expect((Date.parse(r.to) - Date.parse(r.from)) / 86_400_000).toBe(29);
  });
});
