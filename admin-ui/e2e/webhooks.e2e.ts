import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  EndUser,
  accessibilityViolations,
  api,
  logIn,
  newPage,
  openAdminPage,
  useServerAndBrowser,
} from './harness';

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real receiver on 127.0.0.1: answers its scripted statuses in order, then 200. */
async function startReceiver(script: number[]) {
  const seen: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(script.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/support`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Standard Webhooks verification from the specification: which signatures this secret makes. */
function verifies(secret: string, r: Received): boolean[] {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`;
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  return String(r.headers['webhook-signature'])
    .split(' ')
    .map((s) => s === expected);
}

describe('webhooks in the console', () => {
  const { server, browser } = useServerAndBrowser({
    env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_BACKOFF_BASE_MS: '50' },
  });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    // The first delivery is refused with a 400 (not retried), so it can be resent from the page.
    receiver = await startReceiver([400]);
  });

  afterAll(async () => {
    await receiver?.close();
  });

  /** Refreshes the open deliveries until the newest one reads as `status` after `attempts`. */
  async function newestDelivery(page: Page, status: string, attempts: number): Promise<void> {
    await expect
      .poll(
        async () => {
          await page.locator('.deliveries .refresh').click();
          const row = page.locator('tr[data-delivery-id]').first();
          if (!(await row.count())) return null;
          return `${await row.getAttribute('data-status')}/${(await row.locator('.attempts').textContent())?.trim()}`;
        },
        { timeout: 15_000 },
      )
      .toBe(`${status}/${attempts}`);
  }

  it('adds an endpoint with its secret shown once, shows its deliveries, resends one and rotates the secret', async () => {
    const { context, page, errors } = await newPage(browser());
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server().url });
    await logIn(page, server());
    await openAdminPage(page, 'webhooks');
    await page.locator('.empty', { hasText: 'No webhook endpoints yet.' }).waitFor();

    // A refused address is explained, not saved.
    await page.fill('input[name=url]', 'not a url');
    await page.locator('button[type=submit]', { hasText: 'Add endpoint' }).click();
    await page.locator('.error[role=alert]', { hasText: 'absolute http(s) URL' }).waitFor();

    await page.fill('input[name=url]', receiver.url);
    await page.fill('input[name=description]', 'CRM sync');
    await page.locator('input[name="event-chat.archived"]').check();
    await page.locator('input[name=include-private]').check();
    await page.locator('button[type=submit]', { hasText: 'Add endpoint' }).click();
    const secretField = page.locator('input[name=new-secret]');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await page.locator('.new-secret .copy').click();
    await page.locator('.new-secret .copy', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const row = page.locator('tr[data-webhook-id]', {
      has: page.locator('.url', { hasText: receiver.url }),
    });
    expect(await row.locator('.event').allTextContents()).toEqual([
      'message.created',
      'chat.archived',
      '+ notes',
    ]);
    expect(await row.getAttribute('data-status')).toBe('Active');

    // Shown once: gone after Done, and not in the page after a reload.
    await page.locator('.new-secret .dismiss').click();
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret.slice(6));

    // A real event: a customer writes; the receiver refuses it (400), which is not retried.
    const customer = new EndUser(server(), 'hooks@example.com', 'Hana');
    await customer.send('Where is my parcel?');
    await expect.poll(() => receiver.seen.length, { timeout: 15_000 }).toBe(1);
    const first = receiver.seen[0];
    expect(verifies(secret, first)).toEqual([true]);
    expect(JSON.parse(first.body)).toMatchObject({
      type: 'message.created',
      data: { message: { content: 'Where is my parcel?' } },
    });

    // Keyboard: the Deliveries button opens the endpoint's deliveries.
    const toggle = row.locator('.deliveries-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.locator('#deliveries-heading', { hasText: receiver.url }).waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await newestDelivery(page, 'failed', 1);
    const delivery = page.locator('tr[data-delivery-id]').first();
    expect((await delivery.locator('.code').textContent())?.trim()).toBe('400');
    expect(await delivery.locator('.latency').textContent()).toMatch(/\d+ ms/);
    expect(await delivery.locator('.webhook-id').textContent()).toBe(first.headers['webhook-id']);

    // Resend: same webhook-id, accepted this time.
    await delivery.locator('.resend').click();
    await page.locator('.notice', { hasText: 'message.created queued again.' }).waitFor();
    await expect.poll(() => receiver.seen.length, { timeout: 15_000 }).toBe(2);
    expect(receiver.seen[1].headers['webhook-id']).toBe(first.headers['webhook-id']);
    await newestDelivery(page, 'succeeded', 2);
    expect((await delivery.locator('.code').textContent())?.trim()).toBe('200');

    // Rotate: a new secret shown once; the next request is signed by both.
    await row.locator('.rotate').click();
    await row.locator('button', { hasText: 'Rotate' }).click();
    await page.locator('#new-secret-heading', { hasText: 'New signing secret' }).waitFor();
    const rotated = await secretField.inputValue();
    expect(rotated).not.toBe(secret);
    await row.locator('.hint', { hasText: 'Old secret signs until' }).waitFor();
    await customer.send('Any news?');
    await expect.poll(() => receiver.seen.length, { timeout: 15_000 }).toBe(3);
    expect(verifies(secret, receiver.seen[2]).filter(Boolean)).toHaveLength(1);
    expect(verifies(rotated, receiver.seen[2]).filter(Boolean)).toHaveLength(1);
    await page.locator('.new-secret .dismiss').click();

    // A second endpoint, disabled, shows why.
    const other = await api<{ endpoint: { id: string } }>(server(), '/api/admin/webhooks', {
      method: 'POST',
      body: { url: 'http://127.0.0.1:9/warehouse', event_types: ['rating.created', 'user.erased'] },
    });
    await api(server(), `/api/admin/webhooks/${other.body.endpoint.id}`, {
      method: 'PATCH',
      body: { enabled: false },
    });
    await page.reload();
    const disabled = page.locator(`tr[data-webhook-id="${other.body.endpoint.id}"]`);
    await disabled.locator('.reason', { hasText: 'Disabled by an admin' }).waitFor();
    expect(await disabled.getAttribute('data-status')).toBe('Disabled');
    await row.locator('.deliveries-toggle').click();
    await newestDelivery(page, 'succeeded', 1);
    expect(await page.locator('tr[data-delivery-id]').count()).toBe(2);

    expect(await accessibilityViolations(page)).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Tall enough for the form, both endpoints and the deliveries at once.
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.screenshot({ path: new URL('console-webhooks.png', SCREENSHOTS).pathname });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('edits an endpoint’s URL and events: the next delivery goes to the new URL, with only those events', async () => {
    const [before, after] = await Promise.all([startReceiver([]), startReceiver([])]);
    try {
      const made = await api<{ endpoint: { id: string } }>(server(), '/api/admin/webhooks', {
        method: 'POST',
        body: { url: before.url, event_types: ['message.created', 'chat.archived'] },
      });
      expect(made.status).toBe(201);
      const id = made.body.endpoint.id;
      const { context, page, errors } = await newPage(browser());
      await logIn(page, server());
      await openAdminPage(page, 'webhooks');
      const row = page.locator(`tr[data-webhook-id="${id}"]`);
      await row.getByRole('button', { name: `Edit ${before.url}` }).click();
      const form = row.locator('app-webhook-form form');
      await form.locator('h2', { hasText: `Edit ${before.url}` }).waitFor();
      expect(await form.locator('input[name=url]').inputValue()).toBe(before.url);
      expect(await form.locator('input[name="event-message.created"]').isChecked()).toBe(true);

      // The same check as when adding, then the server's reason for a URL it refuses.
      await form.locator('input[name="event-message.created"]').uncheck();
      await form.locator('input[name="event-chat.archived"]').uncheck();
      await form.locator('button[type=submit]').click();
      await form.locator('.error[role=alert]', { hasText: 'at least one event' }).waitFor();
      await form.locator('input[name="event-chat.archived"]').check();
      await form.locator('input[name=url]').fill('https://someone:secret@crm.example.com/hooks');
      await form.locator('input[name=url]').press('Enter');
      await form.locator('.error[role=alert]', { hasText: 'user name or password' }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);

      await form.locator('input[name=url]').fill(after.url);
      await form.locator('input[name=url]').press('Enter');
      await page.locator('.notice', { hasText: `${after.url} saved.` }).waitFor();
      await form.waitFor({ state: 'detached' });
      expect(await row.locator('.url').textContent()).toBe(after.url);
      expect(await row.locator('.event').allTextContents()).toEqual(['chat.archived']);
      const saved = await api<{ url: string; event_types: string[] }>(
        server(),
        `/api/admin/webhooks/${id}`,
      );
      expect(saved.body).toMatchObject({ url: after.url, event_types: ['chat.archived'] });

      // A message (no longer chosen), then an archive (chosen): only the archive is sent, and
      // only to the new URL.
      const customer = new EndUser(server(), 'moved@example.com', 'Mo');
      await customer.send('Did my address change reach you?');
      await api(server(), `/api/admin/chats/${customer.chatId}/archive`, { method: 'POST' });
      await expect.poll(() => after.seen.length, { timeout: 15_000 }).toBe(1);
      expect(JSON.parse(after.seen[0].body)).toMatchObject({
        type: 'chat.archived',
        data: { chat: { id: customer.chatId } },
      });
      const deliveries = await api<{ items: { event_type: string }[] }>(
        server(),
        `/api/admin/webhooks/${id}/deliveries`,
      );
      expect(deliveries.body.items.map((d) => d.event_type)).toEqual(['chat.archived']);
      expect(before.seen).toEqual([]);
      expect(after.seen).toHaveLength(1);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  });
});
