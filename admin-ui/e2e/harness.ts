import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import { io, Socket } from 'socket.io-client';
import { chromiumLaunchOptions, startServer } from '../../scripts/test-server.mjs';

export type TestServer = Awaited<ReturnType<typeof startServer>>;

export interface ChatMessage {
  id: string;
  chat_id: string;
  content: string;
  sender_type: 'user' | 'admin';
  client_id: string | null;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}

export { startServer };

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

export async function logIn(page: Page, server: TestServer): Promise<void> {
  await page.goto(`${server.url}/admin/`);
  await page.waitForURL(/\/admin\/login/);
  await page.fill('input[name=email]', server.admin.email);
  await page.fill('input[name=password]', server.admin.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/admin\/chats$/);
  await page.locator('h1', { hasText: 'Support Chats' }).waitFor();
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
    socket.on('new_message', (event: { message: ChatMessage }) => received.push(event.message));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = (await socket.timeout(5000).emitWithAck('subscribe', { chat_id: chatId })) as {
      ok: boolean;
    };
    if (!ack.ok) throw new Error('user could not subscribe to the chat');
    return new UserSocket(socket, received);
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
  ) {}

  /** Resolves with the first broadcast message that matches, however long it takes the test to allow. */
  async waitFor(match: (m: ChatMessage) => boolean): Promise<ChatMessage> {
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.socket.once('new_message', () => resolve()));
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
