import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  EndUser,
  TestServer,
  accessibilityViolations,
  addAgent,
  api,
  logIn,
  newPage,
  openAdminPage,
  useServerAndBrowser,
} from './harness';

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);
const PG = process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432';

/** Sets chats' last message (and creation) `days` back, as if they had been quiet that long. */
async function backdate(server: TestServer, chatIds: string[], days: number): Promise<void> {
  const client = new pg.Client({ connectionString: `${PG}/${server.database}` });
  await client.connect();
  try {
    await client.query(
      `UPDATE support_chats SET last_message_at = now() - make_interval(days => $2),
         created_at = now() - make_interval(days => $2 + 1) WHERE id = ANY($1::uuid[])`,
      [chatIds, days],
    );
  } finally {
    await client.end();
  }
}

describe('API keys and retention in the console', () => {
  const { server, browser } = useServerAndBrowser({ env: { RETENTION_DAYS: '30' } });

  it('creates a key shown once, sees it used against the server API, revokes it, and shows the retention dry run', async () => {
    // Three archived chats, two quiet past the 30-day policy; an open old one is never deleted.
    const customers = ['old.one', 'old.two', 'recent', 'open.old'].map(
      (n) => new EndUser(server(), `${n}@example.com`, n),
    );
    const chatIds: string[] = [];
    for (const c of customers) {
      await c.send(`Hello from ${c.email}`);
      chatIds.push(c.chatId!);
    }
    for (const id of chatIds.slice(0, 3)) {
      expect(
        (await api(server(), `/api/admin/chats/${id}/archive`, { method: 'POST' })).status,
      ).toBe(200);
    }
    await backdate(server(), [chatIds[0], chatIds[1], chatIds[3]], 45);

    const { context, page, errors } = await newPage(browser());
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server().url });
    await logIn(page, server());
    await openAdminPage(page, 'api-keys');

    await expect
      .poll(() => page.locator('.would-delete').textContent())
      .toContain('2 archived chats');
    expect(await page.locator('.next-run').textContent()).toContain('3:00 AM UTC');
    expect(await page.locator('.last-run').textContent()).toContain('Not yet');

    await page.fill('input[name=name]', 'CRM sync');
    await page.locator('input[name=scope-write]').check();
    await page.locator('button[type=submit]', { hasText: 'Create key' }).click();
    const secret = page.locator('input[name=new-key]');
    await secret.waitFor();
    const key = await secret.inputValue();
    expect(key).toMatch(/^sck_[A-Za-z0-9_-]{43}$/);
    await page.locator('.new-key .copy').click();
    await page.locator('.new-key .copy', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    const row = page.locator('tr[data-key-id]', {
      has: page.locator('.key-name', { hasText: 'CRM sync' }),
    });
    expect((await row.locator('.key-id').textContent())?.trim()).toBe(`sck_…${key.slice(-4)}`);
    expect(await row.locator('.scope').allTextContents()).toEqual(['read', 'write']);
    expect((await row.locator('.last-used').textContent())?.trim()).toBe('Never');

    // The host's backend uses the key.
    const customer = customers[3];
    const sub = decodeSub(customer.token);
    const read = await fetch(`${server().url}/api/server/users/${sub}/chat`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { messages: { content: string }[] }).messages[0].content).toBe(
      'Hello from open.old@example.com',
    );
    const socket = await customer.connect();
    const posted = await fetch(`${server().url}/api/server/users/${sub}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Your order shipped', sender_name: 'Shop bot' }),
    });
    expect(posted.status).toBe(201);
    expect((await socket.waitFor((m) => m.content === 'Your order shipped')).sender_name).toBe(
      'Shop bot',
    );
    socket.close();

    await expect
      .poll(async () => {
        await page.locator('button.refresh').click();
        return (await row.locator('.last-used').textContent())?.trim();
      })
      .toBe('just now');
    expect(await accessibilityViolations(page)).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The page scrolls inside the shell, so a taller window is what shows the retention panel too.
    await page.setViewportSize({ width: 1280, height: 1120 });
    await page.locator('.retention .last-run').scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('console-api-keys.png', SCREENSHOTS).pathname });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Shown once: gone when dismissed, and nowhere after a reload.
    await page.locator('.new-key .dismiss').click();
    await secret.waitFor({ state: 'detached' });
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key.slice(4));

    await row.locator('button', { hasText: 'Revoke' }).click();
    await row.locator('.danger-button').click();
    await page
      .locator('tr[data-revoked="true"]', {
        has: page.locator('.key-name', { hasText: 'CRM sync' }),
      })
      .waitFor();
    await page.locator('[role=status]', { hasText: 'revoked' }).waitFor();
    const refused = await fetch(`${server().url}/api/server/users/${sub}/chat`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(refused.status).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is for admins only: an agent has no link and is sent back to the chats', async () => {
    const agent = await addAgent(server(), 'Ana Keys');
    const { context, page } = await newPage(browser());
    await logIn(page, server(), agent);
    expect(await page.locator('a.api-keys-link').count()).toBe(0);
    await page.goto(`${server().url}/admin/api-keys`);
    await page.waitForURL(/\/admin\/chats$/);
    await context.close();
  });
});

/** The `sub` a user token carries. */
function decodeSub(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string })
    .sub;
}
