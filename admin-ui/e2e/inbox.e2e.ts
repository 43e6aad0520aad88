import { afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  tokenFor,
  useServerAndBrowser,
} from './harness';

// README screenshots: the split inbox at 1280 px, and the list's filters.
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

interface Console {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

/** The team inbox: filters in the URL, presence, labels, typing on cards and the split layout. */
describe('the inbox in the console', () => {
  const { server, browser } = useServerAndBrowser();
  let adminId: string;
  const open: Console[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    adminId = (await api<{ id: string }>(server(), '/api/admin/me')).body.id;
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const c of open.splice(0)) await c.context.close();
  });

  async function consoleFor(
    account?: Account,
    viewport = { width: 1280, height: 800 },
  ): Promise<Console> {
    const c = await newPage(browser());
    await c.page.setViewportSize(viewport);
    open.push(c);
    await logIn(c.page, server(), account);
    return c;
  }

  /** A customer with a chat and one message in it. */
  async function customer(email: string, name: string, text = 'Hello'): Promise<EndUser> {
    const user = new EndUser(server(), email, name);
    await user.openChat();
    await user.send(text);
    return user;
  }

  async function assign(chatId: string, agentId: string | null, token?: string): Promise<void> {
    const res = await api(server(), `/api/admin/chats/${chatId}/assign`, {
      method: 'POST',
      token,
      body: { agent_id: agentId },
    });
    if (res.status !== 200) throw new Error(`assign: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** A socket.io connection of our own, for what a browser would send (typing, presence). */
  async function connect(token: string): Promise<Socket> {
    const socket = io(`${server().url}/support`, { auth: { token }, transports: ['websocket'] });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  const emit = (socket: Socket, event: string, payload: object) =>
    socket.timeout(5000).emitWithAck(event, payload) as Promise<{ ok: boolean }>;

  const shownIds = (page: Page) =>
    page
      .locator('[data-chat-id]')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-chat-id')));

  async function chooseFilter(page: Page, filter: 'me' | 'none' | 'all'): Promise<void> {
    await page.locator(`a[data-filter="${filter}"]`).click();
    await page.locator(`a[data-filter="${filter}"][aria-current="true"]`).waitFor();
  }

  /** Waits until the list shows exactly these chats (of those the test knows about). */
  async function waitForCards(page: Page, expected: string[], among: string[]): Promise<void> {
    await page.waitForFunction(
      ([want, known]) => {
        const shown = Array.from(document.querySelectorAll('[data-chat-id]'))
          .map((c) => c.getAttribute('data-chat-id'))
          .filter((id) => known.includes(id!));
        return shown.length === want.length && want.every((id) => shown.includes(id));
      },
      [expected, among] as const,
    );
  }

  it('filters Mine, Unassigned and All from the URL: reload, back button, paging and live moves', async () => {
    const ana = await addAgent(server(), 'Ana Lima');
    const mine = await customer('mine@example.com', 'Mia');
    const anas = await customer('anas@example.com', 'Ola');
    const nobodys = await customer('nobody@example.com', 'Ned');
    await assign(mine.chatId!, adminId);
    await assign(anas.chatId!, ana.id);
    const known = [mine.chatId!, anas.chatId!, nobodys.chatId!];

    const { page, errors } = await consoleFor();
    await waitForCards(page, known, known);
    expect(await cardFor(page, mine.chatId!).getAttribute('data-assignee')).toBe(adminId);
    expect(await cardFor(page, anas.chatId!).getAttribute('data-assignee')).toBe(ana.id);
    expect(await cardFor(page, nobodys.chatId!).getAttribute('data-assignee')).toBe('');
    expect(await cardFor(page, anas.chatId!).locator('.assignee-name').textContent()).toBe(
      'Ana Lima',
    );
    expect(await cardFor(page, mine.chatId!).locator('.assignee-name').textContent()).toBe('You');

    await chooseFilter(page, 'me');
    expect(new URL(page.url()).search).toBe('?assignee=me');
    await waitForCards(page, [mine.chatId!], known);
    await chooseFilter(page, 'none');
    expect(new URL(page.url()).search).toBe('?assignee=none');
    await waitForCards(page, [nobodys.chatId!], known);

    // Reload and the back button keep to the URL.
    await page.reload();
    await page.locator('a[data-filter="none"][aria-current="true"]').waitFor();
    await waitForCards(page, [nobodys.chatId!], known);
    await page.goBack();
    await page.waitForURL(/\/admin\/chats\?assignee=me$/);
    await page.locator('a[data-filter="me"][aria-current="true"]').waitFor();
    await waitForCards(page, [mine.chatId!], known);

    // Live: a chat assigned to someone else leaves "Mine"; one assigned to me arrives.
    await assign(mine.chatId!, ana.id, await tokenFor(server(), ana));
    await assign(nobodys.chatId!, adminId);
    await waitForCards(page, [nobodys.chatId!], known);
    await chooseFilter(page, 'none');
    await waitForCards(page, [], known);
    await assign(nobodys.chatId!, null);
    await waitForCards(page, [nobodys.chatId!], known);

    // Keyset paging within a filter: 52 more unassigned chats, two pages, none twice.
    const more = await Promise.all(
      Array.from({ length: 52 }, (_, i) => customer(`page${i}@example.com`, `Page ${i}`)),
    );
    await page.reload();
    await page.locator('.load-more, [data-chat-id]').first().waitFor();
    const all = [...more.map((u) => u.chatId!), nobodys.chatId!];
    await page.locator('.load-more').scrollIntoViewIfNeeded();
    await waitForCards(page, all, [...all, ...known]);
    const ids = await shownIds(page);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(anas.chatId);
    expect(errors).toEqual([]);
  });

  it("shows who is online, live, and the agent's own away switch", async () => {
    const ben = await addAgent(server(), 'Ben Okafor');
    const { page, errors } = await consoleFor();
    const row = (id: string) => page.locator(`.presence-list li[data-agent-id="${id}"]`);
    await page.locator('.team-presence summary').click();
    await row(adminId).and(page.locator('[data-status="online"]')).waitFor();

    const benSocket = await connect(await tokenFor(server(), ben));
    await row(ben.id).and(page.locator('[data-status="online"]')).waitFor();
    expect(await row(ben.id).textContent()).toContain('Ben Okafor');
    expect(await emit(benSocket, 'set_presence', { status: 'away' })).toMatchObject({ ok: true });
    await row(ben.id).and(page.locator('[data-status="away"]')).waitFor();
    expect(await row(ben.id).locator('.presence-state').textContent()).toBe('Away');
    await emit(benSocket, 'set_presence', { status: 'online' });
    await row(ben.id).and(page.locator('[data-status="online"]')).waitFor();
    benSocket.disconnect();
    await row(ben.id).and(page.locator('[data-status="offline"]')).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    // My own switch: the team (and the server) see me away, then back.
    const toggle = page.locator('button.my-presence');
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.click();
    await page.locator('button.my-presence[aria-checked="false"]').waitFor();
    // A click elsewhere closes the team's list, like a menu; opened again, it shows me away.
    await page.locator('.team-presence:not([open])').waitFor({ state: 'attached' });
    await page.locator('.team-presence summary').click();
    await row(adminId).and(page.locator('[data-status="away"]')).waitFor();
    const presence = await api<{ agent_id: string; status: string }[]>(
      server(),
      '/api/admin/presence',
    );
    expect(presence.body.find((p) => p.agent_id === adminId)?.status).toBe('away');
    await toggle.click();
    await page.locator('.team-presence summary').click();
    await row(adminId).and(page.locator('[data-status="online"]')).waitFor();
    expect(errors).toEqual([]);
  });

  it('shows labels on cards in their colour and filters by label, kept in the URL', async () => {
    const label = await api<{ id: string; name: string }>(server(), '/api/admin/labels', {
      method: 'POST',
      body: { name: 'Billing', color: '#e11d48' },
    });
    expect(label.status).toBe(201);
    await api(server(), '/api/admin/labels', {
      method: 'POST',
      body: { name: 'Bug', color: '#2563eb' },
    });
    const billed = await customer('billed@example.com', 'Bea', 'My invoice is wrong');
    const plain = await customer('plain@example.com', 'Pat', 'Just saying hi');
    const tagged = await api(server(), `/api/admin/chats/${billed.chatId}/labels`, {
      method: 'POST',
      body: { label_id: label.body.id },
    });
    expect(tagged.status).toBe(200);

    const { page, errors } = await consoleFor();
    const chip = cardFor(page, billed.chatId!).locator('.chip[data-label="Billing"]');
    await chip.waitFor();
    expect(
      await chip.locator('.swatch').evaluate((el) => getComputedStyle(el).backgroundColor),
    ).toBe('rgb(225, 29, 72)');
    await page.locator('select[name=label]').selectOption('Billing');
    await page.waitForURL(/\/admin\/chats\?label=Billing$/);
    const known = [billed.chatId!, plain.chatId!];
    await waitForCards(page, [billed.chatId!], known);
    await page.reload();
    await waitForCards(page, [billed.chatId!], known);
    expect(await page.locator('select[name=label]').inputValue()).toBe('Billing');
    // Labelled elsewhere: the chat joins the filtered list live.
    await api(server(), `/api/admin/chats/${plain.chatId}/labels`, {
      method: 'POST',
      body: { label_id: label.body.id },
    });
    await waitForCards(page, known, known);
    await chooseFilter(page, 'none');
    expect(new URL(page.url()).searchParams.get('label')).toBe('Billing');
    expect(new URL(page.url()).searchParams.get('assignee')).toBe('none');
    await page.screenshot({ path: new URL('console-filters.png', SCREENSHOTS).pathname });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("shows the customer typing on the chat's card, and clears it", async () => {
    const user = await customer('typist@example.com', 'Tia', 'First question');
    const { page, errors } = await consoleFor();
    const card = cardFor(page, user.chatId!);
    await card.waitFor();
    const socket = await connect(user.token);
    expect(await emit(socket, 'subscribe', { chat_id: user.chatId })).toEqual({ ok: true });

    const typing = card.locator('[data-typing]');
    await emit(socket, 'typing', { chat_id: user.chatId, typing: true });
    await typing.waitFor();
    expect((await typing.textContent())?.trim()).toBe('Tia is typing…');
    await emit(socket, 'typing', { chat_id: user.chatId, typing: false });
    await typing.waitFor({ state: 'detached' });

    // A message ends it at once.
    await emit(socket, 'typing', { chat_id: user.chatId, typing: true });
    await typing.waitFor();
    await emit(socket, 'send_message', { chat_id: user.chatId, content: 'Second question' });
    await typing.waitFor({ state: 'detached' });
    await card.locator('.preview', { hasText: 'Second question' }).waitFor();

    // Without a stop or a repeat it lapses by itself (6 s after the last one).
    await emit(socket, 'typing', { chat_id: user.chatId, typing: true });
    await typing.waitFor();
    const shownAt = Date.now();
    await typing.waitFor({ state: 'detached', timeout: 15_000 });
    expect(Date.now() - shownAt).toBeGreaterThan(4_000);
    expect(errors).toEqual([]);
  });

  it('shows the list beside the open chat at 1280 px, live, with deep links and filters kept', async () => {
    const ana = await addAgent(server(), 'Ana Split');
    const reading = await customer('reading@example.com', 'Rae', 'Can you check my order?');
    const other = await customer('other@example.com', 'Otto', 'Hi there');
    await assign(reading.chatId!, adminId);
    const { page, errors } = await consoleFor();
    await chooseFilter(page, 'all');
    await cardFor(page, reading.chatId!).click();
    await page.waitForURL(new RegExp(`/admin/chats/${reading.chatId}$`));
    const list = page.locator('app-chat-list');
    const detail = page.locator('app-chat-detail');
    await detail.locator('[data-sender="user"]', { hasText: 'Can you check my order?' }).waitFor();
    const [listBox, detailBox] = [await list.boundingBox(), await detail.boundingBox()];
    expect(listBox && detailBox).toBeTruthy();
    expect(listBox!.x + listBox!.width).toBeLessThanOrEqual(detailBox!.x + 1);
    expect(await cardFor(page, reading.chatId!).getAttribute('aria-current')).toBe('true');

    // The list stays live beside the conversation.
    await other.send('Anyone there?');
    await cardFor(page, other.chatId!).and(page.locator('[data-unread="true"]')).waitFor();
    await api(server(), `/api/admin/chats/${reading.chatId}/messages`, {
      method: 'POST',
      token: await tokenFor(server(), ana),
      body: { content: 'Ana here: it ships today.' },
    });
    await detail.locator('[data-sender="admin"]', { hasText: 'it ships today' }).waitFor();
    await page.screenshot({ path: new URL('console-split-inbox.png', SCREENSHOTS).pathname });
    expect(await accessibilityViolations(page)).toEqual([]);

    // A deep link with a filter opens both panes, the filter applied.
    await page.goto(`${server().url}/admin/chats/${reading.chatId}?assignee=me`);
    await detail.locator('[data-sender="user"]', { hasText: 'Can you check my order?' }).waitFor();
    await page.locator('a[data-filter="me"][aria-current="true"]').waitFor();
    await waitForCards(page, [reading.chatId!], [reading.chatId!, other.chatId!]);
    // Leaving the chat keeps the list's filter.
    await page.locator('app-chat-detail a.back').click();
    await page.waitForURL(/\/admin\/chats\?assignee=me$/);
    await page.locator('.detail-pane .placeholder').waitFor();
    expect(errors).toEqual([]);
  });

  it('keeps one pane at a time at 390 px', async () => {
    const user = await customer('phone@example.com', 'Pia', 'Typed on a phone');
    const { page, errors } = await consoleFor(undefined, { width: 390, height: 844 });
    const list = page.locator('app-chat-list');
    const detail = page.locator('app-chat-detail');
    await cardFor(page, user.chatId!).waitFor();
    expect(await page.locator('.detail-pane').isVisible()).toBe(false);
    expect(await accessibilityViolations(page)).toEqual([]);
    await cardFor(page, user.chatId!).click();
    await detail.locator('[data-sender="user"]', { hasText: 'Typed on a phone' }).waitFor();
    await list.waitFor({ state: 'hidden' });
    const box = await detail.boundingBox();
    expect(box!.width).toBeGreaterThan(370);
    expect(await accessibilityViolations(page)).toEqual([]);
    await detail.locator('a.back').click();
    await page.waitForURL(/\/admin\/chats$/);
    await list.waitFor({ state: 'visible' });
    await detail.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });
});
