import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EndUser,
  accessibilityViolations,
  api,
  logIn,
  newPage,
  useServerAndBrowser,
} from './harness';

// README screenshot: search results with the matched words marked.
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

interface Chat {
  messages: { id: string }[];
  has_more: boolean;
}

describe('search in Chromium against the real server', () => {
  const { server, browser } = useServerAndBrowser({ env: { MESSAGE_RATE_LIMIT: '1000' } });

  const reply = (chatId: string, content: string, note = false) =>
    api(server(), `/api/admin/chats/${chatId}/messages`, {
      method: 'POST',
      body: note ? { content, private: true } : { content },
    });

  it('finds a word, marks it in the results, and opens the chat scrolled to an old message', async () => {
    // An old question, then 70 replies after it: it is not on the chat's first page.
    const paula = new EndUser(server(), 'paula.mendes@example.com', 'Paula Mendes');
    const asked = await paula.send('Where is my invoice for March? <b>It was charged twice</b>.');
    const chatId = asked.chat_id;
    for (let i = 0; i < 70; i++) await reply(chatId, `Looking into it, step ${i + 1}`);
    const first = await api<Chat>(server(), `/api/admin/chats/${chatId}?view=false`);
    expect(first.body.messages.map((m) => m.id)).not.toContain(asked.id);
    await reply(chatId, 'Invoices for March were re-sent by the billing team', true);
    const omar = new EndUser(server(), 'omar.haddad@example.org', 'Omar Haddad');
    await omar.send('Can I get the invoices as PDF files?');

    const { page, errors } = await newPage(browser());
    await logIn(page, server());
    // `/` puts the cursor in the search box from the chats page.
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('console-search');
    await page.keyboard.type('invoices');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/search\?q=invoices$/);

    const results = page.locator('ol.results > li');
    await expect.poll(() => results.count()).toBe(3);
    await page.locator('[role=status]', { hasText: '3 results for “invoices”' }).waitFor();
    // Newest first: Omar's question, the note, then Paula's old one.
    const top = results.nth(0);
    await top.locator('mark', { hasText: 'invoices' }).waitFor();
    const note = page.locator('li[data-private="true"]');
    await note.locator('.note-badge', { hasText: 'Note' }).waitFor();
    const old = page.locator(`li[data-message-id="${asked.id}"]`);
    expect(await old.locator('mark').allTextContents()).toEqual(['invoice']);
    // The content's markup is text: no <b> element, the characters shown as typed.
    expect(await old.locator('.snippet b').count()).toBe(0);
    expect(await old.locator('.snippet').textContent()).toContain('<b>It was charged twice</b>');
    expect(await accessibilityViolations(page)).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL('console-search.png', SCREENSHOTS).pathname });

    await old.locator('a').click();
    await page.waitForURL(new RegExp(`/admin/chats/${chatId}\\?message=${asked.id}$`));
    const target = page.locator(`article[data-message-id="${asked.id}"]`);
    await target.waitFor();
    expect(await target.getAttribute('data-target')).toBe('true');
    // Scrolled into view inside the conversation, which holds later messages below it.
    await expect
      .poll(async () => {
        const [box, view] = await Promise.all([
          target.boundingBox(),
          page.locator('section.messages').boundingBox(),
        ]);
        return !!box && !!view && box.y >= view.y && box.y + box.height <= view.y + view.height;
      })
      .toBe(true);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-message-id')))
      .toBe(asked.id);
    expect(await page.locator('article[data-message-id]').count()).toBeGreaterThan(50);
    expect(errors).toEqual([]);
  });

  it('says why a search cannot run, and Ctrl+K reaches the box from a chat', async () => {
    const { page, errors } = await newPage(browser());
    await logIn(page, server());
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('console-search');
    await page.keyboard.type('the');
    await page.keyboard.press('Enter');
    await page.locator('[role=alert]', { hasText: 'only common words' }).waitFor();
    expect(await page.locator('ol.results > li').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
