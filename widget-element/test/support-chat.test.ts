import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../src/support-chat.js';
import { SupportChatElement } from '../src/internal/support-chat-element.js';
import { registerLocale } from '../src/internal/strings.js';
import { FakeBackend } from './fake-backend.js';

const SERVER = 'https://support.example.test';
let backend: FakeBackend;
let el: SupportChatElement;

function part(name: string): HTMLElement {
  const found = el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
  if (!found) throw new Error(`no part ${name}`);
  return found;
}
const parts = (name: string) => [...el.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
const bubbleTexts = () => parts('message').map((m) => m.querySelector('.content')!.textContent);
const textarea = () => part('input') as HTMLTextAreaElement;

async function mount(attrs: Record<string, string> = {}): Promise<SupportChatElement> {
  el = document.createElement('support-chat');
  el.setAttribute('server', SERVER);
  el.setAttribute('token', backend.userToken('u1'));
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  await el.updateComplete;
  await vi.waitFor(() => expect(backend.sockets.length).toBeGreaterThan(0));
  return el;
}

async function connected(): Promise<void> {
  backend.connect();
  await vi.waitFor(() => expect(part('status').dataset.connected).toBe('true'));
  await vi.waitFor(() => expect(backend.subscribes).toBeGreaterThan(0));
}

async function type(text: string): Promise<void> {
  const area = textarea();
  area.value = text;
  area.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}

function press(target: HTMLElement, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

beforeEach(() => {
  localStorage.clear();
  backend = new FakeBackend();
  SupportChatElement.transportFactory = backend.transport;
  vi.stubGlobal('fetch', backend.fetch);
});

afterEach(() => {
  el?.remove();
  vi.unstubAllGlobals();
});

describe('<support-chat>', () => {
  it('is registered and exposes the contract parts', async () => {
    await mount();
    expect(customElements.get('support-chat')).toBe(SupportChatElement);
    for (const name of ['launcher', 'panel', 'status', 'input', 'send']) expect(parts(name)).toHaveLength(1);
    expect(part('launcher').getAttribute('aria-expanded')).toBe('false');
    expect(part('status').dataset.connected).toBe('false');
    expect(parts('badge')).toHaveLength(0);
  });

  it('opens and closes by click and Escape, firing events', async () => {
    await mount();
    const log: string[] = [];
    el.addEventListener('support-chat-open', () => log.push('open'));
    el.addEventListener('support-chat-close', () => log.push('close'));

    part('launcher').click();
    await el.updateComplete;
    expect(el.open).toBe(true);
    expect(el.hasAttribute('open')).toBe(true);
    expect(part('launcher').getAttribute('aria-expanded')).toBe('true');
    expect(el.shadowRoot!.activeElement).toBe(textarea());

    press(textarea(), 'Escape');
    await el.updateComplete;
    expect(el.open).toBe(false);
    expect(el.hasAttribute('open')).toBe(false);
    expect(el.shadowRoot!.activeElement).toBe(part('launcher'));
    expect(log).toEqual(['open', 'close']);
  });

  it('has one open: a boolean property reflecting the attribute, with show(), hide() and toggle()', async () => {
    await mount();
    const log: string[] = [];
    el.addEventListener('support-chat-open', () => log.push('open'));
    el.addEventListener('support-chat-close', () => log.push('close'));
    const state = () => [el.open, el.hasAttribute('open'), part('launcher').getAttribute('aria-expanded')];
    expect(typeof el.open).toBe('boolean');
    expect(state()).toEqual([false, false, 'false']);

    el.show();
    await el.updateComplete;
    expect(state()).toEqual([true, true, 'true']);
    el.show(); // already open: no second event
    await el.updateComplete;
    el.hide();
    await el.updateComplete;
    expect(state()).toEqual([false, false, 'false']);
    el.toggle();
    await el.updateComplete;
    expect(state()).toEqual([true, true, 'true']);
    el.toggle();
    await el.updateComplete;
    expect(state()).toEqual([false, false, 'false']);

    // Frameworks that bind properties assign a boolean; others set the attribute.
    el.open = true;
    await el.updateComplete;
    expect(state()).toEqual([true, true, 'true']);
    el.removeAttribute('open');
    await el.updateComplete;
    expect(state()).toEqual([false, false, 'false']);
    el.setAttribute('open', '');
    await el.updateComplete;
    expect(state()).toEqual([true, true, 'true']);
    el.open = false;
    await el.updateComplete;
    expect(log).toEqual(['open', 'close', 'open', 'close', 'open', 'close', 'open', 'close']);
  });

  it('keeps the old close() and isOpen working for one release, warning once each', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await mount({ open: '' });
      expect(el.isOpen).toBe(true);
      el.close();
      await el.updateComplete;
      expect(el.open).toBe(false);
      el.isOpen = true;
      await el.updateComplete;
      expect(el.open).toBe(true);
      el.close();
      expect(el.isOpen).toBe(false);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/isOpen is deprecated.*use open/),
        expect.stringMatching(/close\(\) is deprecated.*use hide\(\)/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('sends on Enter, keeps a new line on Shift+Enter, and shows each message once', async () => {
    await mount({ open: '' });
    await connected();
    await type('line one');
    const shifted = press(textarea(), 'Enter', { shiftKey: true });
    expect(shifted.defaultPrevented).toBe(false);
    await el.updateComplete;
    expect(parts('message')).toHaveLength(0);

    await type('hello');
    const sent = press(textarea(), 'Enter');
    expect(sent.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(backend.messages).toHaveLength(1));
    await el.updateComplete;
    expect(bubbleTexts()).toEqual(['hello']);
    expect(parts('message')[0].dataset.sender).toBe('user');
    expect(parts('message')[0].dataset.pending).toBeUndefined();
    expect(textarea().value).toBe('');
  });

  it('shows a message typed offline as pending until the connection returns', async () => {
    await mount({ open: '' });
    await type('offline hello');
    part('send').click();
    await el.updateComplete;
    const bubble = parts('message')[0];
    expect(bubble.dataset.pending).toBe('true');
    expect(bubble.textContent).toContain('Waiting for connection');
    await connected();
    await vi.waitFor(() => expect(parts('message')[0].dataset.pending).toBeUndefined());
    expect(bubbleTexts()).toEqual(['offline hello']);
  });

  it('renders message content as text, never as markup', async () => {
    backend.store('<img src=x onerror="window.__xss=1"><b>bold</b>', 'admin');
    await mount({ open: '' });
    await vi.waitFor(() => expect(parts('message')).toHaveLength(1));
    const bubble = parts('message')[0];
    expect(bubble.querySelector('img, b')).toBeNull();
    expect(bubble.querySelector('.content')!.textContent).toBe('<img src=x onerror="window.__xss=1"><b>bold</b>');
    expect(bubble.dataset.sender).toBe('admin');
    expect(bubble.getAttribute('part')).toBe('message message-admin');
  });

  it('counts unread replies on the badge, caps it at 9+, and clears it on open', async () => {
    await mount();
    await connected();
    const counts: number[] = [];
    el.addEventListener('support-chat-unread-change', (e) => counts.push(e.detail.count));
    const messages: string[] = [];
    el.addEventListener('support-chat-message', (e) => messages.push(e.detail.message.content));

    backend.reply('first');
    await el.updateComplete;
    expect(part('badge').textContent).toBe('1');
    expect(part('launcher').getAttribute('aria-label')).toBe('Open support chat, 1 unread message');
    for (let i = 0; i < 9; i++) backend.reply(`more ${i}`);
    await el.updateComplete;
    expect(part('badge').textContent).toBe('9+');
    expect(el.unreadCount).toBe(10);

    el.show();
    await vi.waitFor(() => expect(parts('badge')).toHaveLength(0));
    expect(backend.markReadCalls).toBe(1);
    expect(counts[0]).toBe(1);
    expect(counts.at(-1)).toBe(0);
    expect(messages).toHaveLength(10);
  });

  it("announces agent replies in a live region, by the agent's name when the reply has one", async () => {
    await mount();
    await connected();
    const live = el.shadowRoot!.querySelector('[aria-live="polite"]')!;
    backend.reply('We are on it', null);
    await el.updateComplete;
    expect(live.textContent).toContain('Support: We are on it');
    backend.reply('Fixed it', 'Ana Lima');
    await el.updateComplete;
    expect(live.textContent).toContain('Ana Lima: Fixed it');
  });

  it("shows the agent's name on their reply as part agent, as text, and none on the user's messages", async () => {
    backend.store('My order is late', 'user');
    backend.store('Looking into it', 'admin', null, 'Ana Lima');
    backend.store('<img src=x onerror="window.__xss=1"> here', 'admin', null, '<b>Ben</b> & co');
    backend.store('Automated reply', 'admin', null, null);
    await mount({ open: '' });
    await connected();
    await vi.waitFor(() => expect(parts('message')).toHaveLength(4));
    const [user, ana, ben, unnamed] = parts('message');
    expect(user.querySelector('[part~="agent"]')).toBeNull();
    expect(ana.querySelector('[part~="agent"]')?.textContent).toBe('Ana Lima');
    // Markup in a name stays characters: no element is made from it.
    expect(ben.querySelector('[part~="agent"]')?.textContent).toBe('<b>Ben</b> & co');
    expect(ben.querySelector('[part~="agent"] b, img')).toBeNull();
    expect(unnamed.querySelector('[part~="agent"]')).toBeNull();
    expect(parts('agent')).toHaveLength(2);
    // The name sits at the top of the agent's bubble, before the text, and is not the text.
    expect(ana.firstElementChild?.getAttribute('part')).toBe('agent');
    expect(ana.querySelector('.content')?.textContent).toBe('Looking into it');

    // A live reply gets its name too.
    backend.reply('Shipped today', 'Cleo');
    await vi.waitFor(() => expect(parts('agent').map((a) => a.textContent)).toEqual(['Ana Lima', '<b>Ben</b> & co', 'Cleo']));
  });

  it("shows the team's availability under the header as text, reworded by attribute", async () => {
    await mount({ 'availability-offline': 'Leave a message, we answer by email' });
    await connected();
    // Nothing until the server says: a guess would be wrong half the time.
    expect(parts('availability')).toHaveLength(0);
    backend.socket.handlers.availability({ type: 'availability', status: 'online' });
    await el.updateComplete;
    expect(part('availability').textContent).toBe("We're online");
    expect(part('availability').dataset.status).toBe('online');
    backend.socket.handlers.availability({ type: 'availability', status: 'away' });
    await el.updateComplete;
    expect(part('availability').textContent).toBe("We're away for a moment; we'll reply soon");
    backend.socket.handlers.availability({ type: 'availability', status: 'offline' });
    await el.updateComplete;
    expect(part('availability').textContent).toBe('Leave a message, we answer by email');
    el.setAttribute('availability-offline', '<b>Back</b> at 9');
    await el.updateComplete;
    expect(part('availability').textContent).toBe('<b>Back</b> at 9');
    expect(part('availability').querySelector('b')).toBeNull();
  });

  it('fires support-chat-token-expired and reconnects with a new token keeping its state', async () => {
    backend.store('history', 'user');
    await mount({ open: '' });
    await vi.waitFor(() => expect(bubbleTexts()).toEqual(['history']));
    const expired = vi.fn();
    document.addEventListener('support-chat-token-expired', expired);
    backend.validTokens.clear();
    backend.connect();
    await vi.waitFor(() => expect(expired).toHaveBeenCalledTimes(1));
    document.removeEventListener('support-chat-token-expired', expired);

    el.token = backend.userToken('u1', { fresh: true });
    await el.updateComplete;
    expect(bubbleTexts()).toEqual(['history']);
    await connected();
    expect(backend.socket.token).toBe(el.token);
  });

  it('takes its heading, position and strings from attributes and locales', async () => {
    registerLocale('fr', { send: 'Envoyer', openChat: 'Ouvrir le chat' });
    await mount({ heading: 'ACME help', position: 'bottom-left', locale: 'fr-CA' });
    expect(el.shadowRoot!.querySelector('h2')!.textContent).toBe('ACME help');
    // The global title attribute stays the page's: no tooltip over the widget, none needed inside.
    expect(el.title).toBe('');
    expect(part('launcher').hasAttribute('title')).toBe(false);
    expect(part('panel').hasAttribute('title')).toBe(false);
    expect(part('send').getAttribute('aria-label')).toBe('Envoyer');
    expect(part('launcher').getAttribute('aria-label')).toBe('Ouvrir le chat');
    el.heading = 'ACME support';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('h2')!.textContent).toBe('ACME support');
    el.strings = { send: 'Go' };
    await el.updateComplete;
    expect(part('send').getAttribute('aria-label')).toBe('Go');
    expect(part('input').getAttribute('placeholder')).toBe('Type a message…');
  });

  it('still takes the deprecated title attribute as the heading, warning once; heading wins', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await mount({ title: 'Old help' });
      const h2 = () => el.shadowRoot!.querySelector('h2')!.textContent;
      expect(h2()).toBe('Old help');
      // The host's title would be a tooltip over everything inside: the launcher and panel blank it.
      expect(part('launcher').getAttribute('title')).toBe('');
      expect(part('panel').getAttribute('title')).toBe('');
      el.title = 'Set as a property';
      await el.updateComplete;
      expect(h2()).toBe('Set as a property');
      el.setAttribute('heading', 'New help');
      await el.updateComplete;
      expect(h2()).toBe('New help');
      el.removeAttribute('heading');
      el.removeAttribute('title');
      await el.updateComplete;
      expect(h2()).toBe('Support');
      expect(part('launcher').hasAttribute('title')).toBe(false);

      // A second element on the same page does not repeat the warning.
      const second = document.createElement('support-chat');
      second.setAttribute('title', 'Another');
      document.body.append(second);
      await second.updateComplete;
      expect(second.shadowRoot!.querySelector('h2')!.textContent).toBe('Another');
      second.remove();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/title attribute is deprecated.*use heading/);
    } finally {
      warn.mockRestore();
    }
  });

  it('stops its connection when removed from the page', async () => {
    await mount();
    await connected();
    el.remove();
    expect(backend.sockets.every((s) => s.closed)).toBe(true);
  });

  it('forgets the conversation on screen when the token is removed (sign-out)', async () => {
    backend.store('private history', 'user');
    await mount({ open: '' });
    await vi.waitFor(() => expect(bubbleTexts()).toEqual(['private history']));
    el.removeAttribute('token');
    await el.updateComplete;
    expect(parts('message')).toHaveLength(0);
    expect(backend.sockets.every((s) => s.closed)).toBe(true);
  });
});
