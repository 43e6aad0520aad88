import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, Browser, BrowserContext, Page, Route, WebSocketRoute } from 'playwright-core';
import { io, Socket } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';
import { chromiumLaunchOptions, startServer } from '../../scripts/test-server.mjs';

export type TestServer = Awaited<ReturnType<typeof startServer>>;

export interface ChatMessage {
  id: string;
  chat_id: string;
  content: string;
  sender_type: 'user' | 'admin';
  client_id: string | null;
  sender_name: string | null;
}

export interface ReadReceipt {
  chat_id: string;
  reader: 'user' | 'admin';
  read_at: string;
  message_ids: string[];
}

/**
 * A suite's own server (its own database; `env` adds to the test defaults) and Chromium, both
 * started before its first test and stopped after its last. Register it first in the `describe`:
 * after-all hooks run in reverse order, so the suite's own (closing pages, receivers) run before
 * these. The accessors answer once the suite has started.
 */
export function useServerAndBrowser(options: { env?: Record<string, string> } = {}): {
  server: () => TestServer;
  browser: () => Browser;
} {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    // Both are waited for even when one fails, so the after-all hook stops whichever started.
    const [serverUp, browserUp] = await Promise.allSettled([
      startServer(options),
      chromium.launch(chromiumLaunchOptions()),
    ]);
    if (serverUp.status === 'fulfilled') server = serverUp.value;
    if (browserUp.status === 'fulfilled') browser = browserUp.value;
    for (const up of [serverUp, browserUp]) if (up.status === 'rejected') throw up.reason;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} starts before the suite's first test`);
    return value;
  };
  return { server: () => started(server, 'server'), browser: () => started(browser, 'browser') };
}

/** A page whose uncaught errors fail the test instead of vanishing. */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

export interface Account {
  email: string;
  password: string;
}

/** Signs in through the login page, as the first admin unless another account is given. */
export async function logIn(
  page: Page,
  server: TestServer,
  account: Account = server.admin,
): Promise<void> {
  await page.goto(`${server.url}/admin/`);
  await page.waitForURL(/\/admin\/login/);
  await page.fill('input[name=email]', account.email);
  await page.fill('input[name=password]', account.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/admin\/chats$/);
  await page.locator('h1', { hasText: 'Support Chats' }).waitFor();
}

const ADMIN_PAGES = {
  team: 'Team',
  labels: 'Labels',
  canned: 'Canned replies',
  'api-keys': 'API keys',
  webhooks: 'Webhooks',
} as const;

/** Opens an admin page as an admin does, from the top bar's Admin menu; resolves on its heading. */
export async function openAdminPage(page: Page, path: keyof typeof ADMIN_PAGES): Promise<void> {
  await page.locator('app-admin-menu button.toggle').click();
  await page.locator(`a.${path}-link`).click();
  await page.waitForURL(new RegExp(`/admin/${path}$`));
  await page.locator('h1', { hasText: ADMIN_PAGES[path] }).waitFor();
}

/** An end user of the host application, talking over the contract's REST API. */
export class EndUser {
  readonly token: string;
  chatId: string | null = null;

  constructor(
    private readonly server: TestServer,
    readonly email: string,
    readonly name?: string,
  ) {
    const sub = `user-${Math.random().toString(36).slice(2)}`;
    this.token = server.userToken(name ? { sub, email, name } : { sub, email });
  }

  async openChat(): Promise<string> {
    const res = await this.fetch('/api/support_chat');
    const chat = (await res.json()) as { id: string };
    this.chatId = chat.id;
    return chat.id;
  }

