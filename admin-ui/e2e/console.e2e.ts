import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  EndUser,
  accessibilityViolations,
  addAgent,
  cardFor,
  controlVisibility,
  logIn,
  newPage,
  todayLabel,
  useServerAndBrowser,
} from './harness';

/** Where the top bar's visible items sit, and the bar's own height and padding. */
function topBarLayout(page: Page) {
  return page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('header.topbar')!;
    const items = Array.from(bar.querySelectorAll<HTMLElement>(':scope > *, .nav > *'))
      .map((el) => ({
        label: el.innerText.replace(/\s+/g, ' ').trim(),
        rect: el.getBoundingClientRect(),
      }))
      .filter(({ rect }) => rect.width > 0 && rect.height > 0)
      .map(({ label, rect }) => ({ label, top: rect.top, bottom: rect.bottom }));
    const style = getComputedStyle(bar);
    return {
      items,
      height: bar.getBoundingClientRect().height,
      tallest: Math.max(...items.map((i) => i.bottom - i.top)),
      padding:
        parseFloat(style.paddingTop) +
        parseFloat(style.paddingBottom) +
        parseFloat(style.borderTopWidth) +
        parseFloat(style.borderBottomWidth),
      scrollWidth: bar.scrollWidth,
      clientWidth: bar.clientWidth,
    };
  });
}

