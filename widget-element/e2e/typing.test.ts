import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Api, useBackendSiteAndBrowser, waitForAttribute, widget } from './support/harness.js';

let agent: Socket | undefined;

const env = useBackendSiteAndBrowser();

afterEach(async () => {
  agent?.disconnect();
});

interface TypingEvent {
  chat_id: string;
  sender_type: 'user' | 'admin';
  typing: boolean;
}

/** An agent's console socket watching one chat. */
async function agentIn(token: string, chatId: string): Promise<Socket> {
  const socket = io(`${env.server.url}/support`, { auth: { token }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ack = (await socket.timeout(5000).emitWithAck('subscribe', { chat_id: chatId })) as { ok: boolean };
  if (!ack.ok) throw new Error('the agent could not join the chat');
  return socket;
}

const typing = (socket: Socket, value: boolean) => socket.timeout(5000).emitWithAck('typing', { chat_id: chatIdOf(socket), typing: value });
const chats = new WeakMap<Socket, string>();
const chatIdOf = (socket: Socket) => chats.get(socket)!;

/** The next `typing` the agent hears from the user with this value. */
function userTyping(socket: Socket, value: boolean): Promise<TypingEvent> {
  return new Promise((resolve) => {
    const handler = (e: TypingEvent) => {
      if (e.sender_type !== 'user' || e.typing !== value) return;
      socket.off('typing', handler);
      resolve(e);
    };
    socket.on('typing', handler);
  });
}

describe('<support-chat> "is typing" against the real backend', () => {
  it("shows an agent's typing as plain text and clears it on a stop, on their message, after 6 s and when they leave", async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const token = env.server.userToken({ sub: `typing-${Date.now()}`, email: 'typing@example.com', name: 'Tia' });
    const api = new Api(env.server, token);
    // Markup in an agent's name must stay characters.
    const anaToken = await api.newAgent('Ana');
    const renamed = await fetch(`${env.server.url}/api/admin/me`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${anaToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '<b>Ana</b>' }),
    });
    expect(renamed.status).toBe(200);
    await page.goto(`${env.host.url}/?${new URLSearchParams({ server: env.server.url, token, open: '' })}`);
    const w = widget(page);
    await waitForAttribute(w.status, 'data-connected', 'true');
    const { id: chatId } = await api.chat();
    agent = await agentIn(anaToken, chatId);
    chats.set(agent, chatId);
    const line = w.host.locator('[part~="typing"]');

    // The element joins its chat's room a moment after it connects. A console repeats "typing"
    // every 2 s while its agent types (the server lets one through per 2 s), so the line shows
    // from the first one the element can hear.
    let shown = false;
    const showing = line.waitFor().then(() => (shown = true));
    for (let n = 0; n < 10 && !shown; n++) {
      await typing(agent, true);
      await Promise.race([showing, new Promise((resolve) => setTimeout(resolve, 2100))]);
    }
    await showing;
    expect(await line.textContent()).toBe('<b>Ana</b> is typing…');
    expect(await line.locator('b').count()).toBe(0);

    await typing(agent, false);
    await line.waitFor({ state: 'detached' });

    // The agent sends: the line goes at once with their message.
    await typing(agent, true);
    await line.waitFor();
    await api.agentReply('here is your answer', anaToken);
    await w.bubble('here is your answer').waitFor();
    expect(await line.count()).toBe(0);

    // Silence: it lapses 6 s after the last signal, not before. (The reply went over REST, so the
    // server still counts the agent as typing; a stop first lets the next start through its 2 s limit.)
    await typing(agent, false);
    await typing(agent, true);
    await line.waitFor();
    const shownAt = Date.now();
    await line.waitFor({ state: 'detached', timeout: 10_000 });
    expect(Date.now() - shownAt).toBeGreaterThan(5000);

    // The agent closes the console: the server's stop clears it.
    await typing(agent, true);
    await line.waitFor();
    agent.disconnect();
    await line.waitFor({ state: 'detached', timeout: 3000 });
    expect(errors).toEqual([]);
  });

  it("tells the agents while the user types, and stops on send and on leaving the field", async () => {
    const context = await env.newContext();
    const page = await context.newPage();
    const token = env.server.userToken({ sub: `typist-${Date.now()}`, email: 'typist@example.com', name: 'Tia' });
    const api = new Api(env.server, token);
    await page.goto(`${env.host.url}/?${new URLSearchParams({ server: env.server.url, token, open: '' })}`);
    const w = widget(page);
    await waitForAttribute(w.status, 'data-connected', 'true');
    const { id: chatId } = await api.chat();
    agent = await agentIn(await env.server.adminToken(), chatId);

    // The element joins its chat's room a moment after it connects; typing before that reaches
    // nobody, so the user types the word again (at the element's 2 s pace) until the agent hears.
    let started = userTyping(agent, true);
    let heard = false;
    void started.then(() => (heard = true));
    for (let n = 0; n < 10 && !heard; n++) {
      await w.input.fill('');
      await w.input.pressSequentially('hel');
      await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 2100))]);
    }
    expect(await started).toMatchObject({ chat_id: chatId, sender_type: 'user', typing: true });
    let stopped = userTyping(agent, false);
    await w.input.press('Enter');
    await stopped;
    await w.bubble('hel').waitFor();

    started = userTyping(agent, true);
    await w.input.pressSequentially('more');
    await started;
    stopped = userTyping(agent, false);
    await w.input.blur();
    await stopped;
  });
});
