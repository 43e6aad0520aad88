import { signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { HttpParams, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { SupportChatListItem } from '../../core/api.types';
import { SESSION_STORAGE_KEY } from '../../core/auth.service';
import { ClockService } from '../../core/clock.service';
import { SocketService } from '../../core/socket.service';
import { chatItem, message } from '../../../testing/factories';
import { BlankComponent } from '../../../testing/blank.component';
import { FakeSocketService } from '../../../testing/fake-socket';
import { AssigneeFilter, ChatsStore, TYPING_TTL_MS } from '../chats.store';
import { ChatListComponent } from './chat-list.component';
import { LabelsCatalogue } from './labels-catalogue.service';
import type { SupportLabel } from '../../../../../backend/src/contracts/wire';

/** The label catalogue as the server would give it, without HTTP. */
class FakeCatalogue implements Pick<LabelsCatalogue, 'labels' | 'load' | 'colorOf'> {
  readonly list = signal<SupportLabel[]>([]);
  readonly labels = this.list.asReadonly();
  load(): void {
    // Nothing to fetch: tests set `list`.
  }
  colorOf(name: string): string | null {
    return this.list().find((l) => l.name === name)?.color ?? null;
  }
}

const NOW = Date.parse('2024-01-29T12:00:00.000Z');
const minutesAgo = (n: number): string => new Date(NOW - n * 60_000).toISOString();

describe('ChatListComponent', () => {
  let fixture: ComponentFixture<ChatListComponent>;
  let backend: HttpTestingController;
  let socket: FakeSocketService;
  let clock: { now: ReturnType<typeof signal<number>> };
  let el: HTMLElement;
  let catalogue: FakeCatalogue;
  let listParams: HttpParams;

  beforeEach(() => {
    catalogue = new FakeCatalogue();
    socket = new FakeSocketService();
    clock = { now: signal(NOW) };
    TestBed.configureTestingModule({
      imports: [ChatListComponent],
      providers: [
        ChatsStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: 'chats/:id', component: BlankComponent }]),
        { provide: SocketService, useValue: socket },
        { provide: ClockService, useValue: clock },
        { provide: LabelsCatalogue, useValue: catalogue },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  // Store methods await HTTP through promises: let those continuations run, then render.
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  async function render(
    items: SupportChatListItem[],
    nextCursor: string | null = null,
    archived = false,
    inputs: { assignee?: AssigneeFilter; label?: string; openId?: string; split?: boolean } = {},
  ) {
    fixture = TestBed.createComponent(ChatListComponent);
    fixture.componentRef.setInput('archived', archived);
    for (const [name, value] of Object.entries(inputs)) fixture.componentRef.setInput(name, value);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    // The first page is read once the agents' room is joined (at once, here).
    await settle();
    const req = backend.expectOne((r) => r.url === '/api/admin/chats');
    expect(req.request.params.get('archived')).toBe(String(archived));
    listParams = req.request.params;
    req.flush({ items, next_cursor: nextCursor });
    await settle();
  }

  const cards = (): HTMLElement[] => Array.from(el.querySelectorAll<HTMLElement>('[data-chat-id]'));
  const ids = (): (string | null)[] => cards().map((c) => c.getAttribute('data-chat-id'));
  const card = (id: string): HTMLElement =>
    el.querySelector<HTMLElement>(`[data-chat-id="${id}"]`)!;

  it('shows the header, tabs and one card per chat, newest first', async () => {
    const older = chatItem({ last_message_at: minutesAgo(30) });
    const newer = chatItem({ last_message_at: minutesAgo(2) });
    await render([older, newer]);
    expect(el.querySelector('h1')?.textContent).toBe('Support Chats');
    expect(Array.from(el.querySelectorAll('.tab')).map((t) => t.textContent?.trim())).toEqual([
      'Active',
      'Archived',
    ]);
    expect(ids()).toEqual([newer.id, older.id]);
    expect(socket.adminRoom).toBe(true);
  });

  it('draws a card with email, name, unread flag, "You: " preview and counts', async () => {
    const mine = chatItem({
      user_email: 'dana@example.com',
      user_name: 'Dana Scully',
      last_message_preview: 'We refunded it',
      last_message_sender: 'admin',
      message_count: 5,
      last_message_at: minutesAgo(2),
    });
    const theirs = chatItem({
      unread: true,
      last_message_preview: 'Still broken',
      last_message_at: minutesAgo(1),
    });
    await render([mine, theirs]);

    expect(card(mine.id).getAttribute('data-unread')).toBe('false');
    expect(card(theirs.id).getAttribute('data-unread')).toBe('true');
    expect(card(theirs.id).classList).toContain('unread');
    expect(card(mine.id).querySelector('.email')?.textContent).toBe('dana@example.com');
    expect(card(mine.id).querySelector('.name')?.textContent).toBe('Dana Scully');
    expect(card(mine.id).querySelector('.preview')?.textContent?.trim()).toBe(
      'You: We refunded it',
    );
    expect(card(theirs.id).querySelector('.preview')?.textContent?.trim()).toBe('Still broken');
    expect(card(mine.id).querySelector('.meta')?.textContent).toBe('5 messages · 2 minutes ago');
    expect(card(mine.id).getAttribute('href')).toBe(`/chats/${mine.id}`);
  });

  it('names the agent who wrote last: "You" for the signed-in agent, another agent\'s name', async () => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 't',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'me-1', email: 'me@example.com', name: 'Me', role: 'agent' },
      }),
    );
    const byAgent = (minutes: number, extra: object) =>
      chatItem({
        last_message_sender: 'admin',
        last_message_preview: `reply ${minutes}`,
        last_message_at: minutesAgo(minutes),
        ...extra,
      });
    const mine = byAgent(1, { last_message_admin_id: 'me-1', last_message_sender_name: 'Me' });
    const ana = byAgent(2, {
      last_message_admin_id: 'ana-1',
      last_message_sender_name: 'Ana Lima',
    });
    const unnamed = byAgent(3, { last_message_admin_id: 'x-1', last_message_sender_name: null });
    // A server that does not name the last message's agent: "You", as before.
    const unknown = byAgent(4, {});
    try {
      await render([mine, ana, unnamed, unknown]);
      const preview = (id: string) => card(id).querySelector('.preview')?.textContent?.trim();
      expect(preview(mine.id)).toBe('You: reply 1');
      expect(preview(ana.id)).toBe('Ana Lima: reply 2');
      expect(preview(unnamed.id)).toBe('Agent: reply 3');
      expect(preview(unknown.id)).toBe('You: reply 4');
    } finally {
      sessionStorage.clear();
    }
  });

  it('keeps relative times current as the clock moves', async () => {
    const chat = chatItem({ last_message_at: minutesAgo(2), message_count: 1 });
    await render([chat]);
    expect(card(chat.id).querySelector('.meta')?.textContent).toBe('1 message · 2 minutes ago');
    clock.now.set(NOW + 60 * 60_000);
    await settle();
    expect(card(chat.id).querySelector('.meta')?.textContent).toBe('1 message · 1 hour ago');
  });

  it('moves a chat to the top and marks it unread when its user writes', async () => {
    const a = chatItem({ last_message_at: minutesAgo(1) });
    const b = chatItem({ last_message_at: minutesAgo(10), message_count: 3 });
    await render([a, b]);
    socket.serverEmits('new_user_message', {
      type: 'new_user_message',
      chat_id: b.id,
      user_email: b.user_email,
      message: message({
        id: 'm1',
        chat_id: b.id,
        content: 'Any news?',
        created_at: new Date(NOW).toISOString(),
      }),
    });
    await settle();
    expect(ids()).toEqual([b.id, a.id]);
    expect(card(b.id).getAttribute('data-unread')).toBe('true');
    expect(card(b.id).querySelector('.preview')?.textContent?.trim()).toBe('Any news?');
    expect(card(b.id).querySelector('.meta')?.textContent).toBe('4 messages · just now');

    // The authoritative chat_updated that follows does not count the message twice.
    socket.serverEmits('chat_updated', {
      type: 'chat_updated',
      chat: {
        ...b,
        unread: true,
        message_count: 4,
        last_message_at: new Date(NOW).toISOString(),
        last_message_preview: 'Any news?',
      },
    });
    await settle();
    expect(ids()).toEqual([b.id, a.id]);
    expect(card(b.id).querySelector('.meta')?.textContent).toBe('4 messages · just now');
  });

  it('adds a brand-new chat live and moves archived ones out of the Active tab', async () => {
    const a = chatItem({ last_message_at: minutesAgo(5) });
    await render([a]);
    const fresh = chatItem({ last_message_at: minutesAgo(0), unread: true });
    socket.serverEmits('chat_updated', { type: 'chat_updated', chat: fresh });
    await settle();
    expect(ids()).toEqual([fresh.id, a.id]);

    socket.serverEmits('chat_updated', { type: 'chat_updated', chat: { ...a, archived: true } });
    await settle();
    expect(ids()).toEqual([fresh.id]);
  });

  it("ignores a chat's item older than one it has shown, however late it arrives", async () => {
    const a = chatItem({ last_message_at: minutesAgo(5), version: 3 });
    await render([a]);
    // The reply that reopened the chat (version 5) overtook the archive's item (version 4).
    const reopened = {
      ...a,
      last_message_at: minutesAgo(0),
      last_message_preview: 'Still there?',
      version: 5,
    };
    socket.serverEmits('chat_updated', { type: 'chat_updated', chat: reopened });
    socket.serverEmits('chat_updated', {
      type: 'chat_updated',
      chat: { ...a, archived: true, version: 4 },
    });
    await settle();
    expect(ids()).toEqual([a.id]);
    expect(card(a.id).querySelector('.preview')?.textContent?.trim()).toBe('Still there?');
    // A newer archive is applied: the check is by version, not by kind of change.
    socket.serverEmits('chat_updated', {
      type: 'chat_updated',
      chat: { ...reopened, archived: true, version: 6 },
    });
    await settle();
    expect(ids()).toEqual([]);
  });

  it('drops the card of a chat that was erased or deleted, and a late item does not bring it back', async () => {
    const a = chatItem({ last_message_at: minutesAgo(1), version: 2 });
    const b = chatItem({ last_message_at: minutesAgo(5) });
    await render([a, b]);
    socket.serverEmits('chat_removed', { type: 'chat_removed', chat_ids: [a.id] });
    await settle();
    expect(ids()).toEqual([b.id]);
    socket.serverEmits('chat_updated', { type: 'chat_updated', chat: { ...a, version: 3 } });
    await settle();
    expect(ids()).toEqual([b.id]);
  });

  it('brings a chat back into the Archived tab live when it is archived elsewhere', async () => {
    await render([], null, true);
    expect(el.textContent).toContain('No archived chats.');
    const chat = chatItem({ archived: true });
    socket.serverEmits('chat_updated', { type: 'chat_updated', chat });
    await settle();
    expect(ids()).toEqual([chat.id]);
    socket.serverEmits('chat_updated', {
      type: 'chat_updated',
      chat: { ...chat, archived: false },
    });
    await settle();
    expect(ids()).toEqual([]);
  });

  it('does not flag the chat the agent has open on screen as unread', async () => {
    const open = chatItem({ last_message_at: minutesAgo(5) });
    await render([open]);
    TestBed.inject(ChatsStore).openChatId.set(open.id);
    socket.serverEmits('chat_updated', {
      type: 'chat_updated',
      chat: { ...open, unread: true, last_message_at: minutesAgo(0) },
    });
    await settle();
    expect(card(open.id).getAttribute('data-unread')).toBe('false');

    TestBed.inject(ChatsStore).openChatId.set(null);
    socket.serverEmits('chat_updated', {
      type: 'chat_updated',
      chat: { ...open, unread: true, last_message_at: minutesAgo(0) },
    });
    await settle();
    expect(card(open.id).getAttribute('data-unread')).toBe('true');
  });

  it('pages with the cursor and never shows a chat twice', async () => {
    const first = [
      chatItem({ last_message_at: minutesAgo(1) }),
      chatItem({ last_message_at: minutesAgo(2) }),
    ];
    await render(first, 'cursor-2');
    // Older than everything loaded, while more pages exist: it waits for its page.
    const later = chatItem({ last_message_at: minutesAgo(9) });
    socket.serverEmits('chat_updated', { type: 'chat_updated', chat: later });
    await settle();
    expect(ids()).toEqual(first.map((c) => c.id));

    el.querySelector<HTMLButtonElement>('.load-more')!.click();
    const req = backend.expectOne((r) => r.url === '/api/admin/chats');
    expect(req.request.params.get('cursor')).toBe('cursor-2');
    req.flush({ items: [first[1], later], next_cursor: null });
    await settle();
    expect(ids()).toEqual([first[0].id, first[1].id, later.id]);
    expect(el.querySelector('.load-more')).toBeNull();
  });

  it("reads the first page only once the agents' room is joined", async () => {
    socket.holdJoins = true;
    fixture = TestBed.createComponent(ChatListComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    await settle();
    // A change broadcast before the join would reach nobody; the page must be read after it.
    expect(socket.joinPending('admin')).toBe(true);
    backend.expectNone((r) => r.url === '/api/admin/chats');
    socket.answerJoin('admin');
    await settle();
    const a = chatItem();
    backend.expectOne((r) => r.url === '/api/admin/chats').flush({ items: [a], next_cursor: null });
    await settle();
    expect(ids()).toEqual([a.id]);
  });

  it("refetches the list after the socket reconnects, once the agents' room is joined again", async () => {
    const a = chatItem();
    await render([a]);
    socket.holdJoins = true;
    const reconnected = socket.reconnect();
    await settle();
    backend.expectNone((r) => r.url === '/api/admin/chats');
    socket.answerJoin('admin');
    await reconnected;
    const b = chatItem({ last_message_at: minutesAgo(0), unread: true });
    backend
      .expectOne((r) => r.url === '/api/admin/chats')
      .flush({ items: [b, a], next_cursor: null });
    await settle();
    expect(ids()).toEqual([b.id, a.id]);
  });

  it('moves with j/k, opens with Enter and archives with e', async () => {
    const chats = [0, 1, 2].map((i) => chatItem({ last_message_at: minutesAgo(i) }));
    await render(chats);
    const press = async (key: string): Promise<void> => {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
      await settle();
    };
    await press('j');
    await press('j');
    await press('j');
    await press('k');
    expect(el.querySelector('.selected')?.getAttribute('data-chat-id')).toBe(chats[1].id);

    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    await press('Enter');
    expect(navigate).toHaveBeenCalledWith(['/chats', chats[1].id], {
      queryParamsHandling: 'preserve',
    });

    await press('e');
    const req = backend.expectOne(`/api/admin/chats/${chats[1].id}/archive`);
    expect(req.request.method).toBe('POST');
    req.flush({ ...chats[1], archived: true });
    await settle();
    expect(ids()).toEqual([chats[0].id, chats[2].id]);
    expect(el.querySelector('.selected')?.getAttribute('data-chat-id')).toBe(chats[2].id);
  });

  it('leaves Enter on a focused button to the button, and still opens the selected chat from elsewhere', async () => {
    const chats = [chatItem()];
    await render(chats);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }));
    await settle();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const button = document.createElement('button');
    document.body.appendChild(button);
    button.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle();
    expect(navigate).not.toHaveBeenCalled();
    button.remove();
    // Positive control: the same key from the page opens the selected chat.
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle();
    expect(navigate).toHaveBeenCalledWith(['/chats', chats[0].id], {
      queryParamsHandling: 'preserve',
    });
  });

  it('ignores shortcuts while the agent types', async () => {
    const chats = [chatItem()];
    await render(chats);
    const input = document.createElement('input');
    document.body.appendChild(input);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }));
    await settle();
    expect(el.querySelector('.selected')).toBeNull();
    input.remove();
  });

  describe('filters, assignees, labels and typing', () => {
    const signIn = (): void =>
      sessionStorage.setItem(
        SESSION_STORAGE_KEY,
        JSON.stringify({
          token: 't',
          expiresAt: Date.now() + 60_000,
          admin: { id: 'me-1', email: 'me@example.com', name: 'Me', role: 'agent' },
        }),
      );
    const me = { id: 'me-1', name: 'Me' };
    const ana = { id: 'ana-1', name: 'Ana Lima' };
    const updated = (chat: SupportChatListItem): void =>
      socket.serverEmits('chat_updated', { type: 'chat_updated', chat });

    beforeEach(signIn);
    afterEach(() => sessionStorage.clear());

    it("asks the server for the filter, and names each card's assignee", async () => {
      const mine = chatItem({ assignee: me, last_message_at: minutesAgo(1) });
      const anas = chatItem({ assignee: ana, last_message_at: minutesAgo(2) });
      const nobody = chatItem({ last_message_at: minutesAgo(3) });
      await render([mine, anas, nobody]);
      expect(listParams.has('assignee')).toBe(false);
      expect(card(mine.id).getAttribute('data-assignee')).toBe('me-1');
      expect(card(mine.id).querySelector('.assignee-name')?.textContent).toBe('You');
      expect(card(anas.id).getAttribute('data-assignee')).toBe('ana-1');
      expect(card(anas.id).querySelector('.assignee-name')?.textContent).toBe('Ana Lima');
      expect(card(anas.id).querySelector('.avatar')?.textContent).toBe('AL');
      expect(card(nobody.id).getAttribute('data-assignee')).toBe('');
      expect(card(nobody.id).querySelector('.assignee')).toBeNull();
    });

    it('links each filter to this same page, keeping an open chat open', async () => {
      await render([], null, false, { assignee: 'me', openId: 'chat-9' });
      expect(listParams.get('assignee')).toBe('me');
      const link = (f: string) => el.querySelector<HTMLAnchorElement>(`[data-filter="${f}"]`)!;
      expect(link('me').getAttribute('href')).toBe('/chats/chat-9?assignee=me');
      expect(link('none').getAttribute('href')).toBe('/chats/chat-9?assignee=none');
      expect(link('all').getAttribute('href')).toBe('/chats/chat-9');
      expect(link('me').getAttribute('aria-current')).toBe('true');
      expect(link('all').getAttribute('aria-current')).toBeNull();
      expect(el.textContent).toContain('No chats match this filter.');
    });

    it('moves cards in and out of "Mine" live as chats are assigned', async () => {
      const mine = chatItem({ assignee: me, last_message_at: minutesAgo(1) });
      await render([mine], null, false, { assignee: 'me' });
      expect(ids()).toEqual([mine.id]);
      // Assigned to someone else: it leaves at once.
      updated({ ...mine, assignee: ana });
      await settle();
      expect(ids()).toEqual([]);
      // Assigned to me elsewhere: it arrives.
      const other = chatItem({ assignee: me, last_message_at: minutesAgo(0) });
      updated(other);
      await settle();
      expect(ids()).toEqual([other.id]);
      // The assignment line alone (before its chat_updated) already moves it out.
      socket.serverEmits('chat_activity', {
        type: 'chat_activity',
        activity: {
          id: 'act-1',
          chat_id: other.id,
          kind: 'unassigned',
          actor: ana,
          // The line names whom it was taken from.
          assignee: me,
          text: 'Ana Lima unassigned this',
          created_at: new Date(NOW).toISOString(),
        },
      });
      await settle();
      expect(ids()).toEqual([]);
    });

    it('keeps "Unassigned" to chats nobody has', async () => {
      const open = chatItem({ last_message_at: minutesAgo(1) });
      await render([open], null, false, { assignee: 'none' });
      expect(listParams.get('assignee')).toBe('none');
      updated({ ...open, assignee: ana });
      await settle();
      expect(ids()).toEqual([]);
      updated({ ...open, assignee: null });
      await settle();
      expect(ids()).toEqual([open.id]);
    });

    it('shows label chips in their colour and filters by label, live', async () => {
      catalogue.list.set([
        { id: 'l1', name: 'Billing', color: '#e11d48', chat_count: 1 },
        { id: 'l2', name: 'Bug', color: '#2563eb', chat_count: 0 },
      ]);
      const billed = chatItem({ labels: ['Billing', 'VIP'] });
      await render([billed], null, false, { label: 'Billing' });
      expect(listParams.get('label')).toBe('Billing');
      const chips = Array.from(card(billed.id).querySelectorAll<HTMLElement>('.chip'));
      expect(chips.map((c) => c.getAttribute('data-label'))).toEqual(['Billing', 'VIP']);
      expect(chips[0].textContent?.trim()).toBe('Billing');
      expect(chips[0].querySelector<HTMLElement>('.swatch')!.style.background).toBe(
        'rgb(225, 29, 72)',
      );
      const select = el.querySelector<HTMLSelectElement>('select[name=label]')!;
      expect(Array.from(select.options).map((o) => o.value)).toEqual(['', 'Billing', 'Bug']);
      expect(select.value).toBe('Billing');

      const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
      select.value = 'Bug';
      select.dispatchEvent(new Event('change'));
      expect(navigate).toHaveBeenCalledWith(['/chats'], {
        queryParams: { label: 'Bug' },
        queryParamsHandling: 'merge',
      });

      updated({ ...billed, labels: ['VIP'] });
      await settle();
      expect(ids()).toEqual([]);
    });

    it('follows a label renamed or deleted in the catalogue, on cards and in the filter', async () => {
      const billed = chatItem({ labels: ['Billing', 'VIP'] });
      await render([billed], null, false, { label: 'Billing' });
      const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
      const changed = (renamed: { from: string; to: string } | null, deleted: string | null) =>
        socket.serverEmits('labels_changed', {
          type: 'labels_changed',
          labels: [],
          renamed,
          deleted,
        });
      changed({ from: 'Billing', to: 'Invoices' }, null);
      expect(navigate).toHaveBeenCalledWith(['/chats'], {
        queryParams: { label: 'Invoices' },
        queryParamsHandling: 'merge',
        replaceUrl: true,
      });
      // The list under the new name is read afresh; the unfiltered one keeps its cards, renamed.
      const store = TestBed.inject(ChatsStore);
      const loading = store.ensureLoaded('active');
      await settle();
      // The list still on screen under the old name reads it again until the URL moves on.
      backend
        .expectOne((r) => r.url === '/api/admin/chats' && r.params.get('label') === 'Billing')
        .flush({ items: [], next_cursor: null });
      backend
        .expectOne((r) => r.url === '/api/admin/chats' && !r.params.has('label'))
        .flush({ items: [billed], next_cursor: null });
      await loading;
      await settle();
      changed({ from: 'VIP', to: 'Gold' }, null);
      expect(store.state('active').items[0].labels).toEqual(['Billing', 'Gold']);
      changed(null, 'Billing');
      expect(store.state('active').items[0].labels).toEqual(['Gold']);
    });

    it('shows "typing…" on the card while the customer types, and clears it', async () => {
      const chat = chatItem({ last_message_preview: 'Hi' });
      await render([chat]);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const typing = (on: boolean, sender_type: 'user' | 'admin' = 'user') =>
          socket.serverEmits('typing', {
            type: 'typing',
            chat_id: chat.id,
            sender_type,
            sender_name: sender_type === 'user' ? 'Lin' : 'Ana',
            typing: on,
          });
        const preview = () => card(chat.id).querySelector('.preview')?.textContent?.trim();
        const flush = async () => {
          fixture.detectChanges();
          await fixture.whenStable();
        };
        typing(true, 'admin');
        await flush();
        expect(preview()).toBe('Hi');

        typing(true);
        await flush();
        expect(preview()).toBe('Lin is typing…');
        expect(card(chat.id).querySelector('[data-typing]')).not.toBeNull();
        // A repeat keeps it up past the first 6 s; silence after the repeat ends it.
        vi.advanceTimersByTime(TYPING_TTL_MS - 1000);
        typing(true);
        vi.advanceTimersByTime(TYPING_TTL_MS - 1000);
        await flush();
        expect(preview()).toBe('Lin is typing…');
        vi.advanceTimersByTime(1000);
        await flush();
        expect(preview()).toBe('Hi');

        typing(true);
        await flush();
        typing(false);
        await flush();
        expect(preview()).toBe('Hi');

        typing(true);
        socket.serverEmits('new_user_message', {
          type: 'new_user_message',
          chat_id: chat.id,
          user_email: chat.user_email,
          message: message({ chat_id: chat.id, content: 'Sent it', created_at: minutesAgo(-1) }),
        });
        await flush();
        expect(preview()).toBe('Sent it');
      } finally {
        vi.useRealTimers();
      }
    });

    it('leaves e to an open chat, and j/k to the list only beside it', async () => {
      const chats = [0, 1].map((i) => chatItem({ last_message_at: minutesAgo(i) }));
      const press = async (key: string): Promise<void> => {
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
        await settle();
      };
      await render(chats, null, false, { openId: chats[0].id, split: false });
      await press('j');
      expect(el.querySelector('.selected')).toBeNull();
      fixture.componentRef.setInput('split', true);
      await press('j');
      expect(el.querySelector('.selected')?.getAttribute('data-chat-id')).toBe(chats[0].id);
      expect(card(chats[0].id).getAttribute('aria-current')).toBe('true');
      await press('e');
      backend.expectNone((r) => r.url.endsWith('/archive'));
    });
  });
});
