import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { useBackendSiteAndBrowser, waitForAttribute, widget } from './support/harness.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let agent: Socket | undefined;

const env = useBackendSiteAndBrowser();

afterEach(async () => {
  agent?.disconnect();
});

/** A console tab of the first admin: while it is connected, the team is online. */
async function agentConsole(): Promise<Socket> {
  const socket = io(`${env.server.url}/support`, { auth: { token: await env.server.adminToken() }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

describe("<support-chat>'s availability line against the real backend", () => {
  it('says whether the team is online, away or offline, live, as text the host can reword', async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const token = env.server.userToken({ sub: `availability-${Date.now()}`, email: 'avail@example.com' });
    await page.goto(`${env.host.url}/?${new URLSearchParams({ server: env.server.url, token, open: '' })}`);
    const w = widget(page);
    await waitForAttribute(w.status, 'data-connected', 'true');
    const line = w.host.locator('[part~="availability"]');

    // Nobody signed in to the console.
    await w.host.locator('[part~="availability"][data-status="offline"]').waitFor();
    expect(await line.textContent()).toBe("We'll reply by email");

    // An agent opens the console: the line changes without a reload.
    agent = await agentConsole();
    await w.host.locator('[part~="availability"][data-status="online"]').waitFor();
    expect(await line.textContent()).toBe("We're online");
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; impact: string }[] }> } }).axe;
      return (await axe.run(document)).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    expect(violations).toEqual([]);

    // The agent steps away.
    const ack = (await agent.timeout(5000).emitWithAck('set_presence', { status: 'away' })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    await w.host.locator('[part~="availability"][data-status="away"]').waitFor();

    // The host rewords a line by attribute; markup in it stays characters.
    await w.host.evaluate((el) => el.setAttribute('availability-away', '<b>Back</b> in five minutes'));
    await w.host.locator('[part~="availability"]', { hasText: '<b>Back</b> in five minutes' }).waitFor();
    expect(await line.locator('b').count()).toBe(0);

    // The last console closes: offline again.
    agent.disconnect();
    await w.host.locator('[part~="availability"][data-status="offline"]').waitFor();
    expect(errors).toEqual([]);
  });
});
