import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { EndUser, cardFor, logIn, newPage, useServerAndBrowser } from './harness';

// Volume and outages, on a server of their own so the other file's lists stay small.
describe('long lists, long chats and outages', () => {
  // One user writes sixty messages in a row for the history test.
  const { server, browser } = useServerAndBrowser({ env: { MESSAGE_RATE_LIMIT: '1000' } });
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  afterAll(async () => {
    await context?.close();
  });

  async function freshPage(viewport?: { width: number; height: number }): Promise<void> {
    await context?.close();
    ({ context, page, errors } = await newPage(browser()));
    if (viewport) await page.setViewportSize(viewport);
  }

  it('loads the next page of chats when the agent scrolls to the end of the list', async () => {
    const users = Array.from(
      { length: 55 },
      (_, i) => new EndUser(server(), `bulk${i}@example.com`),
    );
    for (const user of users) await user.send(`Question number ${users.indexOf(user)}`);
    await freshPage();
    await logIn(page, server());
    await cardFor(page, users[54].chatId!).waitFor();
    // The first page holds 50 (the default limit), newest first.
    expect(await page.locator('[data-chat-id]').count()).toBe(50);
    expect(await cardFor(page, users[0].chatId!).count()).toBe(0);

    await page.locator('.load-more').scrollIntoViewIfNeeded();
    await cardFor(page, users[0].chatId!).waitFor();
    const ids = await page
      .locator('[data-chat-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-chat-id')));
    expect(ids).toHaveLength(55);
    expect(new Set(ids).size).toBe(55);
    expect(ids).toEqual(users.map((u) => u.chatId).reverse());
    expect(errors).toEqual([]);
  });

  it('loads older messages when the agent scrolls up, keeping them in order', async () => {
    const chatty = new EndUser(server(), 'chatty@example.com');
    for (let i = 1; i <= 60; i++) await chatty.send(`Message ${i}`);
    await freshPage();
    await logIn(page, server());
    await cardFor(page, chatty.chatId!).click();
    await page.locator('[data-sender="user"]', { hasText: 'Message 60' }).waitFor();
    expect(await page.locator('[data-sender="user"]').count()).toBe(50);

    await page.locator('.messages').evaluate((el) => el.scrollTo({ top: 0 }));
    await page.locator('[data-sender="user"] .bubble', { hasText: /^Message 1$/ }).waitFor();
    const texts = await page.locator('[data-sender="user"] .bubble').allTextContents();
    expect(texts).toEqual(Array.from({ length: 60 }, (_, i) => `Message ${i + 1}`));
    expect(errors).toEqual([]);
  });

  it('shows the outage and catches up on what was said during it', async () => {
    const customer = new EndUser(server(), 'outage@example.com');
    await customer.send('Before the outage');
    await freshPage();
    await logIn(page, server());
    await cardFor(page, customer.chatId!).click();
    await page.locator('[data-sender="user"]', { hasText: 'Before the outage' }).waitFor();
    await page.locator('.status[data-connected="true"]').waitFor();

    await server().kill();
    await page.locator('.status[data-connected="false"]').waitFor();
    expect(await page.locator('.status').textContent()).toContain('Reconnecting');

    await server().start();
    // Sent as soon as the server is back, typically before the console has reconnected.
    await customer.send('During the outage');
    await page.locator('[data-sender="user"]', { hasText: 'During the outage' }).waitFor();
    await page.locator('.status[data-connected="true"]').waitFor();
    expect(
      await page.locator('[data-sender="user"]', { hasText: 'During the outage' }).count(),
    ).toBe(1);

    // The chat's room was joined again: the next message arrives live.
    await customer.send('After the outage');
    await page.locator('[data-sender="user"]', { hasText: 'After the outage' }).waitFor();

    // The list caught up as well, and the agents' room was joined again.
    await page.keyboard.press('Escape');
    const preview = cardFor(page, customer.chatId!).locator('.preview');
    await preview.waitFor();
    expect(await preview.textContent()).toContain('After the outage');
    await customer.send('Back on the list');
    await page.waitForFunction(
      (id) =>
        document
          .querySelector(`[data-chat-id="${id}"] .preview`)
          ?.textContent?.includes('Back on the list'),
      customer.chatId,
    );
    expect(errors).toEqual([]);
  });

  for (const viewport of [
    { name: 'tablet portrait', width: 768, height: 1024 },
    { name: 'tablet landscape', width: 1024, height: 768 },
  ]) {
    it(`fits a ${viewport.name} screen without sideways scrolling`, async () => {
      const customer = new EndUser(
        server(),
        `tablet-${viewport.width}@example.com`,
        'A person with a rather long display name',
      );
      await customer.send('x'.repeat(400));
      await freshPage(viewport);
      await logIn(page, server());
      const noSideScroll = (): Promise<boolean> =>
        page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      expect(await noSideScroll()).toBe(true);
      await cardFor(page, customer.chatId!).click();
      await page.locator('[data-sender="user"]').first().waitFor();
      expect(await noSideScroll()).toBe(true);
      const box = await page.locator('textarea').boundingBox();
      expect(box).not.toBeNull();
      expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
      expect(await page.locator('button.archive-toggle').isVisible()).toBe(true);
      expect(errors).toEqual([]);
    });
  }
});
