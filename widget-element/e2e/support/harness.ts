import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Locator, type Page } from 'playwright-core';

/** What scripts/test-server.mjs at the repository root gives (it is plain JS, so typed here). */
export interface TestServer {
  url: string;
  userToken(claims: { sub: string; email: string; name?: string }, options?: { secret?: string; expiresIn?: string }): string;
  adminToken(): Promise<string>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  output: string;
}
interface TestServerModule {
  startServer(options?: { env?: Record<string, string> }): Promise<TestServer>;
  chromiumLaunchOptions(): LaunchOptions;
}

export interface SupportMessage {
  id: string;
  content: string;
  sender_type: 'user' | 'admin';
  sender_name: string | null;
  read_at: string | null;
  client_id: string | null;
}

const repoRoot = new URL('../../../', import.meta.url);
const widgetDist = new URL('../../dist/', import.meta.url);

/**
 * Starts the real backend from the root build. Sending limits are raised because these tests
 * post dozens of agent replies from one agent account within seconds.
 */
export async function startBackend(): Promise<TestServer> {
  if (!existsSync(new URL('dist/backend/main.js', repoRoot))) {
    throw new Error('dist/backend/main.js is missing: run `npm run build` at the repository root first');
  }
  return (await testServerModule()).startServer({ env: { MESSAGE_RATE_LIMIT: '100000' } });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch((await testServerModule()).chromiumLaunchOptions());
}

/**
 * The real backend, the host page and Chromium for one suite: started before its tests and
 * stopped after them, with every browser context a test opens closed after that test.
 */
export function useBackendSiteAndBrowser() {
  let started: { server: TestServer; host: { url: string; close(): Promise<void> }; browser: Browser } | undefined;
  const contexts: BrowserContext[] = [];
  const get = () => {
    if (!started) throw new Error('the backend, host page and browser start in beforeAll');
    return started;
  };
  beforeAll(async () => {
    const [server, host, browser] = await Promise.all([startBackend(), startHostSite(), launchBrowser()]);
    started = { server, host, browser };
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.all([started?.browser.close(), started?.host.close(), started?.server.stop()]);
  });
  return {
    get server() {
      return get().server;
    },
    get host() {
      return get().host;
    },
    get browser() {
      return get().browser;
    },
    async newContext(options: Parameters<Browser['newContext']>[0] = { viewport: { width: 1280, height: 800 } }): Promise<BrowserContext> {
      const context = await get().browser.newContext(options);
      contexts.push(context);
      return context;
    },
  };
}

function testServerModule(): Promise<TestServerModule> {
  return import(new URL('scripts/test-server.mjs', repoRoot).href) as Promise<TestServerModule>;
}

/**
 * An "ACME" host page on its own origin (another loopback port), embedding the classic script
 * from this package's dist/. Being separate from the backend it stays up while the backend is
 * killed, so a page can be reloaded during an outage.
 */
export async function startHostSite(): Promise<{ url: string; close(): Promise<void> }> {
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>ACME test host</title></head>
<body>
<main><h1>ACME</h1><p>A host application page.</p></main>
<support-chat></support-chat>
<script src="/support-chat.iife.js"></script>
<script>
  window.__warnings = [];
  const warn = console.warn;
  console.warn = (...args) => {
    window.__warnings.push(args.map(String).join(' '));
    warn.apply(console, args);
  };
  const params = new URLSearchParams(location.search);
  const el = document.querySelector('support-chat');
  for (const name of ['server', 'token', 'heading', 'title', 'position', 'locale', 'open']) {
    if (params.has(name)) el.setAttribute(name, params.get(name));
  }
  window.__events = [];
  for (const type of ['support-chat-open', 'support-chat-close', 'support-chat-unread-change', 'support-chat-message', 'support-chat-token-expired']) {
    document.addEventListener(type, (e) => window.__events.push({ type, detail: e.detail ?? null }));
  }
</script>
</body>
</html>`;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    if (path === '/support-chat.iife.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(new URL('support-chat.iife.js', widgetDist)));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Counts chimes: every Web Audio oscillator the page starts. */
export async function countSounds(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __sounds: number };
    w.__sounds = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: [number?]) {
      w.__sounds++;
      return start.apply(this, args);
    };
  });
}

export const sounds = (page: Page) => page.evaluate(() => (window as unknown as { __sounds: number }).__sounds);

/** The element's parts, found through its open shadow root. */
export function widget(page: Page) {
  const host = page.locator('support-chat');
  return {
    host,
    launcher: host.locator('[part~="launcher"]'),
    badge: host.locator('[part~="badge"]'),
    panel: host.locator('[part~="panel"]'),
    status: host.locator('[part~="status"]'),
    input: host.locator('[part~="input"]'),
    send: host.locator('[part~="send"]'),
    messages: host.locator('[part~="message"]'),
    confirmed: host.locator('[part~="message"]:not([data-pending])'),
    pending: host.locator('[part~="message"][data-pending="true"]'),
    bubble: (text: string) => host.locator('[part~="message"] .content', { hasText: text }),
  };
}

/** Texts of the bubbles, in order on screen. */
export function bubbleTexts(page: Page): Promise<string[]> {
  return page
    .locator('support-chat [part~="message"] .content')
    .evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
}

export async function waitForAttribute(locator: Locator, name: string, value: string): Promise<void> {
  await locator.evaluate(
    (el, [n, v]) =>
      new Promise<void>((resolve) => {
        if (el.getAttribute(n) === v) return resolve();
        const observer = new MutationObserver(() => {
          if (el.getAttribute(n) === v) {
            observer.disconnect();
            resolve();
          }
        });
        observer.observe(el, { attributes: true, attributeFilter: [n] });
      }),
    [name, value] as const,
  );
}

/** The REST API as the user and as an agent, to check what really reached the server. */
export class Api {
  constructor(
    private readonly server: TestServer,
    readonly userToken: string,
  ) {}

  private async call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const res = await fetch(this.server.url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  chat(): Promise<{ id: string; messages: SupportMessage[]; has_more: boolean }> {
    return this.call('GET', '/api/support_chat', this.userToken);
  }

  /** A reply from the first admin account, or from the agent whose console token is given. */
  async agentReply(content: string, agentToken?: string): Promise<SupportMessage> {
    const { id } = await this.chat();
    return this.call('POST', `/api/admin/chats/${id}/messages`, agentToken ?? (await this.server.adminToken()), { content });
  }

  /** Adds an agent to the team (as the first admin) and signs them in; resolves with their console token. */
  async newAgent(name: string): Promise<string> {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now()}@example.com`;
    const password = 'a long enough password';
    await this.call('POST', '/api/admin/agents', await this.server.adminToken(), { email, name, password });
    const login = await this.call<{ access_token: string }>('POST', '/api/auth/login', '', { email, password });
    return login.access_token;
  }

  /** Every message of the chat as the console sees it, oldest first. */
  async allMessages(): Promise<SupportMessage[]> {
    const { id } = await this.chat();
    const admin = await this.server.adminToken();
    let page = await this.call<{ messages: SupportMessage[]; has_more: boolean }>('GET', `/api/admin/chats/${id}`, admin);
    const all = [...page.messages];
    while (page.has_more) {
      page = await this.call('GET', `/api/admin/chats/${id}?before=${all[0].id}`, admin);
      all.unshift(...page.messages);
    }
    return all;
  }
}
