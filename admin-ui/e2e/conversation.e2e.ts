import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { io, Socket } from 'socket.io-client';
import {
  Account,
  EndUser,
  accessibilityViolations,
  addAgent,
  api,
  cardFor,
  logIn,
  newPage,
  openAdminPage,
  tokenFor,
  useServerAndBrowser,
} from './harness';

// README screenshot: a conversation with its tools (assignment, a note, labels, the details).
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

/** What the customer's socket receives, as far as these tests read it. */
interface Frame {
  typing?: boolean;
  sender_type?: string;
  message?: { content: string };
}

interface Console {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

describe('the conversation’s tools in Chromium against the real server', () => {
  const { server, browser } = useServerAndBrowser();
  const open: Console[] = [];

  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const c of open.splice(0)) await c.context.close();
  });

  async function consoleFor(account?: Account): Promise<Console> {
    const c = await newPage(browser());
    open.push(c);
    await logIn(c.page, server(), account);
    return c;
  }

  async function openChat(page: Page, chatId: string): Promise<void> {
    await cardFor(page, chatId).click();
    await page.waitForURL(new RegExp(`/admin/chats/${chatId}$`));
    await page.locator('.assign-trigger').waitFor();
  }

  /**
   * The customer's own socket, as the element holds it: it types, and records every frame the
   * server sends it (event name and payload), so a test can say what never arrived.
   */
  async function customerSocket(user: EndUser): Promise<{
    socket: Socket;
    frames: { event: string; payload: Frame }[];
    next: (event: string, match: (p: Frame) => boolean) => Promise<void>;
  }> {
    const chatId = user.chatId ?? (await user.openChat());
    const socket = io(`${server().url}/support`, {
      auth: { token: user.token },
      transports: ['websocket'],
    });
    const frames: { event: string; payload: Frame }[] = [];
    socket.onAny((event: string, payload: Frame) => frames.push({ event, payload }));
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = (await socket.timeout(5000).emitWithAck('subscribe', { chat_id: chatId })) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error('the customer could not subscribe');
    const next = (event: string, match: (p: Frame) => boolean) =>
      new Promise<void>((resolve) => {
        if (frames.some((f) => f.event === event && match(f.payload))) return resolve();
        const listener = (name: string, payload: Frame) => {
          if (name === event && match(payload)) {
            socket.offAny(listener);
            resolve();
          }
        };
        socket.onAny(listener);
      });
    return { socket, frames, next };
  }

  const detail = (page: Page) => page.locator('app-chat-detail');

  const systemLine = (page: Page, text: string) => page.locator('.system-line', { hasText: text });

  it('assigns from the menu by keyboard; each change is a line, live in a second console', async () => {
    const ben = await addAgent(server(), 'Ben Ortiz');
    const customer = new EndUser(server(), 'assign@example.com', 'Ivy');
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
    await api(server(), `/api/admin/chats/${chatId}/messages`, {
      method: 'POST',
      token: await tokenFor(server(), ben),
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

  it('shows the customer typing and clears it; sends the agent’s typing, never from a note', async () => {
    const customer = new EndUser(server(), 'typing@example.com', 'Tess');
    const chatId = await customer.openChat();
    await customer.send('Hello');
    const user = await customerSocket(customer);
    const { page, errors } = await consoleFor();
    await openChat(page, chatId);
    const typingLine = detail(page).locator('.typing');
    const typing = (payload: { chat_id: string; typing: boolean }) =>
      user.socket.timeout(5000).emitWithAck('typing', payload);

    // The customer types, stops: the line comes and goes.
    await typing({ chat_id: chatId, typing: true });
    await typingLine.waitFor();
    expect((await typingLine.textContent())?.trim()).toBe('Tess is typing…');
    await typing({ chat_id: chatId, typing: false });
    await typingLine.waitFor({ state: 'detached' });
    // Types and sends: the message replaces the line.
    await typing({ chat_id: chatId, typing: true });
    await typingLine.waitFor();
    // Sent as the element sends, on its socket (a send also ends its typing on the server).
    await user.socket
      .timeout(5000)
      .emitWithAck('send_message', { chat_id: chatId, content: 'Here is my question' });
    await detail(page)
      .locator('[data-sender="user"]', { hasText: 'Here is my question' })
      .waitFor();
    await typingLine.waitFor({ state: 'detached' });
    // Types and goes quiet: gone by itself 6 s after the last repeat.
    await typing({ chat_id: chatId, typing: true });
    await typingLine.waitFor();
    const shownAt = Date.now();
    await typingLine.waitFor({ state: 'detached', timeout: 15_000 });
    expect(Date.now() - shownAt).toBeGreaterThan(4_000);

    // The agent types a reply: the customer hears it, and hears it stop on send.
    const box = detail(page).locator('textarea');
    await box.click();
    await page.keyboard.type('Let me check');
    await user.next('typing', (p) => p.typing === true && p.sender_type === 'admin');
    await page.keyboard.press('Enter');
    await user.next('typing', (p) => p.typing === false);
    await user.next('new_message', (p) => p.message?.content === 'Let me check');

    // In note mode nothing leaves for the customer while typing, nor the note itself.
    const before = user.frames.length;
    await page.keyboard.press('Alt+N');
    await detail(page).locator('.mode-toggle[aria-pressed="true"]').waitFor();
    await page.keyboard.type('Customer sounds upset, be gentle');
    await page.keyboard.press('Enter');
    await detail(page)
      .locator('[data-private="true"][data-message-id]', { hasText: 'be gentle' })
      .waitFor();
    // Positive control on the same socket: a reply typed afterwards does arrive, typing first.
    await page.keyboard.press('Alt+N');
    await detail(page).locator('.mode-toggle[aria-pressed="false"]').waitFor();
    await page.keyboard.type('Thanks for waiting');
    await user.next('typing', (p) => p.typing === true);
    await page.keyboard.press('Enter');
    await user.next('new_message', (p) => p.message?.content === 'Thanks for waiting');
    const during = user.frames.slice(before);
    expect(during.map((f) => f.event)).toEqual(['typing', 'typing', 'new_message']);
    expect(JSON.stringify(user.frames)).not.toContain('be gentle');
    expect(errors).toEqual([]);
  });

  it('sends a note in note mode: stored private, shown as a note, never the customer’s', async () => {
    const customer = new EndUser(server(), 'notes@example.com', 'Nia');
    const chatId = await customer.openChat();
    await customer.send('My parcel is lost');
    const user = await customerSocket(customer);
    const { page, errors } = await consoleFor();
    await openChat(page, chatId);

    const toggle = detail(page).locator('.mode-toggle');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    // By keyboard: Enter on the focused switch is the switch's, not the list's beside it.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await detail(page).locator('.mode-toggle[aria-pressed="true"]').waitFor();
    expect(await detail(page).locator('.composer.note-mode').count()).toBe(1);
    expect(await detail(page).locator('.send').textContent()).toContain('Add note');
    expect(await accessibilityViolations(page)).toEqual([]);
    await detail(page).locator('textarea').fill('Refund approved by Sam');
    await detail(page).locator('textarea').press('Enter');
    const note = detail(page).locator('[data-message-id][data-private="true"]', {
      hasText: 'Refund approved by Sam',
    });
    await note.waitFor();
    expect(await note.locator('.note-tag').textContent()).toContain('Internal note');

    // Stored as private for agents.
    const chat = await api<{ messages: { content: string; private: boolean }[] }>(
      server(),
      `/api/admin/chats/${chatId}`,
    );
    expect(chat.body.messages.find((m) => m.content === 'Refund approved by Sam')?.private).toBe(
      true,
    );
    // A reply after it reaches the customer (the positive control); the note never did.
    await toggle.click();
    await detail(page).locator('textarea').fill('We are refunding you today');
    await detail(page).locator('textarea').press('Enter');
    await user.next(
      'new_message',
      (p) => p.message?.content.startsWith('We are refunding') === true,
    );
    expect(JSON.stringify(user.frames)).not.toContain('Refund approved');
    const seen = (await customer.messages()).map((m) => m.content);
    expect(seen).toContain('We are refunding you today');
    expect(seen).not.toContain('Refund approved by Sam');
    expect(errors).toEqual([]);
  });

  it('inserts a canned reply found with / by keyboard, variables filled, unknown ones left visible', async () => {
    await api(server(), '/api/admin/canned', {
      method: 'POST',
      body: {
        title: 'Greeting',
        shortcut: '/hello',
        content: 'Hi {{user.name}}, {{agent.name}} here. Is {{order.id}} your order?',
      },
    });
    await api(server(), '/api/admin/canned', {
      method: 'POST',
      body: { title: 'Refund policy', shortcut: '/refund', content: 'Refunds take 5 days.' },
    });
    const customer = new EndUser(server(), 'canned@example.com', 'Cora');
    const chatId = await customer.openChat();
    await customer.send('Hi there');
    const { page, errors } = await consoleFor();
    await openChat(page, chatId);

    const box = detail(page).locator('textarea');
    await box.click();
    await page.keyboard.type('/');
    const list = detail(page).locator('[role=listbox]');
    await list.locator('[role=option]', { hasText: '/hello' }).waitFor();
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.type('ref');
    await list.locator('[role=option]', { hasText: '/hello' }).waitFor({ state: 'detached' });
    await list.locator('[role=option]', { hasText: '/refund' }).waitFor();
    // Escape closes the list and stays in the conversation.
    await page.keyboard.press('Escape');
    await detail(page).locator('textarea[aria-expanded="false"]').waitFor();
    expect(page.url()).toContain(chatId);
    await box.fill('');
    await page.keyboard.type('/h');
    await list.locator('[role=option][aria-selected="true"]', { hasText: '/hello' }).waitFor();
    expect(await box.getAttribute('aria-activedescendant')).toMatch(/^canned-/);
    await page.keyboard.press('Enter');
    await detail(page).locator('.notice', { hasText: '{{order.id}}' }).waitFor();
    expect(await box.inputValue()).toBe('Hi Cora, admin here. Is {{order.id}} your order?');
    // The agent fixes it and sends: one message, as edited.
    await box.fill((await box.inputValue()).replace('{{order.id}}', 'A-1001'));
    await box.press('Enter');
    await detail(page)
      .locator('[data-sender="admin"][data-message-id]', { hasText: 'A-1001' })
      .waitFor();
    expect((await customer.messages()).at(-1)?.content).toBe(
      'Hi Cora, admin here. Is A-1001 your order?',
    );
    expect(errors).toEqual([]);
  });

  it('adds and removes labels on the chat, live in a second console, and shows the customer’s details', async () => {
    const billing = await api<{ id: string }>(server(), '/api/admin/labels', {
      method: 'POST',
      body: { name: 'Billing', color: '#d97706' },
    });
    expect(billing.status).toBe(201);
    await api(server(), '/api/admin/labels', {
      method: 'POST',
      body: { name: 'Bug', color: '#dc2626' },
    });
    const ben = await addAgent(server(), 'Ben Label');
    const customer = new EndUser(server(), 'labels@example.com', 'Lea');
    const chatId = await customer.openChat();
    await customer.send('Charged twice');
    const admin = await consoleFor();
    const benConsole = await consoleFor(ben);
    await openChat(admin.page, chatId);
    await openChat(benConsole.page, chatId);

    const panel = detail(admin.page).locator('app-customer-panel');
    expect(await panel.locator('.fact-email').textContent()).toContain('labels@example.com');
    expect(await panel.locator('.fact-name').textContent()).toContain('Lea');
    expect(await panel.locator('.fact-assignee').textContent()).toContain('Nobody');
    expect(await panel.locator('.fact-first-seen time').count()).toBe(1);

    await panel.locator('select.add-label').selectOption({ label: 'Billing' });
    await panel.locator('.chip[data-label="Billing"]').waitFor();
    await detail(benConsole.page).locator('.chip[data-label="Billing"]').waitFor();
    await panel.locator('select.add-label').selectOption({ label: 'Bug' });
    await panel.locator('.chip[data-label="Bug"]').waitFor();
    const labels = async () =>
      (await api<{ labels: string[] }>(server(), `/api/admin/chats/${chatId}`)).body.labels;
    expect(await labels()).toEqual(['Billing', 'Bug']);
    expect(await accessibilityViolations(admin.page)).toEqual([]);

    await panel.getByRole('button', { name: 'Remove label Bug' }).click();
    await panel.locator('.chip[data-label="Bug"]').waitFor({ state: 'detached' });
    await detail(benConsole.page).locator('.chip[data-label="Bug"]').waitFor({ state: 'detached' });
    expect(await labels()).toEqual(['Billing']);

    // The README's picture: a line, a note, labels and the details beside the conversation.
    await detail(admin.page).locator('.assign-trigger').click();
    await admin.page.locator('[role=menuitem]', { hasText: 'Assign to me' }).click();
    await systemLine(admin.page, 'You took this').waitFor();
    await panel.locator('.fact-assignee', { hasText: 'you' }).waitFor();
    await api(server(), `/api/admin/chats/${chatId}/messages`, {
      method: 'POST',
      token: await tokenFor(server(), ben),
      body: { content: 'Refund issued for the second charge.' },
    });
    await detail(admin.page).locator('.mode-toggle').click();
    await detail(admin.page)
      .locator('textarea')
      .fill('Bank confirms the double charge; watch for a chargeback.');
    await detail(admin.page).locator('textarea').press('Enter');
    await detail(admin.page).locator('[data-private="true"][data-message-id]').waitFor();
    await detail(admin.page).locator('textarea').fill('/');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await admin.page.screenshot({
      path: new URL('console-conversation-tools.png', SCREENSHOTS).pathname,
    });
    expect([...admin.errors, ...benConsole.errors]).toEqual([]);
  });

  it('admins define labels and canned replies on their own pages', async () => {
    const { page, errors } = await consoleFor();
    await openAdminPage(page, 'labels');
    await page.fill('.add-form input[name=name]', 'Shipping');
    await page.locator('.add-form button[type=submit]').click();
    const row = page.locator('tr[data-label-id]', { hasText: 'Shipping' });
    await row.waitFor();
    // A duplicate is refused with the server's reason.
    await page.fill('.add-form input[name=name]', 'shipping');
    await page.locator('.add-form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await row.getByRole('button', { name: 'Edit Shipping' }).click();
    await page.fill('input[name=edit-name]', 'Delivery');
    await page.locator('.inline-form button[type=submit]').click();
    await page.locator('tr[data-label-id] .label-name', { hasText: 'Delivery' }).waitFor();
    await page.getByRole('button', { name: 'Delete Delivery' }).click();
    await page.locator('.danger-button').click();
    await page.locator('tr[data-label-id]', { hasText: 'Delivery' }).waitFor({ state: 'detached' });

    await openAdminPage(page, 'canned');
    await page.locator('.new-reply').click();
    await page.fill('input[name=title]', 'Opening hours');
    await page.fill('input[name=shortcut]', 'hours');
    await page.fill('textarea[name=content]', 'We answer from 9 to 5, {{user.name}}.');
    await page.locator('.add-form button[type=submit]').click();
    const reply = page.locator('tr[data-canned-id]', { hasText: '/hours' });
    await reply.waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await reply.getByRole('button', { name: 'Edit /hours' }).click();
    await page.fill('input[name=title]', 'Our hours');
    await page.locator('.add-form button[type=submit]').click();
    await page.locator('tr[data-canned-id] .reply-title', { hasText: 'Our hours' }).waitFor();
    const listed = await api<{ shortcut: string; title: string }[]>(server(), '/api/admin/canned');
    expect(listed.body.find((r) => r.shortcut === '/hours')?.title).toBe('Our hours');
    await page.getByRole('button', { name: 'Delete /hours' }).click();
    await page.locator('.danger-button').click();
    await reply.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });

  it('on a phone the details open over the conversation from a Details button', async () => {
    const customer = new EndUser(server(), 'phone@example.com', 'Pia');
    const chatId = await customer.openChat();
    await customer.send('Sent from my phone');
    const { page, errors } = await consoleFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server().url}/admin/chats/${chatId}`);
    await detail(page).locator('[data-sender="user"]', { hasText: 'from my phone' }).waitFor();
    const panel = detail(page).locator('app-customer-panel');
    expect(await panel.isVisible()).toBe(false);
    const toggle = detail(page).locator('.details-toggle');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await panel.locator('.fact-email', { hasText: 'phone@example.com' }).waitFor();
    await detail(page).locator('.details-toggle[aria-expanded="true"]').waitFor();
    // Escape closes the drawer first, back on its button; the next one leaves the chat.
    await page.keyboard.press('Escape');
    await detail(page).locator('.details-toggle[aria-expanded="false"]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.className)).toContain(
      'details-toggle',
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