  async send(content: string): Promise<ChatMessage> {
    if (!this.chatId) await this.openChat();
    const res = await this.fetch('/api/support_chat/messages', {
      method: 'POST',
      body: JSON.stringify({ content }),
    });
    if (res.status !== 201) throw new Error(`user send failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as ChatMessage;
  }

  /** The conversation as the user's widget reads it (the newest page). */
  async messages(): Promise<ChatMessage[]> {
    const res = await this.fetch('/api/support_chat');
    return ((await res.json()) as { messages: ChatMessage[] }).messages;
  }

  async markRead(): Promise<void> {
    await this.fetch('/api/support_chat/mark_read', { method: 'PATCH' });
  }

  /** Connects as this user and collects what the chat's room broadcasts. */
  async connect(): Promise<UserSocket> {
    const chatId = this.chatId ?? (await this.openChat());
    const socket = io(`${this.server.url}/support`, {
      auth: { token: this.token },
      transports: ['websocket'],
    });
    const received: ChatMessage[] = [];
    const reads: ReadReceipt[] = [];
    socket.on('new_message', (event: { message: ChatMessage }) => received.push(event.message));
    socket.on('messages_read', (event: ReadReceipt) => reads.push(event));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = (await socket.timeout(5000).emitWithAck('subscribe', { chat_id: chatId })) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error('user could not subscribe to the chat');
    return new UserSocket(socket, received, reads);
  }

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
    });
    if (res.status >= 400) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res;
  }
}

export class UserSocket {
  constructor(
    private readonly socket: Socket,
    readonly received: ChatMessage[],
    /** The chat room's `messages_read` events, in the order they came. */
    readonly reads: ReadReceipt[] = [],
  ) {}

  /** Resolves with the first broadcast message that matches, however long it takes the test to allow. */
  waitFor(match: (m: ChatMessage) => boolean): Promise<ChatMessage> {
    return this.waitIn(this.received, 'new_message', match);
  }

  /** Resolves with the first read receipt that matches. */
  waitForRead(match: (r: ReadReceipt) => boolean): Promise<ReadReceipt> {
    return this.waitIn(this.reads, 'messages_read', match);
  }

  private async waitIn<T>(list: T[], event: string, match: (item: T) => boolean): Promise<T> {
    for (;;) {
      const found = list.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.socket.once(event, () => resolve()));
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** "Monday, January 29" for today, the way the console labels its date dividers. */
export function todayLabel(): string {
  return new Intl.DateTimeFormat('en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
  }).format(new Date());
}

export function cardFor(page: Page, chatId: string) {
  return page.locator(`[data-chat-id="${chatId}"]`);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Runs axe-core in the page; returns the serious and critical WCAG A/AA violations. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The chat as agents see it in `GET /api/admin/chats` (unread and all), read with the agent's token. */
export async function agentListItem(
  server: TestServer,
  chatId: string,
): Promise<{ id: string; unread: boolean; last_message_preview: string | null }> {
  const token = await server.adminToken();
  const res = await fetch(`${server.url}/api/admin/chats?archived=false&limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`chat list: ${res.status} ${await res.text()}`);
  const page = (await res.json()) as {
    items: { id: string; unread: boolean; last_message_preview: string | null }[];
  };
  const item = page.items.find((c) => c.id === chatId);
  if (!item) throw new Error(`chat ${chatId} is not in the agents' list`);
  return item;
}

/**
 * Headless Chromium has no tab switching: this makes `document.visibilityState` the test's to
 * set, across reloads of the same tab (kept in sessionStorage), and fires `visibilitychange` as
 * a browser does. Call before the page loads.
 */
export async function controlVisibility(
  page: Page,
): Promise<{ setHidden: (hidden: boolean) => Promise<void> }> {
  await page.addInitScript(() => {
    Object.defineProperty(Document.prototype, 'visibilityState', {
      configurable: true,
      get: () => (sessionStorage.getItem('e2e.hidden') === 'true' ? 'hidden' : 'visible'),
    });
    Object.defineProperty(Document.prototype, 'hidden', {
      configurable: true,
      get: () => sessionStorage.getItem('e2e.hidden') === 'true',
    });
  });
  return {
    setHidden: (hidden) =>
      page.evaluate((value) => {
        sessionStorage.setItem('e2e.hidden', String(value));
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden),
  };
}

interface GatedConnection {
  page: WebSocketRoute;
  server: WebSocketRoute;
  upgraded: boolean;
}

/**
 * Stands between the console and the server on Socket.IO's connection, so a test can hold a
 * frame from the page back (the server has not seen it, so it has not acted on it or answered
 * it), cut the connection, and keep the console from reconnecting for a while. Install it
 * before the page loads. Frames pass through untouched otherwise.
 */
export class SocketGate {
  private current: GatedConnection | null = null;
  private readonly heldFrames: { server: WebSocketRoute; frame: string | Buffer }[] = [];
  private holdSubscribeTo: { chatId: string; held: () => void } | null = null;
  private closedToNewConnections = false;
  private readonly heldPolls: Route[] = [];
  private waiters: (() => boolean)[] = [];

  static async install(page: Page): Promise<SocketGate> {
    const gate = new SocketGate();
    await page.routeWebSocket(/\/socket\.io\//, (ws) => gate.attach(ws));
    // Socket.IO starts every connection with HTTP long-polling before it upgrades.
    await page.route(/\/socket\.io\/.*transport=polling/, (route) => gate.poll(route));
    return gate;
  }

  /** Resolves once the console's connection runs over a WebSocket that passes through here. */
  upgraded(): Promise<void> {
    return this.until(() => this.current?.upgraded === true);
  }

  /** Holds the page's next `subscribe` to that chat; resolves once it is held. */
  holdSubscribe(chatId: string): Promise<void> {
    return new Promise((held) => (this.holdSubscribeTo = { chatId, held }));
  }

  /** Lets the held frames go on to the server, in the order they came. */
  release(): void {
    for (const { server, frame } of this.heldFrames.splice(0)) server.send(frame);
  }

  /** Cuts the current connection, as a network drop does; the console will try to reconnect. */
  async drop(): Promise<void> {
    const connection = this.current;
    if (!connection) throw new Error('no WebSocket to drop');
    this.current = null;
    await connection.page.close();
    await connection.server.close();
  }

  /** New connections wait at the gate until `reopen()`. */
  closeToNewConnections(): void {
    this.closedToNewConnections = true;
  }

  reopen(): void {
    this.closedToNewConnections = false;
    for (const route of this.heldPolls.splice(0)) {
      // A request the page gave up on meanwhile cannot be continued; Socket.IO retries.
      route.continue().catch(() => undefined);
    }
  }

  private attach(page: WebSocketRoute): void {
    const server = page.connectToServer();
    const connection: GatedConnection = { page, server, upgraded: false };
    this.current = connection;
    page.onMessage((frame) => {
      const text = frame.toString();
      // Engine.IO's "upgrade" packet: from here on the traffic is on this WebSocket.
      if (text === '5') connection.upgraded = true;
      const hold = this.holdSubscribeTo;
      if (hold && subscribedChat(text) === hold.chatId) {
        this.holdSubscribeTo = null;
        this.heldFrames.push({ server, frame });
        hold.held();
      } else {
        server.send(frame);
      }
      this.changed();
    });
  }

  private poll(route: Route): void {
    if (this.closedToNewConnections) this.heldPolls.push(route);
    else route.continue().catch(() => undefined);
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) =>
      this.waiters.push(() => {
        if (!condition()) return false;
        resolve();
        return true;
      }),
    );
  }

  private changed(): void {
    this.waiters = this.waiters.filter((waiter) => !waiter());
  }
}

/** The chat id of a Socket.IO `subscribe` event frame on `/support`, if it is one. */
function subscribedChat(frame: string): string | null {
  const match = /^42\/support,\d*\["subscribe",(\{.*\})\]$/.exec(frame);
  if (!match) return null;
  return (JSON.parse(match[1]) as { chat_id?: string }).chat_id ?? null;
}

/** A call to the server's API, as the first admin unless a token is given (`null`: none). */
export async function api<T = unknown>(
  server: TestServer,
  path: string,
  options: { method?: string; token?: string | null; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const token = options.token === undefined ? await server.adminToken() : options.token;
  const res = await fetch(`${server.url}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface TeamMember extends Account {
  id: string;
  name: string;
}

let members = 0;

/** Adds an agent with a password, as the first admin would in the Team page. */
export async function addAgent(
  server: TestServer,
  name: string,
  role: 'admin' | 'agent' = 'agent',
): Promise<TeamMember> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${++members}@example.com`;
  const password = 'correct horse battery staple';
  const res = await api<{ agent: { id: string } }>(server, '/api/admin/agents', {
    method: 'POST',
    body: { email, name, role, password },
  });
  if (res.status !== 201) throw new Error(`adding ${name}: ${res.status}`);
  return { id: res.body.agent.id, email, password, name };
}

/** A console token for an account, as its login answers it. */
export async function tokenFor(server: TestServer, account: Account): Promise<string> {
  const res = await api<{ access_token: string }>(server, '/api/auth/login', {
    method: 'POST',
    token: null,
    body: { email: account.email, password: account.password },
  });
  if (res.status !== 200) throw new Error(`login of ${account.email}: ${res.status}`);
  return res.body.access_token;
}
