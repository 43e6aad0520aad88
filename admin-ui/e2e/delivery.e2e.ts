import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  EndUser,
  SocketGate,
  agentListItem,
  cardFor,
  controlVisibility,
  logIn,
  newPage,
  useServerAndBrowser,
} from './harness';

// Nothing missed and nothing marked read behind the agent's back: the join is acknowledged
// before the console reads, catching up has no side effects, and only a visible tab views.
describe('joining before reading, and views only while the chat is on screen', () => {
  const { server, browser } = useServerAndBrowser();
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  afterAll(async () => {
    await context?.close();
  });

  async function freshPage(): Promise<void> {
    await context?.close();
    ({ context, page, errors } = await newPage(browser()));
  }

  /** The console's requests for the chat itself (the GET that can record a view). */
  function recordChatFetches(chatId: string): URL[] {
    const fetches: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (request.method() === 'GET' && url.pathname === `/api/admin/chats/${chatId}`) {
        fetches.push(url);
      }
    });
    return fetches;
  }

  const shown = (text: string) => page.locator('[data-sender="user"]', { hasText: text });

  it('reads the open chat only once the join is acknowledged: a message committed before shows', async () => {
    const customer = new EndUser(server(), 'joining@example.com');
    const chatId = await customer.openChat();
    await customer.send('Before the join');
    await freshPage();
    const gate = await SocketGate.install(page);
    await logIn(page, server());
    await gate.upgraded();
    const fetches = recordChatFetches(chatId);

    // The subscribe waits at the gate: the server has neither joined the room nor answered.
    const held = gate.holdSubscribe(chatId);
    await cardFor(page, chatId).click();
    await held;
    // Committed now, it is broadcast to a room this console is not in yet.
    const committed = await customer.send('Committed while the join was on its way');
    expect(fetches).toEqual([]);
    gate.release();

    await page.locator(`[data-message-id="${committed.id}"]`).waitFor();
    await shown('Before the join').waitFor();
    expect(fetches).toHaveLength(1);
    // The room is joined: what comes next arrives live.
    await customer.send('After the join');
    await shown('After the join').waitFor();
    expect(await shown('Committed while the join was on its way').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('catches up in a hidden tab after a reconnect without marking the chat read, until the tab is visible', async () => {
    const customer = new EndUser(server(), 'away@example.com');
    const chatId = await customer.openChat();
    await customer.send('Before the drop');
    const userSocket = await customer.connect();
    try {
      await freshPage();
      const { setHidden } = await controlVisibility(page);
      const gate = await SocketGate.install(page);
      await logIn(page, server());
      await cardFor(page, chatId).click();
      await shown('Before the drop').waitFor();
      // Opened in a visible tab: the view is recorded, and the user hears of it.
      await userSocket.waitForRead((r) => r.reader === 'admin');
      const readsBefore = userSocket.reads.length;
      expect((await agentListItem(server(), chatId)).unread).toBe(false);
      await gate.upgraded();

      await setHidden(true);
      gate.closeToNewConnections();
      await gate.drop();
      await page.locator('.status[data-connected="false"]').waitFor();
      const missed = await customer.send('Sent while the console was away');
      const fetches = recordChatFetches(chatId);
      gate.reopen();

      // Caught up: shown, but nobody has looked at it.
      await page.locator(`[data-message-id="${missed.id}"]`).waitFor();
      await page.locator('.status[data-connected="true"]').waitFor();
      expect(fetches).toEqual([]);
      expect((await agentListItem(server(), chatId)).unread).toBe(true);
      // Positive control: a later event on the same room reaches the user's socket (and the
      // console, live), so a read receipt sent by the catch-up would have arrived before it.
      await customer.send('Still hidden');
      await userSocket.waitFor((m) => m.content === 'Still hidden');
      await shown('Still hidden').waitFor();
      expect(userSocket.reads).toHaveLength(readsBefore);
      expect((await agentListItem(server(), chatId)).unread).toBe(true);

      // The agent comes back to the tab: now the chat is seen.
      await setHidden(false);
      const read = await userSocket.waitForRead(
        (r) => r.reader === 'admin' && r.message_ids.includes(missed.id),
      );
      expect(read.chat_id).toBe(chatId);
      expect((await agentListItem(server(), chatId)).unread).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      userSocket.close();
    }
  });

  it('opens a deep link in a hidden tab without recording a view, and records it once visible', async () => {
    const customer = new EndUser(server(), 'background@example.com');
    const chatId = await customer.openChat();
    await customer.send('Linked from an email');
    const userSocket = await customer.connect();
    try {
      await freshPage();
      const { setHidden } = await controlVisibility(page);
      await logIn(page, server());
      // A link opened in a background tab: the console loads while nobody looks at it.
      await setHidden(true);
      const fetches = recordChatFetches(chatId);
      await page.goto(`${server().url}/admin/chats/${chatId}`);
      await shown('Linked from an email').waitFor();
      expect(fetches.map((url) => url.searchParams.get('view'))).toEqual(['false']);
      expect((await agentListItem(server(), chatId)).unread).toBe(true);
      // Positive control: the room delivers to the user's socket, read receipts included.
      await customer.send('Anyone there?');
      await userSocket.waitFor((m) => m.content === 'Anyone there?');
      await shown('Anyone there?').waitFor();
      expect(userSocket.reads).toEqual([]);

      await setHidden(false);
      await userSocket.waitForRead((r) => r.reader === 'admin');
      expect((await agentListItem(server(), chatId)).unread).toBe(false);
      expect(fetches).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      userSocket.close();
    }
  });
});
