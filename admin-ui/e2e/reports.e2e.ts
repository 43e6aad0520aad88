import { mkdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  EndUser,
  TestServer,
  accessibilityViolations,
  api,
  logIn,
  newPage,
  useServerAndBrowser,
} from './harness';

// README screenshot: the Reports page with its figures and charts.
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

const PG = process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432';

interface Report {
  messages: { by_user: number; by_agent: number };
  ratings: { count: number; average: number | null; distribution: number[] };
}

/**
 * Three weeks of past conversations written straight into the database (the real send path
 * stamps messages "now"), so the charts have a shape: weekday office hours busier, answers
 * within minutes, mostly good ratings. Deterministic.
 */
async function seedHistory(server: TestServer, users: EndUser[]): Promise<void> {
  const client = new pg.Client({ connectionString: `${PG}/${server.database}` });
  await client.connect();
  try {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const agent = (await client.query<{ id: string }>(`SELECT id FROM admins LIMIT 1`)).rows[0].id;
    for (const [i, user] of users.entries()) {
      const chatId = await user.openChat();
      const day = new Date(Date.now() - (2 + (i % 20)) * 86_400_000);
      const weekend = day.getDay() === 0 || day.getDay() === 6;
      day.setHours(weekend ? 11 : 8 + Math.floor(rand() * 10), Math.floor(rand() * 60), 0, 0);
      const at = (minutes: number) => new Date(day.getTime() + minutes * 60_000);
      const wait = 1 + Math.floor(rand() * 25);
      await client.query(
        `INSERT INTO support_messages (chat_id, content, sender_type, admin_id, created_at, updated_at)
         VALUES ($1, 'Hello', 'user', NULL, $2, $2), ($1, 'Hi!', 'admin', $3, $4, $4), ($1, 'Thanks', 'user', NULL, $5, $5)`,
        [chatId, at(0), agent, at(wait), at(wait + 2)],
      );
      const archived = at(wait + 10 + Math.floor(rand() * 60));
      await client.query(
        `UPDATE support_chats SET archived_at = $2, created_at = $3 WHERE id = $1`,
        [chatId, archived, at(0)],
      );
      const score = [5, 5, 4, 5, 3, 4, 2, 5, 4, 1][i % 10];
      await client.query(
        `INSERT INTO support_chat_ratings (chat_id, archived_at, score, created_at) VALUES ($1, $2, $3, $4)`,
        [chatId, archived, score, at(wait + 90)],
      );
    }
  } finally {
    await client.end();
  }
}

