import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Api, bubbleTexts, countSounds, sounds, useBackendSiteAndBrowser, waitForAttribute, widget } from './support/harness.js';

const POLL = { timeout: 30_000, interval: 100 };
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let userCount = 0;

const env = useBackendSiteAndBrowser();

/** A fresh browser profile and user, on the ACME host page, with the widget connected. */
async function openHost(options: { viewport?: { width: number; height: number }; params?: Record<string, string> } = {}) {
  const context = await env.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  await countSounds(context);
  const sub = `e2e-${Date.now()}-${++userCount}`;
  const token = env.server.userToken({ sub, email: `${sub}@example.com`, name: 'Test User' });
  const api = new Api(env.server, token);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const url = `${env.host.url}/?${new URLSearchParams({ server: env.server.url, token, ...options.params })}`;
  await page.goto(url);
  const w = widget(page);
  await waitForAttribute(w.status, 'data-connected', 'true');
  return { page, api, w, url, errors, token, context };
}

async function send(page: Page, text: string): Promise<void> {
  const w = widget(page);
  await w.input.fill(text);
  await w.input.press('Enter');
}

async function axe(page: Page) {
  // Colour contrast is measured on what is painted: let the panel's slide-in finish first.
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axeGlobal = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const result = await axeGlobal.run(document);
    return result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target) }));
  });
}

