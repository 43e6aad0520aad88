import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  Account,
  EndUser,
  accessibilityViolations,
  addAgent,
  api,
  cardFor,
  logIn,
  newPage,
  openAdminPage,
  tokenFor,
  useServerAndBrowser,
} from './harness';

// README screenshots: the Team page as an admin sees it, and a one-time link just made.
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url);

/** A console in its own browser context, so several agents can be signed in side by side. */
interface Console {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

describe('the team in the console: names on messages, managing agents, profiles', () => {
  const { server, browser } = useServerAndBrowser();
  const open: Console[] = [];

  afterEach(async () => {
    for (const c of open.splice(0)) await c.context.close();
  });

  async function consoleFor(account?: Account): Promise<Console> {
    const c = await newPage(browser());
    open.push(c);
    await logIn(c.page, server(), account);
    return c;
  }

  async function openTeam(page: Page): Promise<void> {
    await openAdminPage(page, 'team');
    await page.locator('tr[data-agent-id]').first().waitFor();
  }

  const rowOf = (page: Page, email: string) =>
    page.locator('tr[data-agent-id]', { has: page.locator('.email', { hasText: email }) });

  /** The agent's reply as it reached the server, written from their own console. */
  async function reply(page: Page, text: string): Promise<void> {
    await page.locator('textarea').fill(text);
    await page.locator('textarea').press('Enter');
    await page.locator('[data-sender="admin"][data-message-id]', { hasText: text }).waitFor();
  }

  const sender = (page: Page, text: string) =>
    page.locator('[data-sender="admin"][data-message-id]', { hasText: text }).locator('.sender');

  it("shows another agent's name on their message and “You” on one's own, both ways round, live", async () => {
    const ana = await addAgent(server(), 'Ana Lima');
    const customer = new EndUser(server(), 'names@example.com', 'Nora');
    const chatId = await customer.openChat();
    await customer.send('Hello, anyone?');
    await api(server(), `/api/admin/chats/${chatId}/messages`, {
      method: 'POST',
      token: await tokenFor(server(), ana),
      body: { content: 'Ana here, how can I help?' },
    });

    const admin = await consoleFor();
    await cardFor(admin.page, chatId).click();
    await sender(admin.page, 'Ana here').waitFor();
    expect(await sender(admin.page, 'Ana here').textContent()).toBe('Ana Lima');
    const anaMessage = admin.page.locator('[data-message-id]', { hasText: 'Ana here' });
    expect(await anaMessage.locator('.avatar').textContent()).toBe('AL');
    await reply(admin.page, 'The admin joins in');
    expect(await sender(admin.page, 'The admin joins in').textContent()).toBe('You');
    expect(
      await admin.page
        .locator('[data-message-id]', { hasText: 'The admin joins in' })
        .locator('.avatar')
        .count(),
    ).toBe(0);

    // Ana's console, the other way round; and a message the admin sends now arrives live, named.
    const anaConsole = await consoleFor(ana);
    await cardFor(anaConsole.page, chatId).click();
    await sender(anaConsole.page, 'The admin joins in').waitFor();
    expect(await sender(anaConsole.page, 'Ana here').textContent()).toBe('You');
    // The first admin has no name: their email's local part stands in.
    expect(await sender(anaConsole.page, 'The admin joins in').textContent()).toBe('admin');
    await reply(admin.page, 'Sent while Ana watches');
    await sender(anaConsole.page, 'Sent while Ana watches').waitFor();
    expect(await sender(anaConsole.page, 'Sent while Ana watches').textContent()).toBe('admin');
    // The user's side gets the same names.
    expect((await customer.messages()).map((m) => m.sender_name)).toEqual([
      null,
      'Ana Lima',
      'admin',
      'admin',
    ]);
    expect(await accessibilityViolations(anaConsole.page)).toEqual([]);
    expect([...admin.errors, ...anaConsole.errors]).toEqual([]);
  });

  it('an admin adds an agent with a one-time link, the link sets the password, and the agent signs in', async () => {
    const admin = await consoleFor();
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server().url,
    });
    await openTeam(admin.page);
    expect(await accessibilityViolations(admin.page)).toEqual([]);

    await admin.page.locator('.add-toggle').click();
    await admin.page.fill('.add-form input[name=email]', 'dana.scully@example.com');
    await admin.page.fill('.add-form input[name=name]', 'Dana Scully');
    await admin.page.locator('.add-form button[type=submit]').click();
    const panel = admin.page.locator('app-one-time-link');
    await panel.waitFor();
    expect(await panel.locator('h2').textContent()).toBe('Set-password link for Dana Scully');
    expect(await panel.textContent()).toContain("It won't be shown again.");
    const link = await panel.locator('input.url').inputValue();
    expect(link).toMatch(new RegExp(`^${server().url}/admin/set-password\\?token=[\\w-]{20,}$`));
    await panel.locator('.copy-button').click();
    await panel.locator('[role=status]', { hasText: 'Copied to the clipboard.' }).waitFor();
    expect(await admin.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    expect(await accessibilityViolations(admin.page)).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await admin.page.screenshot({ path: new URL('console-team-link.png', SCREENSHOTS).pathname });
    const row = rowOf(admin.page, 'dana.scully@example.com');
    expect(await row.locator('.name').textContent()).toBe('Dana Scully');
    expect(await row.locator('.state').textContent()).toContain('Active');
    await panel.locator('.done').click();
    await panel.waitFor({ state: 'detached' });
    // Shown once: gone from the page, and the server never lists it.
    expect(await admin.page.content()).not.toContain(link.split('token=')[1]);
    await admin.page.reload();
    await admin.page.locator('tr[data-agent-id]').first().waitFor();
    expect(await admin.page.locator('app-one-time-link').count()).toBe(0);

    // Dana opens the link in a browser of her own.
    const dana = await newPage(browser());
    open.push(dana);
    await dana.page.goto(link);
    await dana.page.locator('h1', { hasText: 'Set your password' }).waitFor();
    expect(await accessibilityViolations(dana.page)).toEqual([]);
    await dana.page.fill('input[name=password]', 'too short');
    await dana.page.fill('input[name=repeat]', 'too short');
    await dana.page.locator('button[type=submit]').click();
    await dana.page
      .locator('[role=alert]', { hasText: 'Password must be at least 12 characters.' })
      .waitFor();
    await dana.page.fill('input[name=password]', 'the truth is out there');
    await dana.page.fill('input[name=repeat]', 'the truth is out there');
    await dana.page.locator('button[type=submit]').click();
    await dana.page.waitForURL(/\/admin\/login\?password=set$/);
    await dana.page
      .locator('[role=status]', { hasText: 'Your password is set. Sign in with it.' })
      .waitFor();
    await dana.page.fill('input[name=email]', 'dana.scully@example.com');
    await dana.page.fill('input[name=password]', 'the truth is out there');
    await dana.page.click('button[type=submit]');
    await dana.page.waitForURL(/\/admin\/chats$/);
    await dana.page.locator('a.agent', { hasText: 'Dana Scully' }).waitFor();
    expect(await dana.page.locator('a.team-link').count()).toBe(0);

    // The link worked once.
    const again = await api(server(), '/api/auth/set-password', {
      method: 'POST',
      token: null,
      body: { token: new URL(link).searchParams.get('token'), password: 'another long password' },
    });
    expect(again.status).toBe(400);
    expect([...admin.errors, ...dana.errors]).toEqual([]);
  });

  it('a non-admin sees no Team link, is kept off the page, and the server answers 403', async () => {
    const ben = await addAgent(server(), 'Ben Agent');
    const { page, errors } = await consoleFor(ben);
    await page.locator('a.agent', { hasText: 'Ben Agent' }).waitFor();
    expect(await page.locator('.topbar nav a').allTextContents()).toEqual(['Chats']);
    await page.goto(`${server().url}/admin/team`);
    await page.waitForURL(/\/admin\/chats$/);
    await page.locator('h1', { hasText: 'Support Chats' }).waitFor();
    expect(await page.locator('a.team-link').count()).toBe(0);
    // Even asked directly, with the agent's own token, the server refuses.
    const status = await page.evaluate(async () => {
      const session = JSON.parse(sessionStorage.getItem('support-console.session') ?? '{}') as {
        token?: string;
      };
      const res = await fetch('/api/admin/agents', {
        headers: { authorization: `Bearer ${session.token}` },
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect(errors).toEqual([]);
  });

  it("manages the team: rename and role, the server's refusals in its words, a password reset", async () => {
    const cleo = await addAgent(server(), 'Cleo Park');
    const admin = await consoleFor();
    await openTeam(admin.page);
    const page = admin.page;

    // The only active admin cannot step down.
    const team = (
      await api<{ email: string; role: string; active: boolean }[]>(server(), '/api/admin/agents')
    ).body;
    expect(team.filter((a) => a.role === 'admin' && a.active).map((a) => a.email)).toEqual([
      server().admin.email,
    ]);
    const me = rowOf(page, server().admin.email);
    await me.locator('.edit').click();
    await me.locator('select.edit-role').selectOption('agent');
    await me.locator('.save').click();
    await page
      .locator('[role=alert]', {
        hasText: 'The last active admin cannot be demoted or deactivated.',
      })
      .waitFor();
    expect(await page.locator('a.team-link').count()).toBe(1);
    await me.locator('button', { hasText: 'Cancel' }).click();

    // A weak password is refused with the rule.
    await page.locator('.add-toggle').click();
    await page.fill('.add-form input[name=email]', 'weak@example.com');
    await page.fill('.add-form input[name=name]', 'Weak');
    await page.fill('.add-form input[name=password]', 'short');
    await page.locator('.add-form button[type=submit]').click();
    await page.locator('[role=alert]', { hasText: 'at least 12 characters' }).waitFor();
    await page.locator('.add-form button', { hasText: 'Cancel' }).click();

    // Rename and promote.
    const row = rowOf(page, cleo.email);
    await row.locator('.edit').click();
    await row.locator('input.edit-name').fill('Cleo Park-Lee');
    await row.locator('select.edit-role').selectOption('admin');
    await row.locator('.save').click();
    await page.locator('[role=status]', { hasText: 'Saved Cleo Park-Lee.' }).waitFor();
    expect(await row.locator('.name').textContent()).toBe('Cleo Park-Lee');
    expect(await row.locator('.role').textContent()).toBe('Admin');
    const saved = (
      await api<{ id: string; name: string; role: string }[]>(server(), '/api/admin/agents')
    ).body;
    expect(saved.find((a) => a.id === cleo.id)).toMatchObject({
      name: 'Cleo Park-Lee',
      role: 'admin',
    });

    // Reset to a password the admin sets: the old one stops working, the new one works.
    await row.locator('.reset').click();
    await page.locator('.reset-form input[type=password]').fill('a freshly set password');
    await page.locator('.reset-form button[type=submit]').click();
    await page.locator('[role=status]', { hasText: 'Cleo Park-Lee has a new password' }).waitFor();
    const oldLogin = await api(server(), '/api/auth/login', {
      method: 'POST',
      token: null,
      body: { email: cleo.email, password: cleo.password },
    });
    expect(oldLogin.status).toBe(401);
    await tokenFor(server(), { email: cleo.email, password: 'a freshly set password' });

    // Reset to a one-time link instead.
    await row.locator('.reset').click();
    await page.locator('.reset-form button[type=submit]').click();
    const link = await page.locator('app-one-time-link input.url').inputValue();
    expect(link).toContain('/admin/set-password?token=');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(admin.errors).toEqual([]);
  });

  it('deactivating a signed-in agent sends their console back to login at once; reactivating lets them in', async () => {
    const eve = await addAgent(server(), 'Eve Moneypenny');
    const customer = new EndUser(server(), 'eve.customer@example.com', 'Quinn');
    await customer.send('Is Eve there?');
    const eveConsole = await consoleFor(eve);
    await eveConsole.page.locator('.status[data-connected="true"]').waitFor();

    const admin = await consoleFor();
    await openTeam(admin.page);
    const row = rowOf(admin.page, eve.email);
    await row.locator('.deactivate').click();
    const confirm = admin.page.locator('.confirm');
    expect(await confirm.textContent()).toContain('Deactivate Eve Moneypenny?');
    expect(await accessibilityViolations(admin.page)).toEqual([]);
    await confirm.locator('.danger-button').click();
    await admin.page
      .locator('[role=status]', { hasText: 'Eve Moneypenny is deactivated' })
      .waitFor();
    expect(await row.getAttribute('data-active')).toBe('false');

    // Eve's console, with nothing done on her side, is back at the login page.
    await eveConsole.page.waitForURL(/\/admin\/login\?(.*&)?session=ended/);
    await eveConsole.page
      .locator('[role=status]', { hasText: 'Your session has ended. Sign in again.' })
      .waitFor();
    expect(
      await eveConsole.page.evaluate(() => sessionStorage.getItem('support-console.session')),
    ).toBeNull();
    await eveConsole.page.fill('input[name=email]', eve.email);
    await eveConsole.page.fill('input[name=password]', eve.password);
    await eveConsole.page.click('button[type=submit]');
    await eveConsole.page
      .locator('[role=alert]', { hasText: 'This account is deactivated.' })
      .waitFor();

    // The README's picture of the Team page: a few agents, one of them deactivated.
    await addAgent(server(), 'Frank Castle', 'admin');
    await admin.page.reload();
    await rowOf(admin.page, eve.email).waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await admin.page.setViewportSize({ width: 1100, height: 620 });
    await admin.page.screenshot({ path: new URL('console-team.png', SCREENSHOTS).pathname });

    const again = rowOf(admin.page, eve.email);
    await again.locator('.reactivate').click();
    await admin.page.locator('.confirm .primary').click();
    await admin.page
      .locator('[role=status]', { hasText: 'Eve Moneypenny is active again' })
      .waitFor();
    await eveConsole.page.click('button[type=submit]');
    await eveConsole.page.waitForURL(/\/admin\/chats/);
    await eveConsole.page.locator('.status[data-connected="true"]').waitFor();
    expect([...admin.errors, ...eveConsole.errors]).toEqual([]);
  });

  it('a rename from the profile shows on the next message, older ones keep the old name; a new password keeps the console going', async () => {
    const finn = await addAgent(server(), 'Finn');
    const customer = new EndUser(server(), 'finn.customer@example.com');
    const chatId = await customer.openChat();
    await customer.send('Hi Finn');

    const finnConsole = await consoleFor(finn);
    const page = finnConsole.page;
    await cardFor(page, chatId).click();
    await reply(page, 'Before the rename');

    await page.locator('a.agent').click();
    await page.waitForURL(/\/admin\/profile$/);
    await page.locator('h1', { hasText: 'Finn' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.fill('input[name=name]', 'Finn Mertens');
    await page.locator('.name-form button[type=submit]').click();
    await page.locator('[role=status]', { hasText: 'Saved.' }).waitFor();
    await page.locator('a.agent .agent-name', { hasText: 'Finn Mertens' }).waitFor();
    expect(await page.locator('a.agent .avatar').textContent()).toBe('FM');

    await page.goto(`${server().url}/admin/chats/${chatId}`);
    await reply(page, 'After the rename');
    const admin = await consoleFor();
    await cardFor(admin.page, chatId).click();
    await sender(admin.page, 'After the rename').waitFor();
    expect(await sender(admin.page, 'Before the rename').textContent()).toBe('Finn');
    expect(await sender(admin.page, 'After the rename').textContent()).toBe('Finn Mertens');
    expect((await customer.messages()).map((m) => m.sender_name)).toEqual([
      null,
      'Finn',
      'Finn Mertens',
    ]);

    // A new password: the server ends every session of Finn's and answers with a token for this
    // one, which carries on (the socket reconnects with it) instead of going back to login.
    await page.locator('a.agent').click();
    await page.waitForURL(/\/admin\/profile$/);
    await page.fill('input[name=current-password]', finn.password);
    await page.fill('input[name=new-password]', 'a brand new passphrase');
    await page.fill('input[name=repeat-password]', 'a brand new passphrase');
    await page.locator('.password-form button[type=submit]').click();
    await page.locator('[role=status]', { hasText: 'Your password is changed.' }).waitFor();
    await page.locator('a', { hasText: 'Chats' }).first().click();
    await cardFor(page, chatId).click();
    const userSocket = await customer.connect();
    try {
      await reply(page, 'After the new password');
      const live = await userSocket.waitFor((m) => m.content === 'After the new password');
      expect(live.sender_name).toBe('Finn Mertens');
    } finally {
      userSocket.close();
    }
    await page.locator('.status[data-connected="true"]').waitFor();
    expect(page.url()).not.toMatch(/\/login/);
    const oldPassword = await api(server(), '/api/auth/login', {
      method: 'POST',
      token: null,
      body: { email: finn.email, password: finn.password },
    });
    expect(oldPassword.status).toBe(401);
    await tokenFor(server(), { email: finn.email, password: 'a brand new passphrase' });
    expect([...finnConsole.errors, ...admin.errors]).toEqual([]);
  });
});