describe('agents console in Chromium against the real server', () => {
  const { server, browser } = useServerAndBrowser();
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  async function freshPage(): Promise<Page> {
    await context?.close();
    ({ context, page, errors } = await newPage(browser()));
    return page;
  }

  function expectNoPageErrors(): void {
    expect(errors).toEqual([]);
  }

  it('refuses a wrong password with a message and stays on the login page', async () => {
    await freshPage();
    await page.goto(`${server().url}/admin/`);
    await page.waitForURL(/\/admin\/login/);
    await page.fill('input[name=email]', server().admin.email);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Wrong email or password');
    expect(page.url()).toMatch(/\/admin\/login/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expectNoPageErrors();
  });

  it('shows a new user message live at the top as unread; the reply reaches the user', async () => {
    const earlier = new EndUser(server(), 'earlier@example.com');
    await earlier.send('An older question');
    await freshPage();
    await logIn(page, server());
    await cardFor(page, earlier.chatId!).waitFor();

    const customer = new EndUser(server(), 'dana@example.com', 'Dana Scully');
    const chatId = await customer.openChat();
    await customer.send('My invoice is wrong');

    // Live: no reload, the new chat arrives through the agents' room and goes to the top.
    await page.waitForFunction(
      (id) => document.querySelector('[data-chat-id]')?.getAttribute('data-chat-id') === id,
      chatId,
    );
    const card = cardFor(page, chatId);
    expect(await card.getAttribute('data-unread')).toBe('true');
    expect(await card.textContent()).toContain('dana@example.com');
    expect(await card.textContent()).toContain('Dana Scully');
    expect(await card.locator('.preview').textContent()).toContain('My invoice is wrong');
    expect(await card.locator('.meta').textContent()).toMatch(
      /1 message · (just now|1 minute ago)/,
    );
    await page.waitForFunction(() => document.title === '(2) Support Chats');

    await card.click();
    await page.waitForURL(new RegExp(`/admin/chats/${chatId}$`));
    await page.locator('h1', { hasText: 'dana@example.com' }).waitFor();
    const divider = page.locator('.day-divider');
    await divider.first().waitFor();
    expect(await divider.first().textContent()).toBe(todayLabel());
    const userMessage = page.locator('[data-sender="user"]', { hasText: 'My invoice is wrong' });
    expect(await userMessage.locator('.sender').textContent()).toBe('Dana Scully');

    const userSocket = await customer.connect();
    try {
      const box = page.locator('textarea');
      await box.fill('Line one');
      await box.press('Shift+Enter');
      await box.pressSequentially('Line two');
      // Shift+Enter added a line and sent nothing.
      expect(await box.inputValue()).toBe('Line one\nLine two');
      expect(userSocket.received.filter((m) => m.sender_type === 'admin')).toEqual([]);
      await box.press('Enter');

      const reply = await userSocket.waitFor((m) => m.sender_type === 'admin');
      expect(reply.content).toBe('Line one\nLine two');
      expect(reply.chat_id).toBe(chatId);
      expect(reply.client_id).toMatch(/^[0-9a-f-]{36}$/);
      const shown = page.locator(`[data-message-id="${reply.id}"]`);
      await shown.waitFor();
      expect(await shown.getAttribute('data-sender')).toBe('admin');
      expect(await shown.locator('.sender').textContent()).toBe('You');
      expect(await box.inputValue()).toBe('');
      // Sent once: the ack and the room's echo are the same message.
      expect(await page.locator('[data-sender="admin"]').count()).toBe(1);

      // The user opens the widget: the reply gets its read mark, live.
      expect(await shown.locator('.read-mark').count()).toBe(0);
      await customer.markRead();
      await shown.locator('.read-mark').waitFor();
      // A message that arrives while the agent has the chat open is read, not unread.
      await customer.send('Thanks, that fixed it');
      await page.locator('[data-sender="user"]', { hasText: 'Thanks, that fixed it' }).waitFor();
    } finally {
      userSocket.close();
    }

    await page.keyboard.press('Escape');
    await page.waitForURL(/\/admin\/chats$/);
    // The user's thanks came last (the "You: " prefix is checked in the archive test).
    expect(await cardFor(page, chatId).locator('.preview').textContent()).toContain(
      'Thanks, that fixed it',
    );
    await page.locator(`[data-chat-id="${chatId}"][data-unread="false"]`).waitFor();
    await page.waitForFunction(() => document.title === '(1) Support Chats');
    expectNoPageErrors();
  });

  it('archives to the Archived tab, and a new user message brings the chat back to Active', async () => {
    const customer = new EndUser(server(), 'fox@example.com');
    const chatId = await customer.openChat();
    await customer.send('Please close my ticket');
    await freshPage();
    await logIn(page, server());
    await cardFor(page, chatId).click();
    const toggle = page.locator('button.archive-toggle');
    await toggle.waitFor();
    expect((await toggle.textContent())?.trim()).toBe('Archive');
    await page.locator('textarea').fill('Closing it now, thanks for writing');
    await page.locator('textarea').press('Enter');
    await page
      .locator('[data-sender="admin"][data-message-id]', { hasText: 'Closing it now' })
      .waitFor();
    await toggle.click();
    await page.locator('button.archive-toggle', { hasText: 'Restore' }).waitFor();

    await page.locator('a.back').click();
    await page.waitForURL(/\/admin\/chats$/);
    await page.locator('h1', { hasText: 'Support Chats' }).waitFor();
    expect(await cardFor(page, chatId).count()).toBe(0);
    await page.locator('a[data-tab="archived"]').click();
    await page.waitForURL(/\/admin\/chats\/archived$/);
    await cardFor(page, chatId).waitFor();
    // The agent wrote last, so the preview says so.
    expect((await cardFor(page, chatId).locator('.preview').textContent())?.trim()).toBe(
      'You: Closing it now, thanks for writing',
    );

    // While the agent looks at the Archived tab, the user writes again.
    await customer.send('Actually, one more thing');
    await cardFor(page, chatId).waitFor({ state: 'detached' });
    await page.locator('a[data-tab="active"]').click();
    const card = cardFor(page, chatId);
    await card.waitFor();
    expect(await card.getAttribute('data-unread')).toBe('true');
    expect(await card.locator('.preview').textContent()).toContain('Actually, one more thing');
    expect(await page.locator('[data-chat-id]').first().getAttribute('data-chat-id')).toBe(chatId);

    // The keyboard does the same. The selection stayed on the chat the agent last opened;
    // j/k move it, e archives the selected chat.
    const selectedIs = (id: string) =>
      page.locator(`.card.selected[data-chat-id="${id}"]`).waitFor();
    await selectedIs(chatId);
    await page.keyboard.press('j');
    await page.locator(`.card.selected:not([data-chat-id="${chatId}"])`).waitFor();
    await page.keyboard.press('k');
    await selectedIs(chatId);
    await page.keyboard.press('e');
    await card.waitFor({ state: 'detached' });
    await page.locator('a[data-tab="archived"]').click();
    await cardFor(page, chatId).waitFor();
    expectNoPageErrors();
  });

  it('shows a script-like message as text, in the list and in the chat', async () => {
    const payload =
      '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>';
    const customer = new EndUser(server(), 'mallory@example.com', '<i>Mallory</i>');
    const chatId = await customer.openChat();
    await customer.send(payload);
    await freshPage();
    await logIn(page, server());
    const card = cardFor(page, chatId);
    await card.waitFor();
    expect(await card.locator('.preview').textContent()).toContain(payload);
    expect(await card.locator('img, script, b, i').count()).toBe(0);

    await card.click();
    const message = page.locator('[data-sender="user"]').first();
    await message.waitFor();
    expect(await message.locator('.bubble').textContent()).toBe(payload);
    expect(await message.locator('.sender').textContent()).toBe('<i>Mallory</i>');
    expect(await page.locator('.log img, .log script, .log b, .log i').count()).toBe(0);
    expect(
      await page.evaluate(() => (window as Window & { __xss?: number }).__xss),
    ).toBeUndefined();
    expectNoPageErrors();
  });

  it('sends the agent back to the login page when the server refuses the token', async () => {
    await freshPage();
    await logIn(page, server());
    // A token the server no longer accepts, as after a secret rotation.
    await page.evaluate(() => {
      const key = 'support-console.session';
      const session = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { token?: string };
      sessionStorage.setItem(key, JSON.stringify({ ...session, token: `${session.token}x` }));
    });
    await page.reload();
    await page.waitForURL(/\/admin\/login/);
    await page.locator('button[type=submit]').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('support-console.session'))).toBeNull();
    expectNoPageErrors();
  });

  it('alerts the agent with a desktop notification and a chime while the tab is hidden', async () => {
    await freshPage();
    // Headless Chromium has no desktop or tab switching: the page sees a recording
    // Notification (permission already granted) and a visibility the test controls.
    const { setHidden } = await controlVisibility(page);
    await page.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>;
      w['__notes'] = [];
      w['__chimes'] = 0;
      class RecordingNotification {
        static permission = 'granted';
        static requestPermission = () => Promise.resolve('granted');
        onclick: (() => void) | null = null;
        constructor(title: string, options: NotificationOptions) {
          (w['__notes'] as unknown[]).push({
            title,
            body: options.body,
            tag: options.tag,
            note: this,
          });
        }
        close(): void {
          // nothing on screen to close
        }
      }
      w['Notification'] = RecordingNotification;
      const createOscillator = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w['__chimes'] = (w['__chimes'] as number) + 1;
        return createOscillator.call(this);
      };
    });
    await logIn(page, server());
    // The first click after a reload unlocks sound, as browsers require.
    await page.locator('h1').click();
    const noteCount = () =>
      page.evaluate(() => (window as unknown as { __notes: unknown[] }).__notes.length);

    const visible = new EndUser(server(), 'seen@example.com');
    const seenChat = await visible.openChat();
    await visible.send('While the agent is looking');
    // The preview shows the message, so its events have been handled.
    await cardFor(page, seenChat)
      .locator('.preview', { hasText: 'While the agent is looking' })
      .waitFor();
    expect(await noteCount()).toBe(0);

    await setHidden(true);
    const away = new EndUser(server(), 'away@example.com', 'Away User');
    const awayChat = await away.openChat();
    await away.send('Anyone there?');
    await page.waitForFunction(
      () => (window as unknown as { __notes: unknown[] }).__notes.length === 1,
    );
    const note = await page.evaluate(() => {
      const [first] = (
        window as unknown as { __notes: { title: string; body: string; tag: string }[] }
      ).__notes;
      return { title: first.title, body: first.body, tag: first.tag };
    });
    expect(note).toEqual({
      title: 'New message from Away User',
      body: 'Anyone there?',
      tag: `support-chat-${awayChat}`,
    });
    expect(await page.evaluate(() => (window as unknown as { __chimes: number }).__chimes)).toBe(1);

    // Clicking the notification opens that chat.
    await page.evaluate(() => {
      const [first] = (window as unknown as { __notes: { note: { onclick: () => void } }[] })
        .__notes;
      first.note.onclick();
    });
    await page.waitForURL(new RegExp(`/admin/chats/${awayChat}$`));
    expectNoPageErrors();
  });

  it('passes an automated accessibility check on the login page, the list and a chat', async () => {
    const customer = new EndUser(server(), 'a11y@example.com', 'Ada');
    const chatId = await customer.openChat();
    await customer.send('Can everyone use this?');
    await freshPage();
    await page.goto(`${server().url}/admin/`);
    await page.locator('button[type=submit]').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await logIn(page, server());
    await cardFor(page, chatId).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await cardFor(page, chatId).click();
    await page.locator('[data-sender="user"]').first().waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    expectNoPageErrors();
  });

  it('keeps the top bar on one row at 1280 px, the admin pages a keyboard away in a menu', async () => {
    const admin = await addAgent(server(), 'Maximiliana Featherstonehaugh-Wolfeschlegel', 'admin');
    await freshPage();
    await logIn(page, server(), admin);
    // Headless Chromium asks before alerting, so "Enable alerts" is in the bar too.
    await page.locator('.topbar button', { hasText: 'Enable alerts' }).waitFor();
    for (const width of [1280, 1024]) {
      await page.setViewportSize({ width, height: 800 });
      const bar = await topBarLayout(page);
      expect(bar.items.map((i) => i.label)).toEqual(
        expect.arrayContaining(['Chats', 'Reports', 'Admin ▾', 'Available', 'Log out']),
      );
      // One row: a line crosses every item, and the bar is that row's height plus its padding.
      const rowTop = Math.max(...bar.items.map((i) => i.top));
      const rowBottom = Math.min(...bar.items.map((i) => i.bottom));
      expect(rowTop, `${width} px: ${JSON.stringify(bar.items)}`).toBeLessThan(rowBottom);
      expect(bar.height).toBeLessThanOrEqual(bar.tallest + bar.padding + 1);
      // Nothing pushed out of sight either: the long name gives way.
      expect(bar.scrollWidth).toBeLessThanOrEqual(bar.clientWidth);
    }
    expect((await topBarLayout(page)).items.find((i) => i.label.startsWith('MF'))?.label).toContain(
      'Maximiliana',
    );

    // The admin pages from the keyboard: Enter opens, the arrows move, Escape returns.
    const toggle = page.locator('app-admin-menu button.toggle');
    const focused = () =>
      page.evaluate(() => (document.activeElement as HTMLElement).innerText.replace(/\s+/g, ' '));
    const links = page.locator('#admin-pages');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await links.waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe('Team');
    await page.keyboard.press('End');
    await expect.poll(focused).toBe('Webhooks');
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe('Team');
    await page.keyboard.press('Escape');
    await links.waitFor({ state: 'hidden' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(focused).toBe('Admin ▾');
    // Escape closed the menu and did nothing else: still on the list.
    expect(page.url()).toMatch(/\/admin\/chats$/);
    await page.keyboard.press('ArrowUp');
    await expect.poll(focused).toBe('Webhooks');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/webhooks$/);
    await links.waitFor({ state: 'hidden' });
    expect(await toggle.getAttribute('class')).toContain('current');
    expect(await page.locator('a.webhooks-link').getAttribute('aria-current')).toBe('page');

    // A click elsewhere closes it too.
    await toggle.click();
    await links.waitFor();
    await page.locator('h1').click();
    await links.waitFor({ state: 'hidden' });

    // Narrower, the search takes a row of its own below the rest, and nothing is cut off.
    await page.setViewportSize({ width: 700, height: 800 });
    const narrow = await topBarLayout(page);
    const search = narrow.items.find((i) => i.label.startsWith('Search'))!;
    const others = narrow.items.filter((i) => i !== search);
    expect(Math.max(...others.map((i) => i.bottom))).toBeLessThanOrEqual(search.top);
    expect(narrow.scrollWidth).toBeLessThanOrEqual(narrow.clientWidth);
    expectNoPageErrors();
  });

  it('loads a deep link to a chat and logs out', async () => {
    const customer = new EndUser(server(), 'deep@example.com');
    const chatId = await customer.openChat();
    await customer.send('Linked from an email');
    await freshPage();
    await logIn(page, server());
    await page.goto(`${server().url}/admin/chats/${chatId}`);
    await page.locator('[data-sender="user"]', { hasText: 'Linked from an email' }).waitFor();
    await page.locator('button.logout').click();
    await page.waitForURL(/\/admin\/login/);
    await page.goto(`${server().url}/admin/chats/${chatId}`);
    await page.waitForURL(/\/admin\/login\?returnUrl=/);
    expectNoPageErrors();
  });
});
