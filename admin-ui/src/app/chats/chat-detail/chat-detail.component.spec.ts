import { signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { AdminSupportChat, SupportMessage } from '../../core/api.types';
import { MESSAGES_AFTER_LIMIT } from '../../core/chats-api.service';
import { ClockService } from '../../core/clock.service';
import { SESSION_STORAGE_KEY } from '../../core/auth.service';
import { SocketService } from '../../core/socket.service';
import { adminChat, message } from '../../../testing/factories';
import { BlankComponent } from '../../../testing/blank.component';
import { FakeSocketService } from '../../../testing/fake-socket';
import { fakeLabelsCatalogue } from '../../../testing/fake-labels';
import { ChatsStore } from '../chats.store';
import { LabelsCatalogue } from '../chat-list/labels-catalogue.service';
import { ChatDetailComponent } from './chat-detail.component';

const CHAT = 'chat-1';
// Catch-up pages of three instead of the server's thousand: the paging is the same.
const PAGE = 3;

describe('ChatDetailComponent', () => {
  let fixture: ComponentFixture<ChatDetailComponent>;
  let backend: HttpTestingController;
  let catalogue: ReturnType<typeof fakeLabelsCatalogue>;
  let socket: FakeSocketService;
  let el: HTMLElement;
  let visibility: DocumentVisibilityState;

  beforeEach(() => {
    socket = new FakeSocketService();
    catalogue = fakeLabelsCatalogue();
    // Signed in as the agent the fake socket's sends come from.
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 't',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'agent-1', email: 'agent@example.com', name: 'Agent', role: 'agent' },
      }),
    );
    visibility = 'visible';
    // jsdom has no tabs: the test decides whether the console's tab is in front.
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility,
    });
    TestBed.configureTestingModule({
      imports: [ChatDetailComponent],
      providers: [
        ChatsStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: '**', component: BlankComponent }]),
        { provide: SocketService, useValue: socket },
        { provide: MESSAGES_AFTER_LIMIT, useValue: PAGE },
        { provide: LabelsCatalogue, useValue: catalogue },
        {
          provide: ClockService,
          useValue: { now: signal(Date.parse('2024-01-30T12:00:00.000Z')) },
        },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    sessionStorage.clear();
    // The rating lines load their own list (chat-ratings.component.spec.ts covers them).
    backend.match((r) => r.url.endsWith('/ratings'));
    backend.verify();
    delete (document as { visibilityState?: DocumentVisibilityState }).visibilityState;
  });

  function setVisibility(state: DocumentVisibilityState): void {
    visibility = state;
    document.dispatchEvent(new Event('visibilitychange'));
  }

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  /** The chat's first page; `view: false` is the fetch that records no view. */
  function expectChatFetch({ view = true } = {}): TestRequest {
    return backend.expectOne(
      (r) =>
        r.url === `/api/admin/chats/${CHAT}` &&
        !r.params.has('before') &&
        r.params.get('view') === (view ? null : 'false'),
    );
  }

  function isChatFetch(r: { url: string; params: { has(name: string): boolean } }): boolean {
    return r.url === `/api/admin/chats/${CHAT}` && !r.params.has('before');
  }

  function create(): void {
    fixture = TestBed.createComponent(ChatDetailComponent);
    fixture.componentRef.setInput('id', CHAT);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
  }

  async function open(chat: Partial<AdminSupportChat> = {}, { view = true } = {}): Promise<void> {
    create();
    // The room's join is answered first; the fetch follows it.
    await settle();
    expectChatFetch({ view }).flush(adminChat({ id: CHAT, ...chat }));
    await settle();
  }

  /** Answers the list's refetch that every reconnect also causes (the shell's store). */
  function answerListRefetch(): void {
    backend.expectOne((r) => r.url === '/api/admin/chats').flush({ items: [], next_cursor: null });
  }

  const bubbles = (): { sender: string | null; text: string | null; mine: boolean }[] =>
    Array.from(el.querySelectorAll('[data-sender]')).map((m) => ({
      sender: m.getAttribute('data-sender'),
      text: m.querySelector('.bubble')!.textContent,
      mine: m.classList.contains('mine'),
    }));

  const textarea = (): HTMLTextAreaElement => el.querySelector('textarea')!;

  async function type(text: string): Promise<void> {
    textarea().value = text;
    textarea().dispatchEvent(new Event('input'));
    await settle();
  }

  async function key(target: EventTarget, init: KeyboardEventInit): Promise<KeyboardEvent> {
    const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    await settle();
    return event;
  }

  function userMessage(overrides: Partial<SupportMessage>): SupportMessage {
    return message({ chat_id: CHAT, ...overrides });
  }

  it('shows the user, the Archive toggle, and messages under date dividers with sides and labels', async () => {
    await open({
      messages: [
        userMessage({ content: 'Hi there', created_at: '2024-01-29T10:30:00.000Z' }),
        userMessage({
          content: 'Reply please',
          sender_type: 'admin',
          admin_id: 'agent-1',
          sender_name: 'Agent',
          created_at: '2024-01-29T10:35:00.000Z',
        }),
        userMessage({ content: 'Next day', created_at: '2024-01-30T09:00:00.000Z' }),
      ],
    });
    expect(el.querySelector('h1')?.textContent).toBe('dana@example.com');
    expect(el.querySelector('.archive-toggle')?.textContent?.trim()).toBe('Archive');
    expect(el.querySelector('a.back')?.getAttribute('href')).toBe('/chats');
    expect(Array.from(el.querySelectorAll('.day-divider')).map((d) => d.textContent)).toEqual([
      'Monday, January 29',
      'Tuesday, January 30',
    ]);
    expect(bubbles()).toEqual([
      { sender: 'user', text: 'Hi there', mine: false },
      { sender: 'admin', text: 'Reply please', mine: true },
      { sender: 'user', text: 'Next day', mine: false },
    ]);
    expect(Array.from(el.querySelectorAll('.sender')).map((s) => s.textContent)).toEqual([
      'Dana Scully',
      'You',
      'Dana Scully',
    ]);
    expect(el.querySelector('time')?.textContent).toMatch(/^\d{1,2}:\d{2}\s?[AP]M$/);
    expect(socket.joined).toEqual([CHAT]);
  });

  it('goes back to the Archived tab from a deep link to an archived chat', async () => {
    await open({ archived: true });
    expect(el.querySelector('a.back')?.getAttribute('href')).toBe('/chats/archived');
    expect(el.querySelector('.archive-toggle')?.textContent?.trim()).toBe('Restore');
  });

  it('names the author of each agent message: "You" for mine, the name and initials for another agent\'s', async () => {
    const agentMessage = (content: string, admin_id: string | null, sender_name: string | null) =>
      userMessage({ content, sender_type: 'admin', admin_id, sender_name });
    await open({
      messages: [
        agentMessage('From me', 'agent-1', 'Agent'),
        agentMessage('From Ana', 'ana-1', 'Ana Lima'),
        agentMessage('Markup in a name', 'bob-1', '<b>Bob</b>'),
        agentMessage('Sent by an integration', null, null),
      ],
    });
    const meta = Array.from(el.querySelectorAll('[data-sender="admin"] .meta')).map((m) => ({
      sender: m.querySelector('.sender')?.textContent,
      avatar: m.querySelector('.avatar')?.textContent ?? null,
    }));
    expect(meta).toEqual([
      { sender: 'You', avatar: null },
      { sender: 'Ana Lima', avatar: 'AL' },
      { sender: '<b>Bob</b>', avatar: '<' },
      { sender: 'Agent', avatar: '?' },
    ]);
    expect(el.querySelector('.log b')).toBeNull();
    // Avatars are decoration: the name beside them is what assistive technology reads.
    for (const avatar of Array.from(el.querySelectorAll('.meta .avatar'))) {
      expect(avatar.getAttribute('aria-hidden')).toBe('true');
    }
    // My own reply, sent from here, reads "You" once the server confirms it.
    await type('Another one');
    el.querySelector<HTMLButtonElement>('button.send')!.click();
    await settle();
    const sent = el.querySelector('[data-message-id="srv-1"] .sender');
    expect(sent?.textContent).toBe('You');
  });

  it("labels the user's messages with the email when there is no name", async () => {
    await open({ user_name: null, messages: [userMessage({ content: 'x' })] });
    expect(el.querySelector('.sender')?.textContent).toBe('dana@example.com');
  });

  it('renders markup in messages as plain text', async () => {
    const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    await open({ messages: [userMessage({ content: payload })] });
    expect(el.querySelector('.bubble')?.textContent).toBe(payload);
    expect(el.querySelector('.log img, .log script')).toBeNull();
  });

  it('sends on Enter with a client_id, shows the message once, and keeps Shift+Enter for new lines', async () => {
    await open();
    await type('First line');
    const shift = await key(textarea(), { key: 'Enter', shiftKey: true });
    expect(shift.defaultPrevented).toBe(false);
    expect(socket.sent).toEqual([]);

    await type('First line\nsecond line');
    const enter = await key(textarea(), { key: 'Enter' });
    expect(enter.defaultPrevented).toBe(true);
    expect(socket.sent).toHaveLength(1);
    expect(socket.sent[0]).toMatchObject({ chat_id: CHAT, content: 'First line\nsecond line' });
    expect(socket.sent[0].client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(textarea().value).toBe('');

    // The room echoes the same message after the ack: still one bubble.
    const echoed = el.querySelector('[data-message-id]')!.getAttribute('data-message-id')!;
    socket.serverEmits('new_message', {
      type: 'new_message',
      chat_id: CHAT,
      message: userMessage({
        id: echoed,
        sender_type: 'admin',
        content: 'First line\nsecond line',
        client_id: socket.sent[0].client_id,
      }),
    });
    await settle();
    expect(bubbles()).toEqual([{ sender: 'admin', text: 'First line\nsecond line', mine: true }]);
    expect(el.querySelector('[data-pending]')).toBeNull();
  });

  it('does not send blank messages', async () => {
    await open();
    await type('   \n ');
    await key(textarea(), { key: 'Enter' });
    expect(socket.sent).toEqual([]);
    expect(el.querySelector<HTMLButtonElement>('button.send')!.disabled).toBe(true);
  });

  it('sends over REST with the same client_id when the socket is down', async () => {
    await open();
    socket.status.set('reconnecting');
    await type('Offline reply');
    await key(textarea(), { key: 'Enter' });
    const req = backend.expectOne(`/api/admin/chats/${CHAT}/messages`);
    expect(req.request.method).toBe('POST');
    expect(req.request.body.content).toBe('Offline reply');
    expect(req.request.body.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(el.querySelector('[data-pending]')?.textContent).toContain('Sending…');
    req.flush(
      userMessage({
        id: 'm-rest',
        sender_type: 'admin',
        content: 'Offline reply',
        client_id: req.request.body.client_id,
      }),
    );
    await settle();
    expect(bubbles()).toEqual([{ sender: 'admin', text: 'Offline reply', mine: true }]);
  });

  it('offers a retry with the same client_id when a send fails', async () => {
    await open();
    socket.answerSend = () => Promise.resolve({ ok: false, error: 'rate_limited' });
    await type('Too fast');
    await key(textarea(), { key: 'Enter' });
    expect(el.querySelector('[data-pending] .failure')?.textContent).toContain('too many messages');
    const firstId = socket.sent[0].client_id;

    socket.answerSend = new FakeSocketService().answerSend;
    el.querySelector<HTMLButtonElement>('[data-pending] button')!.click();
    await settle();
    expect(socket.sent.map((s) => s.client_id)).toEqual([firstId, firstId]);
    expect(el.querySelector('[data-pending]')).toBeNull();
    expect(bubbles()).toHaveLength(1);
  });

  it('adds messages from the chat room live, once, ignoring other chats', async () => {
    const first = userMessage({ content: 'One', created_at: '2024-01-30T10:00:00.000Z' });
    await open({ messages: [first] });
    const second = userMessage({ content: 'Two', created_at: '2024-01-30T10:01:00.000Z' });
    socket.serverEmits('new_message', { type: 'new_message', chat_id: CHAT, message: second });
    socket.serverEmits('new_message', { type: 'new_message', chat_id: CHAT, message: second });
    socket.serverEmits('new_message', {
      type: 'new_message',
      chat_id: 'other',
      message: message({ chat_id: 'other', content: 'Elsewhere' }),
    });
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['One', 'Two']);
  });

  it('marks agent messages read when the user reads them', async () => {
    const reply = userMessage({
      sender_type: 'admin',
      content: 'Done',
      created_at: '2024-01-30T10:00:00.000Z',
    });
    await open({ messages: [reply] });
    expect(el.querySelector('.read-mark')).toBeNull();
    socket.serverEmits('messages_read', {
      type: 'messages_read',
      chat_id: CHAT,
      reader: 'user',
      read_at: '2024-01-30T10:05:00.000Z',
      message_ids: [reply.id],
    });
    await settle();
    expect(el.querySelector('.read-mark')?.textContent).toContain('Read');
  });

  it('loads older messages with ?before= and keeps them in order', async () => {
    const newest = userMessage({ content: 'Newest', created_at: '2024-01-30T10:00:00.000Z' });
    await open({ messages: [newest], has_more: true });
    el.querySelector<HTMLButtonElement>('.load-older')!.click();
    const req = backend.expectOne(
      (r) => r.url === `/api/admin/chats/${CHAT}` && r.params.get('before') === newest.id,
    );
    req.flush(
      adminChat({
        id: CHAT,
        has_more: false,
        messages: [userMessage({ content: 'Oldest', created_at: '2024-01-29T10:00:00.000Z' })],
      }),
    );
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['Oldest', 'Newest']);
    expect(el.querySelector('.load-older')).toBeNull();
  });

  it('fetches the chat only once its room is joined, so a message committed meanwhile shows', async () => {
    socket.holdJoins = true;
    create();
    await settle();
    // The server has not acknowledged the join: a fetch now could miss a message committed
    // before the room delivers to this console.
    expect(socket.joinPending(CHAT)).toBe(true);
    backend.expectNone(isChatFetch);
    expect(el.textContent).toContain('Loading…');

    socket.answerJoin(CHAT);
    await settle();
    const before = userMessage({ content: 'Before', created_at: '2024-01-30T10:00:00.000Z' });
    const meanwhile = userMessage({
      content: 'Committed while joining',
      created_at: '2024-01-30T10:01:00.000Z',
    });
    expectChatFetch().flush(adminChat({ id: CHAT, messages: [before, meanwhile] }));
    // The room broadcasts it too (committed just as the join landed): still once.
    socket.serverEmits('new_message', { type: 'new_message', chat_id: CHAT, message: meanwhile });
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['Before', 'Committed while joining']);
  });

  it('says the chat does not exist when the server refuses to join it', async () => {
    socket.holdJoins = true;
    create();
    await settle();
    socket.answerJoin(CHAT, { ok: false, error: 'not_found' });
    await settle();
    backend.expectNone(isChatFetch);
    expect(el.textContent).toContain('This chat does not exist.');
  });

  it('shows the chat when the join goes unanswered, and catches up once a reconnect joins it', async () => {
    socket.holdJoins = true;
    create();
    await settle();
    socket.answerJoin(CHAT, { ok: false, error: 'timeout' });
    await settle();
    const known = userMessage({ content: 'Known', created_at: '2024-01-30T10:00:00.000Z' });
    expectChatFetch().flush(adminChat({ id: CHAT, messages: [known] }));
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['Known']);

    socket.holdJoins = false;
    await socket.reconnect();
    answerListRefetch();
    backend
      .expectOne((r) => r.url === `/api/admin/chats/${CHAT}/messages`)
      .flush([userMessage({ content: 'Missed', created_at: '2024-01-30T10:01:00.000Z' })]);
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['Known', 'Missed']);
  });

  it('catches up after a reconnect with ?after=, page by page, without recording a view', async () => {
    const known = userMessage({
      id: 'known',
      content: 'Known',
      created_at: '2024-01-30T10:00:00.000Z',
    });
    await open({ messages: [known] });
    socket.holdJoins = true;
    const reconnected = socket.reconnect();
    await settle();
    // Nothing is fetched before the rooms are joined again.
    backend.expectNone(`/api/admin/chats/${CHAT}/messages`);
    socket.answerJoin('admin');
    socket.answerJoin(CHAT);
    await reconnected;
    answerListRefetch();

    // A full page (the server's cap) means there may be more: ask again after its last one.
    const full = Array.from({ length: PAGE }, (_, i) =>
      userMessage({
        content: `Late ${i + 1}`,
        created_at: new Date(Date.parse('2024-01-30T10:01:00.000Z') + i).toISOString(),
      }),
    );
    const first = backend.expectOne(
      (r) => r.url === `/api/admin/chats/${CHAT}/messages` && r.params.get('after') === 'known',
    );
    expect(first.request.params.get('limit')).toBe(String(PAGE));
    first.flush(full);
    await settle();
    const last = full.at(-1)!;
    backend
      .expectOne(
        (r) => r.url === `/api/admin/chats/${CHAT}/messages` && r.params.get('after') === last.id,
      )
      .flush([userMessage({ content: 'Latest', created_at: '2024-01-30T11:00:00.000Z' })]);
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['Known', 'Late 1', 'Late 2', 'Late 3', 'Latest']);
    // The chat's own GET records a view on the server; catching up never uses it.
    backend.expectNone(isChatFetch);
  });

  it('fills in the whole chat after a reconnect when it was empty on opening, however long the gap', async () => {
    const at = (n: number) =>
      new Date(Date.parse('2024-01-30T10:00:00.000Z') + n * 1000).toISOString();
    const m = (n: number) => userMessage({ id: `m${n}`, content: `m${n}`, created_at: at(n) });
    await open({ messages: [] });
    socket.serverEmits('new_message', { type: 'new_message', chat_id: CHAT, message: m(0) });
    await settle();

    await socket.reconnect();
    answerListRefetch();
    await settle();
    // No cursor: the newest page, which does not reach back to m0...
    expectChatFetch({ view: false }).flush(
      adminChat({ id: CHAT, messages: [m(5), m(6)], has_more: true }),
    );
    await settle();
    // ...so the pages before it, until the chat's start, without recording a view.
    const before = (id: string) =>
      backend.expectOne(
        (r) =>
          r.url === `/api/admin/chats/${CHAT}` &&
          r.params.get('before') === id &&
          r.params.get('view') === 'false',
      );
    before('m5').flush(adminChat({ id: CHAT, messages: [m(3), m(4)], has_more: true }));
    await settle();
    before('m3').flush(adminChat({ id: CHAT, messages: [m(0), m(1), m(2)], has_more: false }));
    await settle();
    backend.match((r) => r.url === `/api/admin/chats/${CHAT}/messages`).forEach((r) => r.flush([]));
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('catches up from the last fetch, not from a live message that came past a gap', async () => {
    const reply = (id: string, minute: number): SupportMessage =>
      userMessage({
        id,
        content: id,
        sender_type: 'admin',
        admin_id: 'ana-1',
        sender_name: 'Ana',
        created_at: `2024-01-30T10:0${minute}:00.000Z`,
      });
    const [m1, m2, m3] = [reply('m1', 0), reply('m2', 1), reply('m3', 2)];
    await open({ messages: [m1] });
    // m2 was committed first, but only m3's broadcast reached this console before the drop.
    socket.serverEmits('new_message', { type: 'new_message', chat_id: CHAT, message: m3 });
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['m1', 'm3']);

    await socket.reconnect();
    answerListRefetch();
    await settle();
    backend
      .expectOne(
        (r) => r.url === `/api/admin/chats/${CHAT}/messages` && r.params.get('after') === 'm1',
      )
      .flush([m2, m3]);
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['m1', 'm2', 'm3']);

    // Caught up to m3 now: the next reconnect continues from there.
    await socket.reconnect();
    answerListRefetch();
    await settle();
    backend
      .expectOne(
        (r) => r.url === `/api/admin/chats/${CHAT}/messages` && r.params.get('after') === 'm3',
      )
      .flush([]);
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['m1', 'm2', 'm3']);
  });

  it('says the chat is gone when it is erased while open', async () => {
    await open({ messages: [userMessage({ content: 'Hello' })] });
    socket.serverEmits('chat_removed', { type: 'chat_removed', chat_ids: ['another-chat'] });
    await settle();
    expect(el.textContent).not.toContain('This chat does not exist.');
    socket.serverEmits('chat_removed', { type: 'chat_removed', chat_ids: [CHAT] });
    await settle();
    expect(el.textContent).toContain('This chat does not exist.');
  });

  it('says the chat is gone when a reconnect cannot join it again', async () => {
    await open({ messages: [userMessage({ content: 'Known' })] });
    socket.holdJoins = true;
    const reconnected = socket.reconnect();
    await settle();
    socket.answerJoin('admin');
    socket.answerJoin(CHAT, { ok: false, error: 'not_found' });
    await reconnected;
    answerListRefetch();
    await settle();
    backend.expectNone(`/api/admin/chats/${CHAT}/messages`);
    expect(el.textContent).toContain('This chat does not exist.');
  });

  it('catches up in a hidden tab without recording a view, and records it when the tab is in front', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      create();
      await vi.advanceTimersByTimeAsync(0);
      expectChatFetch().flush(
        adminChat({ id: CHAT, messages: [userMessage({ id: 'known', content: 'Known' })] }),
      );
      await vi.advanceTimersByTimeAsync(0);
      expect(socket.viewed).toEqual([]);

      visibility = 'hidden';
      const reconnected = socket.reconnect();
      await vi.advanceTimersByTimeAsync(0);
      await reconnected;
      answerListRefetch();
      backend
        .expectOne((r) => r.url === `/api/admin/chats/${CHAT}/messages`)
        .flush([userMessage({ content: 'While away', created_at: '2024-01-29T12:30:00.000Z' })]);
      await vi.advanceTimersByTimeAsync(5_000);
      fixture.detectChanges();
      // Shown, but nobody has seen it: no view recorded, by socket or by the chat's GET.
      expect(bubbles().map((b) => b.text)).toEqual(['Known', 'While away']);
      expect(socket.viewed).toEqual([]);
      backend.expectNone(isChatFetch);

      setVisibility('visible');
      await vi.advanceTimersByTimeAsync(0);
      expect(socket.viewed).toEqual([CHAT]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('records no view for a user message while the tab is hidden, until it is in front again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      create();
      await vi.advanceTimersByTimeAsync(0);
      expectChatFetch().flush(adminChat({ id: CHAT }));
      await vi.advanceTimersByTimeAsync(0);
      setVisibility('hidden');
      socket.serverEmits('new_message', {
        type: 'new_message',
        chat_id: CHAT,
        message: userMessage({ content: 'Anyone?' }),
      });
      await vi.advanceTimersByTimeAsync(5_000);
      expect(socket.viewed).toEqual([]);
      setVisibility('visible');
      await vi.advanceTimersByTimeAsync(0);
      expect(socket.viewed).toEqual([CHAT]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('opens a chat in a hidden tab without recording a view, and records it once the tab is in front', async () => {
    const chats = TestBed.inject(ChatsStore);
    const markViewed = vi.spyOn(chats, 'markViewed');
    visibility = 'hidden';
    await open({ messages: [userMessage({ content: 'Linked from an email' })] }, { view: false });
    expect(bubbles().map((b) => b.text)).toEqual(['Linked from an email']);
    expect(socket.viewed).toEqual([]);
    expect(markViewed).not.toHaveBeenCalled();

    // Becoming visible without that chat's view owed would record nothing: the control.
    setVisibility('hidden');
    expect(socket.viewed).toEqual([]);
    setVisibility('visible');
    await settle();
    expect(socket.viewed).toEqual([CHAT]);
    expect(markViewed).toHaveBeenCalledWith(CHAT);
    // Once: going away and back again records nothing new.
    setVisibility('hidden');
    setVisibility('visible');
    await settle();
    expect(socket.viewed).toEqual([CHAT]);
  });

  it('archives and restores with the toggle and with e; r focuses the reply; Escape goes back', async () => {
    await open();
    el.querySelector<HTMLButtonElement>('.archive-toggle')!.click();
    backend.expectOne(`/api/admin/chats/${CHAT}/archive`).flush({ id: CHAT, archived: true });
    await settle();
    expect(el.querySelector('.archive-toggle')?.textContent?.trim()).toBe('Restore');

    await key(document.body, { key: 'e' });
    backend.expectOne(`/api/admin/chats/${CHAT}/unarchive`).flush({ id: CHAT, archived: false });
    await settle();
    expect(el.querySelector('.archive-toggle')?.textContent?.trim()).toBe('Archive');

    // Typing an "e" in the reply box is just a letter.
    await key(textarea(), { key: 'e' });
    backend.expectNone(`/api/admin/chats/${CHAT}/archive`);

    await key(document.body, { key: 'r' });
    expect(document.activeElement).toBe(textarea());

    const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    await key(document.body, { key: 'Escape' });
    expect(navigate).toHaveBeenCalledWith('/chats');
  });

  it('records the view again when a user message arrives while the agent is looking', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      create();
      await vi.advanceTimersByTimeAsync(0);
      expectChatFetch().flush(adminChat({ id: CHAT }));
      await vi.advanceTimersByTimeAsync(0);
      socket.serverEmits('new_message', {
        type: 'new_message',
        chat_id: CHAT,
        message: userMessage({ content: 'New' }),
      });
      expect(socket.viewed).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(socket.viewed).toEqual([CHAT]);

      // Leaving before the delay is up still records what the agent saw.
      socket.serverEmits('new_message', {
        type: 'new_message',
        chat_id: CHAT,
        message: userMessage({ content: 'Newer' }),
      });
      fixture.destroy();
      await vi.advanceTimersByTimeAsync(0);
      expect(socket.viewed).toEqual([CHAT, CHAT]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('offers to try again when the chat could not be loaded', async () => {
    create();
    await settle();
    expectChatFetch().flush({}, { status: 503, statusText: 'Unavailable' });
    await settle();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('Could not load this chat.');
    el.querySelector<HTMLButtonElement>('button.retry')!.click();
    await settle();
    expectChatFetch().flush(adminChat({ id: CHAT, messages: [userMessage({ content: 'Back' })] }));
    await settle();
    expect(bubbles().map((b) => b.text)).toEqual(['Back']);
    expect(socket.joined).toEqual([CHAT, CHAT]);
    expect(socket.left).toEqual([CHAT]);
  });

  it('says so when the chat does not exist', async () => {
    create();
    await settle();
    expectChatFetch().flush({ statusCode: 404 }, { status: 404, statusText: 'Not Found' });
    await settle();
    expect(el.textContent).toContain('This chat does not exist.');
    expect(textarea().disabled).toBe(true);
  });
});
