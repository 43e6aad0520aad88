import { describe, expect, it } from 'vitest';
import { Api, bubbleTexts, useBackendSiteAndBrowser, waitForAttribute, widget } from './support/harness.js';

const POLL = { timeout: 15_000, interval: 100 };

const env = useBackendSiteAndBrowser();

describe('<support-chat> when its chat is gone, against the real backend', () => {
  it('starts over in the user’s new chat when the old one was erased while the widget was open, sending what was typed', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const sub = `gone-${Date.now()}`;
    const token = env.server.userToken({ sub, email: `${sub}@example.com` });
    const api = new Api(env.server, token);
    await page.goto(`${env.host.url}/?${new URLSearchParams({ server: env.server.url, token, open: '' })}`);
    const w = widget(page);
    await waitForAttribute(w.status, 'data-connected', 'true');
    await w.input.fill('before the erase');
    await w.input.press('Enter');
    await expect.poll(() => w.confirmed.count(), POLL).toBe(1);
    const { id: oldChat } = await api.chat();

    // The host application's backend erases the user through the server API, the widget still open.
    const admin = await env.server.adminToken();
    const created = await fetch(`${env.server.url}/api/admin/api-keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'host backend', scopes: ['privacy'] }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const erased = await fetch(`${env.server.url}/api/server/users/${encodeURIComponent(sub)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });
    expect(erased.status).toBe(204);

    // The user, still holding a valid token, writes again: the widget finds the chat gone, starts
    // over with the user's chat as it is now, and sends the message there.
    await w.input.fill('after the erase');
    await w.input.press('Enter');
    await expect.poll(() => bubbleTexts(page), POLL).toEqual(['after the erase']);
    await expect.poll(() => w.confirmed.count(), POLL).toBe(1);
    const now = await api.chat();
    expect(now.id).not.toBe(oldChat);
    expect(now.messages.map((m) => m.content)).toEqual(['after the erase']);
    expect(errors).toEqual([]);
  });
});
