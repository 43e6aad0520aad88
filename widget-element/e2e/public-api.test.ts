import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startHostSite, widget } from './support/harness.js';

// The element's public API in a real browser. No server is needed: without a token the element
// renders, opens and closes, and says the user must sign in.

let host: { url: string; close(): Promise<void> };
let browser: Browser;
let context: BrowserContext;
let pageErrors: string[] = [];

beforeAll(async () => {
  [host, browser] = await Promise.all([startHostSite(), launchBrowser()]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), host?.close()]);
});

afterEach(async () => {
  await context?.close();
  expect(pageErrors).toEqual([]);
});

async function openHost(params: Record<string, string> = {}): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${host.url}/?${new URLSearchParams(params)}`);
  await page.waitForFunction(() => customElements.get('support-chat') !== undefined);
  await page.locator('support-chat').evaluate((el) => (el as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete);
  return page;
}

const events = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __events: { type: string }[] }).__events
      .map((e) => e.type)
      .filter((t) => t === 'support-chat-open' || t === 'support-chat-close'),
  );
const warnings = (page: Page) => page.evaluate(() => (window as unknown as { __warnings: string[] }).__warnings);

type Chat = HTMLElement & { open: boolean; show(): void; hide(): void; toggle(): void; updateComplete: Promise<boolean> };

describe('<support-chat> public API in Chromium', () => {
  it('names the panel with heading and leaves the global title attribute to the page', async () => {
    const page = await openHost({ heading: 'ACME help' });
    const w = widget(page);
    await w.launcher.click();
    await expect.poll(() => w.launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByRole('dialog', { name: 'ACME help' }).count()).toBe(1);
    expect(await w.host.locator('h2').textContent()).toBe('ACME help');
    // No title anywhere, so the browser shows no tooltip over the widget.
    expect(await w.host.evaluate((el) => (el as HTMLElement).title)).toBe('');
    expect(await w.launcher.getAttribute('title')).toBeNull();
    expect(await w.panel.getAttribute('title')).toBeNull();
    expect(await warnings(page)).toEqual([]);

    await w.host.evaluate((el) => el.setAttribute('heading', 'Billing'));
    await expect.poll(() => w.host.locator('h2').textContent()).toBe('Billing');
  });

  it('still takes the deprecated title as the heading for now, with one console warning; heading wins', async () => {
    const page = await openHost({ title: 'Old style' });
    const w = widget(page);
    expect(await w.host.locator('h2').textContent()).toBe('Old style');
    // The launcher and panel blank the host's title, so it does not show as a tooltip over them.
    expect(await w.launcher.getAttribute('title')).toBe('');
    expect(await w.panel.getAttribute('title')).toBe('');
    await expect.poll(() => warnings(page)).toEqual([expect.stringMatching(/title attribute is deprecated.*use heading/)]);

    await w.host.evaluate(async (el) => {
      el.setAttribute('heading', 'New style');
      // A second element with a title: the page has been told already.
      const second = document.createElement('support-chat');
      second.setAttribute('title', 'Second');
      document.body.append(second);
      await (second as Chat).updateComplete;
      await (el as Chat).updateComplete;
    });
    expect(await page.locator('support-chat').first().locator('h2').textContent()).toBe('New style');
    expect(await page.locator('support-chat').nth(1).locator('h2').textContent()).toBe('Second');
    expect(await warnings(page)).toHaveLength(1);
  });

  it('open is a boolean property that reflects the attribute, with show(), hide() and toggle()', async () => {
    const page = await openHost();
    const w = widget(page);
    const state = () =>
      w.host.evaluate(async (el) => {
        await (el as Chat).updateComplete;
        return { open: (el as Chat).open, attribute: el.hasAttribute('open') };
      });
    const call = (method: 'show' | 'hide' | 'toggle') => w.host.evaluate((el, m) => (el as Chat)[m](), method);
    const setOpen = (value: boolean) =>
      w.host.evaluate((el, v) => {
        (el as Chat).open = v;
      }, value);

    expect(await w.host.evaluate((el) => typeof (el as Chat).open)).toBe('boolean');
    expect(await state()).toEqual({ open: false, attribute: false });
    expect(await w.panel.isVisible()).toBe(false);

    await call('show');
    expect(await state()).toEqual({ open: true, attribute: true });
    await expect.poll(() => w.panel.isVisible()).toBe(true);
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');
    await call('show'); // already open: no second event
    await call('hide');
    expect(await state()).toEqual({ open: false, attribute: false });
    await expect.poll(() => w.panel.isVisible()).toBe(false);
    await call('toggle');
    expect(await state()).toEqual({ open: true, attribute: true });
    await call('toggle');
    expect(await state()).toEqual({ open: false, attribute: false });

    await setOpen(true);
    expect(await state()).toEqual({ open: true, attribute: true });
    await w.host.evaluate((el) => el.removeAttribute('open'));
    expect(await state()).toEqual({ open: false, attribute: false });
    await w.host.evaluate((el) => el.setAttribute('open', ''));
    expect(await state()).toEqual({ open: true, attribute: true });
    await expect.poll(() => w.panel.isVisible()).toBe(true);
    await setOpen(false);
    expect(await state()).toEqual({ open: false, attribute: false });

    expect(await events(page)).toEqual(['support-chat-open', 'support-chat-close', 'support-chat-open', 'support-chat-close', 'support-chat-open', 'support-chat-close', 'support-chat-open', 'support-chat-close']);
  });

  it('starts open from the open attribute in the markup', async () => {
    const page = await openHost({ open: '' });
    const w = widget(page);
    await expect.poll(() => w.panel.isVisible()).toBe(true);
    expect(await w.host.evaluate((el) => (el as Chat).open)).toBe(true);
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');
  });
});