describe('<support-chat> in Chromium against the real backend', () => {
  it('opens, sends a message that reaches the server once, and shows it once', async () => {
    const { page, api, w, errors } = await openHost();
    await expect.poll(() => w.launcher.getAttribute('aria-expanded')).toBe('false');
    await w.launcher.click();
    await expect.poll(() => w.launcher.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => w.input.evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);

    await send(page, 'Hello from the browser');
    await w.confirmed.filter({ hasText: 'Hello from the browser' }).waitFor();
    expect(await w.confirmed.first().getAttribute('data-sender')).toBe('user');
    await expect.poll(async () => (await api.allMessages()).map((m) => m.content), POLL).toEqual(['Hello from the browser']);
    expect(await bubbleTexts(page)).toEqual(['Hello from the browser']);
    expect(await w.input.inputValue()).toBe('');
    expect(errors).toEqual([]);
  });

  it('marks the latest message Seen once an agent has opened the chat', async () => {
    const { page, api, w } = await openHost();
    await w.launcher.click();
    await send(page, 'Is anyone there?');
    await w.confirmed.filter({ hasText: 'Is anyone there?' }).waitFor();
    const seen = w.host.locator('[part~="message"][data-sender="user"] .seen');
    expect(await seen.count()).toBe(0);
    // The agent opens the chat in the console, which marks the user's messages read.
    await api.allMessages();
    await seen.waitFor();
    expect(await seen.textContent()).toContain('Seen');
    await send(page, 'Hello?');
    await w.confirmed.filter({ hasText: 'Hello?' }).waitFor();
    await expect.poll(() => seen.count(), POLL).toBe(0);
  });

  it('shows agent replies live with a chime and a badge that caps at 9+, and opening clears it', async () => {
    const { page, api, w } = await openHost();
    // A click unlocks audio, as a real visitor's first interaction would.
    await w.launcher.click();
    await send(page, 'I need help');
    await w.confirmed.filter({ hasText: 'I need help' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => w.launcher.getAttribute('aria-expanded')).toBe('false');
    const before = await sounds(page);

    await api.agentReply('Hi, how can I help?');
    await expect.poll(() => w.badge.textContent(), POLL).toBe('1');
    await expect.poll(() => sounds(page), POLL).toBe(before + 1);
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open support chat, 1 unread message');

    for (let i = 2; i <= 10; i++) await api.agentReply(`Reply number ${i}`);
    await expect.poll(() => w.badge.textContent(), POLL).toBe('9+');
    await expect.poll(() => sounds(page), POLL).toBe(before + 10);
    expect(await w.messages.filter({ hasText: 'Reply number 10' }).getAttribute('data-sender')).toBe('admin');

    const markReads: unknown[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/support_chat/mark_read')) markReads.push(r.postDataJSON());
    });
    await w.launcher.click();
    await w.badge.waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await api.chat()).messages.filter((m) => m.sender_type === 'admin' && m.read_at === null).length, POLL)
      .toBe(0);
    // Marked read up to the newest reply on screen, by its id.
    const newest = (await api.chat()).messages.at(-1)!;
    expect(newest.content).toBe('Reply number 10');
    expect(markReads[0]).toEqual({ up_to: newest.id });
    const texts = await bubbleTexts(page);
    expect(texts).toEqual(['I need help', 'Hi, how can I help?', ...Array.from({ length: 9 }, (_, i) => `Reply number ${i + 2}`)]);
    const events = await page.evaluate(() => (window as unknown as { __events: { type: string; detail: { count?: number } | null }[] }).__events);
    const unread = events.filter((e) => e.type === 'support-chat-unread-change').map((e) => e.detail?.count);
    expect(unread.at(-1)).toBe(0);
    expect(Math.max(...unread.map((n) => n ?? 0))).toBe(10);

    // Muted: replies still arrive, silently.
    await w.host.evaluate((el) => el.setAttribute('muted', ''));
    await page.keyboard.press('Escape');
    const quiet = await sounds(page);
    await api.agentReply('Silent reply');
    await expect.poll(() => w.badge.textContent(), POLL).toBe('1');
    expect(await sounds(page)).toBe(quiet);
  });

  it('goes grey during an outage, keeps what is typed (across a reload), and delivers it once when back', async () => {
    const { page, api, w } = await openHost();
    await w.launcher.click();
    await send(page, 'Before the outage');
    await w.confirmed.filter({ hasText: 'Before the outage' }).waitFor();

    await env.server.kill();
    await waitForAttribute(w.status, 'data-connected', 'false');
    await send(page, 'Typed while offline 1');
    await send(page, 'Typed while offline 2');
    await expect.poll(() => w.pending.count()).toBe(2);
    expect(await w.pending.first().textContent()).toContain('Waiting for connection');

    // The outbox survives a reload of the page while the server is still down.
    await page.reload();
    await expect.poll(() => w.pending.count(), POLL).toBe(2);
    expect(await w.status.getAttribute('data-connected')).toBe('false');

    await env.server.start();
    await waitForAttribute(w.status, 'data-connected', 'true');
    await expect.poll(() => w.pending.count(), POLL).toBe(0);
    await expect
      .poll(async () => (await api.allMessages()).map((m) => m.content), POLL)
      .toEqual(['Before the outage', 'Typed while offline 1', 'Typed while offline 2']);
    await expect
      .poll(() => bubbleTexts(page), POLL)
      .toEqual(['Before the outage', 'Typed while offline 1', 'Typed while offline 2']);
    const ids = await w.messages.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('catches up on replies sent while it was disconnected, without doubles', async () => {
    const { page, api, w, context } = await openHost();
    await w.launcher.click();
    await send(page, 'Are you there?');
    await w.confirmed.filter({ hasText: 'Are you there?' }).waitFor();

    // Kill the server and keep the page off the network while the agent answers, so the reply
    // can only come back through the REST catch-up after the reconnect.
    await page.evaluate(() => Object.assign(window, { pageKept: true }));
    await env.server.kill();
    await waitForAttribute(w.status, 'data-connected', 'false');
    await context.setOffline(true);
    await env.server.start();
    const catchUps: string[] = [];
    page.on('request', (r) => {
      if (['/api/support_chat', '/api/support_chat/messages'].includes(new URL(r.url()).pathname)) catchUps.push(r.url());
    });
    await api.agentReply('Answered while you were away');
    await api.agentReply('And one more');
    await context.setOffline(false);
    await waitForAttribute(w.status, 'data-connected', 'true');
    await expect
      .poll(() => bubbleTexts(page), POLL)
      .toEqual(['Are you there?', 'Answered while you were away', 'And one more']);
    // Caught up by asking the server, not by a reload. The chat was empty when the element first
    // read it, so no fetch has given it a cursor yet: it reads the chat's newest page again, which
    // here holds the whole chat (with a cursor from a fetch it asks ?after=, as the unit tests show).
    expect(catchUps.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => 'pageKept' in window)).toBe(true);

    // A reply over the live socket after that still shows once.
    await api.agentReply('Live again');
    await w.bubble('Live again').waitFor();
    expect(await bubbleTexts(page)).toEqual(['Are you there?', 'Answered while you were away', 'And one more', 'Live again']);
    await page.reload();
    await waitForAttribute(w.status, 'data-connected', 'true');
    await expect.poll(() => w.messages.count(), POLL).toBe(4);
    expect(await bubbleTexts(page)).toEqual(['Are you there?', 'Answered while you were away', 'And one more', 'Live again']);
  });

  it('shows markup in messages as text, in both directions', async () => {
    const { page, api, w } = await openHost();
    const payload = '<img src=x onerror="window.__xss = 1">';
    const agentPayload = '<script>window.__xss = 2</script><b>bold?</b>';
    await w.launcher.click();
    await send(page, payload);
    await w.confirmed.filter({ hasText: payload }).waitFor();
    await api.agentReply(agentPayload);
    await w.bubble(agentPayload).waitFor();
    expect(await bubbleTexts(page)).toEqual([payload, agentPayload]);
    expect(await w.host.locator('.content img, .content script, .content b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it("shows the agent's name on their reply, styleable as ::part(agent), and none on the user's messages", async () => {
    const { page, api, w, errors } = await openHost();
    await page.addStyleTag({ content: 'support-chat::part(agent) { color: rgb(120, 20, 60); }' });
    await w.launcher.click();
    await send(page, 'Who am I talking to?');
    await w.confirmed.filter({ hasText: 'Who am I talking to?' }).waitFor();
    const ana = await api.newAgent('Ana Lima');
    await api.agentReply('Hi, Ana here', ana);
    const reply = w.confirmed.filter({ hasText: 'Hi, Ana here' });
    await reply.waitFor();
    const name = reply.locator('[part~="agent"]');
    expect(await name.textContent()).toBe('Ana Lima');
    expect(await name.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(120, 20, 60)');
    expect(await reply.locator('.content').textContent()).toBe('Hi, Ana here');
    expect(await w.host.locator('[part~="message"][data-sender="user"] [part~="agent"]').count()).toBe(0);
    // The name is what the server stored with the reply, and the screen reader hears it too.
    expect((await api.chat()).messages.at(-1)?.sender_name).toBe('Ana Lima');
    await expect.poll(() => w.host.locator('[aria-live="polite"]').textContent(), POLL).toBe('Ana Lima: Hi, Ana here');
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('loads older history when scrolled to the top, in order and once', async () => {
    const { page, api, w, url } = await openHost();
    for (let i = 1; i <= 65; i++) await api.agentReply(`History ${String(i).padStart(2, '0')}`);
    await page.goto(url);
    await waitForAttribute(w.status, 'data-connected', 'true');
    await w.launcher.click();
    await expect.poll(() => w.messages.count(), POLL).toBe(50);
    expect((await bubbleTexts(page))[0]).toBe('History 16');
    await w.host.locator('.log').evaluate((log) => {
      log.scrollTop = 0;
    });
    await expect.poll(() => w.messages.count(), POLL).toBe(65);
    const texts = await bubbleTexts(page);
    expect(texts).toEqual(Array.from({ length: 65 }, (_, i) => `History ${String(i + 1).padStart(2, '0')}`));
  });

  it('fires support-chat-token-expired for a refused token and reconnects with a new one, keeping its messages', async () => {
    const { page, w, token } = await openHost();
    await w.launcher.click();
    await send(page, 'Kept across tokens');
    await w.confirmed.filter({ hasText: 'Kept across tokens' }).waitFor();

    const forged = env.server.userToken({ sub: 'whoever', email: 'x@example.com' }, { secret: 'not-the-server-secret-0123456789' });
    await w.host.evaluate((el, t) => el.setAttribute('token', t), forged);
    await page.waitForFunction(() =>
      (window as unknown as { __events: { type: string }[] }).__events.some((e) => e.type === 'support-chat-token-expired'),
    );
    await waitForAttribute(w.status, 'data-connected', 'false');

    await w.host.evaluate((el, t) => el.setAttribute('token', t), token);
    await waitForAttribute(w.status, 'data-connected', 'true');
    await send(page, 'After the new token');
    await w.confirmed.filter({ hasText: 'After the new token' }).waitFor();
    expect(await bubbleTexts(page)).toEqual(['Kept across tokens', 'After the new token']);
  });

  it('is usable by keyboard alone: open, send, Escape, focus returns to the launcher', async () => {
    const { page, w } = await openHost();
    await page.keyboard.press('Tab');
    await expect.poll(() => w.launcher.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => w.input.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    await page.keyboard.type('Line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('Line two');
    await page.keyboard.press('Enter');
    await w.confirmed.filter({ hasText: 'Line two' }).waitFor();
    expect(await bubbleTexts(page)).toEqual(['Line one\nLine two']);
    await page.keyboard.press('Escape');
    await expect.poll(() => w.launcher.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => w.launcher.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
  });

  it('has no axe violations, closed or open with messages, and announces replies', async () => {
    const { page, api, w } = await openHost();
    expect(await axe(page)).toEqual([]);
    await w.launcher.click();
    await send(page, 'Checking accessibility');
    await w.confirmed.filter({ hasText: 'Checking accessibility' }).waitFor();
    await api.agentReply('Accessible reply');
    await w.bubble('Accessible reply').waitFor();
    await expect.poll(() => w.host.locator('[aria-live="polite"]').textContent(), POLL).toContain('Accessible reply');
    expect(await axe(page)).toEqual([]);
  });

  it('sits bottom-left when asked, with its heading, and themes through custom properties', async () => {
    const { w } = await openHost({ params: { position: 'bottom-left', heading: 'ACME help' } });
    const launcher = await w.launcher.boundingBox();
    expect(launcher && launcher.x < 100 && launcher.y > 600).toBe(true);
    await w.host.evaluate((el) => el.style.setProperty('--support-chat-primary', 'rgb(124, 58, 237)'));
    await expect.poll(() => w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(124, 58, 237)');
    await w.launcher.click();
    expect(await w.host.locator('h2').textContent()).toBe('ACME help');
    const panel = await w.panel.boundingBox();
    expect(panel && panel.x < 100).toBe(true);
  });

  it('fills a narrow screen with the panel', async () => {
    const { w } = await openHost({ viewport: { width: 375, height: 700 } });
    await w.launcher.click();
    await expect.poll(() => w.panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 700 });
    // The launcher is hidden under the full-screen panel; its close button takes over.
    await w.host.locator('.close').click();
    await expect.poll(() => w.launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await w.launcher.isVisible()).toBe(true);
  });

  it('the demo page at / signs in by email, loads the element from /widget/, and stays signed in on reload', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${env.server.url}/`);
    const w = widget(page);
    await page.locator('#email').fill(`demo-${Date.now()}@example.com`);
    await page.locator('#name').fill('Demo Person');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForAttribute(w.status, 'data-connected', 'true');
    expect(await page.locator('#who').textContent()).toContain('Demo Person');
    await w.launcher.click();
    expect(await w.host.locator('h2').textContent()).toBe('ACME support');
    await send(page, 'Hello from the demo page');
    await w.confirmed.filter({ hasText: 'Hello from the demo page' }).waitFor();
    expect(await axe(page)).toEqual([]);

    await page.reload();
    await waitForAttribute(w.status, 'data-connected', 'true');
    await expect.poll(() => bubbleTexts(page), POLL).toEqual(['Hello from the demo page']);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => w.messages.count()).toBe(0);
    expect(await w.status.getAttribute('data-connected')).toBe('false');
    expect(errors).toEqual([]);
  });

  it('the demo page fits a 390 px phone: the launcher is on screen, a tap opens it, and a message sent is stored', async () => {
    const phone = { width: 390, height: 844 };
    const context = await env.newContext({ viewport: phone, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.goto(`${env.server.url}/`);
    expect(await pageWidth()).toBeLessThanOrEqual(phone.width);

    // A long address, as real ones can be: the signed-in line must wrap, not widen the page.
    const email = `someone.with.a.long.address-${Date.now()}@example-company.com`;
    await page.locator('#email').fill(email);
    await page.locator('#name').fill('Phone Person');
    await page.getByRole('button', { name: 'Sign in' }).tap();
    const w = widget(page);
    await waitForAttribute(w.status, 'data-connected', 'true');
    expect(await page.locator('#who').textContent()).toContain(email);
    expect(await pageWidth()).toBeLessThanOrEqual(phone.width);

    // The launcher is inside the viewport and is what a tap on it hits.
    const box = (await w.launcher.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(phone.width);
    expect(box.y + box.height).toBeLessThanOrEqual(phone.height);
    const hit = await w.host.evaluate(
      (el, [x, y]) => el.shadowRoot!.elementFromPoint(x, y)?.closest('[part~="launcher"]') != null,
      [box.x + box.width / 2, box.y + box.height / 2] as const,
    );
    expect(hit).toBe(true);

    await w.launcher.tap();
    await expect.poll(() => w.launcher.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => w.panel.boundingBox()).toEqual({ x: 0, y: 0, ...phone });
    await w.input.tap();
    await w.input.fill('Hello from a phone');
    await w.send.tap();
    const bubble = w.confirmed.filter({ hasText: 'Hello from a phone' });
    await bubble.waitFor();
    const id = await bubble.getAttribute('data-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // Stored: the agents' side has it, under the id the bubble shows.
    const token = await page.evaluate(() => sessionStorage.getItem('acme-demo-token'));
    const api = new Api(env.server, token!);
    await expect
      .poll(async () => (await api.allMessages()).map((m) => [m.id, m.content, m.sender_type]), POLL)
      .toEqual([[id, 'Hello from a phone', 'user']]);
    expect(await pageWidth()).toBeLessThanOrEqual(phone.width);
    expect(errors).toEqual([]);
  });
});
