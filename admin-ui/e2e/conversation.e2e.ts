import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  Account,
  EndUser,
  TestServer,
  accessibilityViolations,
  addAgent,
  api,
  cardFor,
  launchBrowser,
  logIn,
  newPage,
  startServer,
  tokenFor,
} from './harness';

interface Console {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

describe('the conversation’s tools in Chromium against the real server', () => {
  let server: TestServer;
  let browser: Browser;
  const open: Console[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterEach(async () => {
    for (const c of open.splice(0)) await c.context.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function consoleFor(account?: Account): Promise<Console> {
    const c = await newPage(browser);
    open.push(c);
    await logIn(c.page, server, account);
    return c;
  }

  async function openChat(page: Page, chatId: string): Promise<void> {
    await cardFor(page, chatId).click();
    await page.waitForURL(new RegExp(`/admin/chats/${chatId}$`));
    await page.locator('.assign-trigger').waitFor();
  }

  const systemLine = (page: Page, text: string) => page.locator('.system-line', { hasText: text });

  it('assigns from the menu by keyboard; each change is a line, live in a second console', async () => {
    const ben = await addAgent(server, 'Ben Ortiz');
    const customer = new EndUser(server, 'assign@example.com', 'Ivy');
    const chatId = await customer.openChat();
    await customer.send('Who can help me?');

    const admin = await consoleFor();
    const benConsole = await consoleFor(ben);
    await openChat(admin.page, chatId);
    await openChat(benConsole.page, chatId);

    // Assign to me, by keyboard: a opens the menu, Enter picks its first item.
    await admin.page.locator('.messages').click();
    await admin.page.keyboard.press('a');
    await admin.page.locator('[role=menu]').waitFor();
    await admin.page.locator('[role=menuitem]', { hasText: 'Ben Ortiz' }).waitFor();
    expect(await accessibilityViolations(admin.page)).toEqual([]);
    expect(await admin.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      'Assign to me',
    );
    await admin.page.keyboard.press('Enter');
    await systemLine(admin.page, 'You took this').waitFor();
    await admin.page.locator('.assign-trigger', { hasText: 'Assigned to you' }).waitFor();
    await systemLine(benConsole.page, 'admin took this').waitFor();
    await benConsole.page.locator('.assign-trigger', { hasText: 'Assigned to admin' }).waitFor();

    // Hand it to Ben: his console reads it from his side.
    await admin.page.locator('.assign-trigger').click();
    await admin.page.locator('[role=menuitem]', { hasText: 'Assign to Ben Ortiz' }).click();
    await systemLine(admin.page, 'You assigned this to Ben Ortiz').waitFor();
    await systemLine(benConsole.page, 'admin assigned this to you').waitFor();
    await benConsole.page.locator('.assign-trigger', { hasText: 'Assigned to you' }).waitFor();

    // Ben lets it go; the admin sees it live.
    await benConsole.page.locator('.assign-trigger').click();
    await benConsole.page.locator('[role=menuitem]', { hasText: 'Unassign' }).click();
    await systemLine(benConsole.page, 'You let this go').waitFor();
    await systemLine(admin.page, 'Ben Ortiz let this go').waitFor();
    await admin.page.locator('.assign-trigger', { hasText: 'Unassigned' }).waitFor();

    // Lines and messages in time order, and after a reload too (from the chat's history).
    await customer.send('Still there?');
    await api(server, `/api/admin/chats/${chatId}/messages`, {
      method: 'POST',
      token: await tokenFor(server, ben),
      body: { content: 'Ben here, yes.' },
    });
    await admin.page.locator('[data-sender="admin"]', { hasText: 'Ben here' }).waitFor();
    const order = async (page: Page) =>
      (
        await page.locator('.log > .system-line span, .log > article .bubble').allTextContents()
      ).map((t) => t.trim());
    const expected = [
      'Who can help me?',
      'You took this',
      'You assigned this to Ben Ortiz',
      'Ben Ortiz let this go',
      'Still there?',
      'Ben here, yes.',
    ];
    expect(await order(admin.page)).toEqual(expected);
    // Another agent's name on their message.
    expect(
      await admin.page
        .locator('[data-sender="admin"]', { hasText: 'Ben here' })
        .locator('.sender')
        .textContent(),
    ).toBe('Ben Ortiz');
    await admin.page.reload();
    await systemLine(admin.page, 'Ben Ortiz let this go').waitFor();
    expect(await order(admin.page)).toEqual(expected);
    expect([...admin.errors, ...benConsole.errors]).toEqual([]);
  });
});