describe('reports and ratings in Chromium against the real server', () => {
  const { server, browser } = useServerAndBrowser();

  /** A customer who writes, gets an answer, is archived and rates the conversation. */
  async function ratedConversation(score: number, comment?: string): Promise<EndUser> {
    const user = new EndUser(
      server(),
      `rater${Math.random().toString(36).slice(2, 8)}@example.com`,
    );
    await user.send('Hello, I need help with my invoice');
    await api(server(), `/api/admin/chats/${user.chatId}/messages`, {
      method: 'POST',
      body: { content: 'Sure, sending it now' },
    });
    await api(server(), `/api/admin/chats/${user.chatId}/archive`, { method: 'POST' });
    const rated = await api(server(), '/api/support_chat/rating', {
      method: 'POST',
      token: user.token,
      body: comment ? { score, comment } : { score },
    });
    expect(rated.status).toBe(201);
    return user;
  }

  it('shows a rating in the conversation, from history and live', async () => {
    const { page, context, errors } = await newPage(browser());
    try {
      const user = await ratedConversation(4, 'Quick <b>and</b> kind');
      await logIn(page, server());
      await page.goto(`${server().url}/admin/chats/${user.chatId}`);
      const line = page.locator('[data-kind="rating"][data-score="4"]');
      await line.waitFor();
      expect(await line.locator('span').textContent()).toBe('Rated 4/5: Quick <b>and</b> kind');

      // Live: the customer writes again (reopening), is archived again and rates again.
      await user.send('One more question');
      await api(server(), `/api/admin/chats/${user.chatId}/archive`, { method: 'POST' });
      const again = await api(server(), '/api/support_chat/rating', {
        method: 'POST',
        token: user.token,
        body: { score: 2 },
      });
      expect(again.status).toBe(201);
      const live = page.locator('[data-kind="rating"][data-score="2"]');
      await live.waitFor();
      expect(await live.locator('span').textContent()).toBe('Rated 2/5');
      expect(await page.locator('[data-kind="rating"]').count()).toBe(2);
      // In time order among the messages: the first rating before the message that reopened it.
      const order = await page
        .locator('.log article[data-sender], .log [data-kind="rating"]')
        .evaluateAll((nodes) =>
          nodes.map((n) =>
            n.getAttribute('data-kind') === 'rating'
              ? `rating ${n.getAttribute('data-score')}`
              : (n.getAttribute('data-sender') ?? ''),
          ),
        );
      expect(order).toEqual(['user', 'admin', 'rating 4', 'user', 'rating 2']);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('draws the figures and charts, offers the numbers as tables, and downloads the CSV', async () => {
    for (const [score, comment] of [
      [5, 'Great'],
      [5, undefined],
      [3, 'Slow'],
      [1, 'No answer'],
    ] as const) {
      await ratedConversation(score, comment);
    }
    await seedHistory(
      server(),
      Array.from({ length: 40 }, (_, i) => new EndUser(server(), `past${i}@example.com`)),
    );
    // History written behind the report tables' back is counted by a recount, as after an import.
    expect((await api(server(), '/api/admin/reports/rebuild', { method: 'POST' })).status).toBe(
      200,
    );
    const { page, context, errors } = await newPage(browser());
    await page.setViewportSize({ width: 1280, height: 1000 });
    try {
      await logIn(page, server());
      await page.getByRole('link', { name: 'Reports' }).click();
      await page.waitForURL(/\/admin\/reports$/);
      const tile = (name: string) => page.locator(`[data-figure="${name}"] .value`);
      await tile('rating').waitFor();

      const today = new Date();
      const iso = (d: Date) =>
        `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      const from = iso(new Date(today.getTime() - 29 * 86_400_000));
      expect(await page.locator('input[name=from]').inputValue()).toBe(from);
      expect(await page.locator('input[name=to]').inputValue()).toBe(iso(today));
      const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
      const report = (
        await api<Report>(
          server(),
          `/api/admin/reports?from=${from}&to=${iso(today)}&tz=${encodeURIComponent(tz)}`,
        )
      ).body;
      expect(report.ratings.count).toBe(46);
      expect(await tile('rating').textContent()).toContain(`${report.ratings.average} / 5`);
      expect(await tile('messages').textContent()).toContain(
        String(report.messages.by_user + report.messages.by_agent),
      );

      // Each chart is painted (pixels on its canvas) and named with its numbers.
      for (const name of ['hours', 'days', 'ratings']) {
        const canvas = page.locator(`canvas[data-chart="${name}"]`);
        await expect
          .poll(() =>
            canvas.evaluate((c: HTMLCanvasElement) => {
              const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
              let painted = 0;
              for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
              return painted;
            }),
          )
          .toBeGreaterThan(500);
      }
      const [one, two, three, four, five] = report.ratings.distribution;
      expect(await page.locator('canvas[data-chart="ratings"]').getAttribute('aria-label')).toBe(
        `Ratings: 1 Very bad ${one}, 2 Bad ${two}, 3 Okay ${three}, 4 Good ${four}, 5 Very good ${five}`,
      );
      await page.locator('summary', { hasText: 'Show the numbers' }).last().click();
      const rows = page.locator('figure').last().locator('tbody tr');
      expect(await rows.allTextContents()).toEqual([
        `1 Very bad${one}`,
        `2 Bad${two}`,
        `3 Okay${three}`,
        `4 Good${four}`,
        `5 Very good${five}`,
      ]);
      expect(await accessibilityViolations(page)).toEqual([]);

      await page.locator('app-reports').evaluate((el) => el.scrollTo(0, 0));
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: new URL('console-reports.png', SCREENSHOTS).pathname });

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download CSV' }).click();
      const file = await (await download).path();
      const csv = readFileSync(file, 'utf8');
      expect(csv.startsWith('metric,value\r\n')).toBe(true);
      expect(csv).toContain(`\r\nratings_count,46\r\n`);
      expect(csv).toContain(`\r\nratings_5,${five}\r\n`);
      expect(csv).toContain(`\r\nratings_average,${report.ratings.average}\r\n`);

      // One agent: the picker narrows the figures to theirs, and the page says what stays the team's.
      const adminId = (await api<{ id: string }>(server(), '/api/admin/me')).body.id;
      await page.locator('select[name=agent]').selectOption(adminId);
      await page.getByRole('button', { name: 'Show' }).click();
      await page.getByText('the rest is this agent').waitFor();
      const mine = (
        await api<Report>(
          server(),
          `/api/admin/reports?from=${from}&to=${iso(today)}&tz=${encodeURIComponent(tz)}&agent=${adminId}`,
        )
      ).body;
      await expect
        .poll(() => tile('messages').textContent())
        .toContain(String(mine.messages.by_user + mine.messages.by_agent));
      // The seeded history's archives were nobody's; the six rated here were archived by the admin.
      expect(mine.ratings.count).toBe(6);
      await expect
        .poll(() => page.locator('[data-figure="rating"] .detail').textContent())
        .toBe('6 ratings');
      expect(await tile('rating').textContent()).toContain(`${mine.ratings.average} / 5`);
      expect(csv).toContain(`\r\nmessages_by_user,${report.messages.by_user}\r\n`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
