import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Api, useBackendSiteAndBrowser, waitForAttribute, widget } from './support/harness.js';

// README screenshot: the rating prompt, a choice made and a comment typed.
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);
const POLL = { timeout: 15_000, interval: 100 };
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const env = useBackendSiteAndBrowser();

interface Rating {
  score: number;
  comment: string | null;
}

describe('<support-chat> rating against the real backend', () => {
  it('asks after an archive, rates by keyboard, stores one rating, and asks no more for that archive', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const token = env.server.userToken({ sub: `rating-${Date.now()}`, email: 'rating@example.com', name: 'Rae' });
    const api = new Api(env.server, token);
    const admin = await env.server.adminToken();
    const call = async (method: string, path: string) => {
      const res = await fetch(env.server.url + path, { method, headers: { Authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(200);
      return res.json() as Promise<unknown>;
    };
    const open = async () => {
      await page.goto(`${env.host.url}/?${new URLSearchParams({ server: env.server.url, token, open: '' })}`);
      await waitForAttribute(widget(page).status, 'data-connected', 'true');
    };

    await open();
    const w = widget(page);
    const rating = w.host.locator('[part~="rating"]');
    await w.input.fill('Where is my parcel?');
    await w.input.press('Enter');
    await expect.poll(() => w.confirmed.count(), POLL).toBe(1);
    const { id: chatId } = await api.chat();
    expect(await rating.count()).toBe(0);

    // The agent archives: the prompt arrives live.
    await call('POST', `/api/admin/chats/${chatId}/archive`);
    await expect.poll(() => rating.isVisible(), POLL).toBe(true);
    await expect.poll(() => w.host.locator('[aria-live="polite"]').textContent(), POLL).toBe('How was this conversation?');

    // A reload while it is unrated asks again (the page asks the server on load).
    const status = page.waitForResponse((r) => r.url().endsWith('/api/support_chat/rating') && r.request().method() === 'GET');
    await open();
    await status;
    await expect.poll(() => rating.isVisible(), POLL).toBe(true);

    // Keyboard only: into the choices, arrows to 4, Tab to the comment, Tab to the button, Enter.
    const radios = page.getByRole('radio');
    expect(await radios.count()).toBe(5);
    await expect.poll(() => page.getByRole('radio', { name: '1 Very bad' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('radio', { name: '5 Very good' }).count()).toBe(1);
    await page.getByRole('radio', { name: '1 Very bad' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: '4 Good' }).isChecked()).toBe(true);
    // No serious or critical accessibility problem with the prompt on screen.
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; impact: string }[] }> } }).axe;
      return (await axe.run(document)).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    expect(violations).toEqual([]);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Quick <b>and</b> kind');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await w.panel.screenshot({ path: new URL('element-rating.png', SCREENSHOTS).pathname });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    await expect.poll(() => rating.textContent(), POLL).toBe('Thanks for your feedback!');
    expect(await rating.getAttribute('role')).toBe('status');
    const stored = (await call('GET', `/api/admin/chats/${chatId}/ratings`)) as Rating[];
    expect(stored).toMatchObject([{ score: 4, comment: 'Quick <b>and</b> kind' }]);

    // The same archive asks no more: not on reload (once the page has heard the server's answer)...
    const after = page.waitForResponse((r) => r.url().endsWith('/api/support_chat/rating') && r.request().method() === 'GET');
    await open();
    expect(await (await after).json()).toEqual({ chat_id: chatId, requested: false });
    await expect.poll(() => w.confirmed.count(), POLL).toBe(1);
    // ...nor on a repeated archive click: the agent's reply after it arrives, the prompt does not.
    await call('POST', `/api/admin/chats/${chatId}/archive`);
    await api.agentReply('Glad we could help');
    await expect.poll(() => w.confirmed.count(), POLL).toBe(2);
    expect(await rating.count()).toBe(0);

    // Writing again reopens the chat; the next archive asks again, and writing hides the prompt.
    await w.input.fill('One more thing');
    await w.input.press('Enter');
    await expect.poll(() => w.confirmed.count(), POLL).toBe(3);
    await call('POST', `/api/admin/chats/${chatId}/archive`);
    await expect.poll(() => rating.isVisible(), POLL).toBe(true);
    await w.input.fill('Actually, another question');
    await w.input.press('Enter');
    await expect.poll(() => rating.count(), POLL).toBe(0);
    expect(errors).toEqual([]);
  });
});
