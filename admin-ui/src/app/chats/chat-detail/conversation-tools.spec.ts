import { signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideRouter } from '@angular/router';
import { AdminSupportChat } from '../../core/api.types';
import { ClockService } from '../../core/clock.service';
import { SESSION_STORAGE_KEY } from '../../core/auth.service';
import { SocketService } from '../../core/socket.service';
import { adminChat, chatItem, message } from '../../../testing/factories';
import { BlankComponent } from '../../../testing/blank.component';
import { FakeSocketService } from '../../../testing/fake-socket';
import { fakeLabelsCatalogue } from '../../../testing/fake-labels';
import { ChatsStore } from '../chats.store';
import { LabelsCatalogue } from '../chat-list/labels-catalogue.service';
import { ChatDetailComponent } from './chat-detail.component';

const CHAT = 'chat-1';
const ME = { id: 'agent-1', name: 'Agent' };

/** The conversation's tools around the messages: assignment, typing, notes, replies, labels. */
describe('ChatDetailComponent tools', () => {
  let fixture: ComponentFixture<ChatDetailComponent>;
  let backend: HttpTestingController;
  let catalogue: ReturnType<typeof fakeLabelsCatalogue>;
  let socket: FakeSocketService;
  let el: HTMLElement;

  beforeEach(() => {
    socket = new FakeSocketService();
    catalogue = fakeLabelsCatalogue();
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 't',
        expiresAt: Date.now() + 60_000,
        admin: { id: ME.id, email: 'agent@example.com', name: ME.name, role: 'agent' },
      }),
    );
    TestBed.configureTestingModule({
      imports: [ChatDetailComponent],
      providers: [
        ChatsStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: '**', component: BlankComponent }]),
        { provide: SocketService, useValue: socket },
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
    vi.useRealTimers();
  });

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  async function open(chat: Partial<AdminSupportChat> = {}): Promise<void> {
    fixture = TestBed.createComponent(ChatDetailComponent);
    fixture.componentRef.setInput('id', CHAT);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    await settle();
    backend
      .expectOne((r) => r.url === `/api/admin/chats/${CHAT}`)
      .flush(adminChat({ id: CHAT, ...chat }));
    await settle();
    // Anything the tools load on open (labels, replies) answers empty unless a test says so.
    for (const req of backend.match(() => true)) req.flush([]);
    await settle();
  }

  const q = <T extends Element = HTMLElement>(selector: string): T | null =>
    el.querySelector<T>(selector);
  const lines = (): string[] =>
    [...el.querySelectorAll('.system-line span')].map((n) => n.textContent?.trim() ?? '');

  it('assigns from the menu by keyboard and shows the line in time order', async () => {
    await open({
      messages: [message({ id: 'm1', created_at: '2024-01-29T11:00:00.000Z', content: 'Hi' })],
    });
    const trigger = q<HTMLButtonElement>('.assign-trigger')!;
    expect(trigger.textContent).toContain('Unassigned');
    trigger.focus();
    trigger.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    await settle();
    backend.expectOne('/api/admin/presence').flush([
      { agent_id: ME.id, name: ME.name, status: 'online' },
      { agent_id: 'ben', name: 'Ben', status: 'offline' },
      { agent_id: 'ana', name: 'Ana', status: 'online' },
    ]);
    await settle();
    const items = [...el.querySelectorAll<HTMLButtonElement>('[role=menuitem]')];
    expect(items.map((i) => i.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Assign to me',
      'Assign to Ana online',
      'Assign to Ben offline',
    ]);
    expect(document.activeElement).toBe(items[0]);
    items[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(items[1]);
    items[1].click();
    await settle();
    const req = backend.expectOne(`/api/admin/chats/${CHAT}/assign`);
    expect(req.request.body).toEqual({ agent_id: 'ana' });
    req.flush(chatItem({ id: CHAT, assignee: { id: 'ana', name: 'Ana' } }));
    socket.serverEmits('chat_activity', {
      type: 'chat_activity',
      activity: {
        id: 'act-1',
        chat_id: CHAT,
        kind: 'assigned',
        actor: ME,
        assignee: { id: 'ana', name: 'Ana' },
        text: 'Agent assigned this to Ana',
        created_at: '2024-01-29T12:00:00.000Z',
      },
    });
    await settle();
    expect(q('.assign-trigger')!.textContent).toContain('Assigned to Ana');
    expect(lines()).toEqual(['You assigned this to Ana']);
    expect(document.activeElement).toBe(q('.assign-trigger'));
  });

  it('closes the menu on Escape without leaving the conversation', async () => {
    await open({ assignee: ME });
    q<HTMLButtonElement>('.assign-trigger')!.focus();
    q<HTMLButtonElement>('.assign-trigger')!.click();
    await settle();
    backend.expectOne('/api/admin/presence').flush([]);
    await settle();
    const items = [...el.querySelectorAll<HTMLButtonElement>('[role=menuitem]')];
    expect(items.map((i) => i.textContent?.trim())).toEqual(['Unassign']);
    items[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle();
    expect(q('[role=menu]')).toBeNull();
    expect(q('.assign-trigger')!.textContent).toContain('Assigned to you');
  });

  const box = () => q<HTMLTextAreaElement>('textarea')!;

  async function type(text: string): Promise<void> {
    const area = box();
    area.focus();
    area.value = text;
    area.setSelectionRange(text.length, text.length);
    area.dispatchEvent(new Event('input', { bubbles: true }));
    await settle();
  }

  function key(target: Element, init: KeyboardEventInit): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event;
  }

  function customerTyping(typing: boolean, chatId = CHAT): void {
    socket.serverEmits('typing', {
      type: 'typing',
      chat_id: chatId,
      sender_type: 'user',
      sender_name: 'Dana',
      typing,
    });
  }

  it('shows the customer typing, and clears it on stop, on their message and 6 s after the last', async () => {
    await open();
    const line = () => q('.typing')?.textContent?.trim() ?? null;
    customerTyping(true, 'another-chat');
    await settle();
    expect(line()).toBeNull();
    customerTyping(true);
    await settle();
    expect(line()).toBe('Dana Scully is typing…');
    customerTyping(false);
    await settle();
    expect(line()).toBeNull();

    customerTyping(true);
    socket.serverEmits('new_message', {
      type: 'new_message',
      chat_id: CHAT,
      message: message({ chat_id: CHAT, content: 'Here it is' }),
    });
    await settle();
    expect(line()).toBeNull();

    vi.useFakeTimers();
    customerTyping(true);
    vi.advanceTimersByTime(5_000);
    customerTyping(true);
    vi.advanceTimersByTime(5_000);
    fixture.detectChanges();
    expect(line()).toBe('Dana Scully is typing…');
    vi.advanceTimersByTime(1_100);
    fixture.detectChanges();
    expect(line()).toBeNull();
  });

  it('sends typing at most every 2 s, stops on send, blur and an emptied box, never in note mode', async () => {
    await open();
    let now = 10_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    await type('H');
    await type('He');
    expect(socket.typing).toEqual([{ chat_id: CHAT, typing: true }]);
    now += 2_001;
    await type('Hel');
    expect(socket.typing.map((t) => t.typing)).toEqual([true, true]);
    await type('');
    expect(socket.typing.map((t) => t.typing)).toEqual([true, true, false]);
    await type('Hello');
    box().dispatchEvent(new Event('blur'));
    expect(socket.typing.map((t) => t.typing)).toEqual([true, true, false, true, false]);
    await type('Hello there');
    key(box(), { key: 'Enter' });
    await settle();
    expect(socket.typing.map((t) => t.typing)).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(socket.sent.at(-1)).toMatchObject({ content: 'Hello there' });
    expect(socket.sent.at(-1)?.private).toBeUndefined();

    // A note: switched to while typing, the customer hears the stop and then nothing.
    socket.typing.length = 0;
    await type('Customer is');
    key(document.body, { key: 'n', code: 'KeyN', altKey: true });
    await settle();
    await type('Customer is upset');
    now += 5_000;
    await type('Customer is upset, be kind');
    expect(socket.typing.map((t) => t.typing)).toEqual([true, false]);
  });

  it('switches to note mode with the toggle or Alt+N and sends notes as private', async () => {
    await open();
    const toggle = q<HTMLButtonElement>('.mode-toggle')!;
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    key(document.body, { key: 'n', code: 'KeyN', altKey: true });
    await settle();
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(q('.composer.note-mode')).not.toBeNull();
    expect(document.activeElement).toBe(box());
    await type('Refund approved');
    key(box(), { key: 'Enter' });
    await settle();
    expect(socket.sent.at(-1)).toMatchObject({ content: 'Refund approved', private: true });
    const note = q('[data-private="true"][data-message-id]')!;
    expect(note.textContent).toContain('Internal note');
    expect(note.textContent).toContain('Refund approved');
    toggle.click();
    await settle();
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    await type('Done!');
    key(box(), { key: 'Enter' });
    await settle();
    expect(socket.sent.at(-1)?.private).toBeUndefined();
    expect(q('[data-message-id]:not([data-private])')?.textContent).toContain('Done!');
  });

  it('finds canned replies with /, moves with the arrows and inserts the filled-in text', async () => {
    await open();
    await type('Sure: /re');
    backend.expectOne('/api/admin/canned').flush([
      { id: 'c1', title: 'Greeting', shortcut: '/hello', content: 'Hi {{user.name}}' },
      { id: 'c2', title: 'Refund policy', shortcut: '/refund', content: 'Refunds take 5 days' },
      { id: 'c3', title: 'Return label', shortcut: '/return', content: 'Here is {{order.id}}' },
    ]);
    await settle();
    const options = () =>
      [...el.querySelectorAll('[role=option]')].map(
        (o) => o.querySelector('.shortcut')?.textContent,
      );
    expect(box().getAttribute('aria-expanded')).toBe('true');
    // Shortcuts that start with "re" first, then a title that has it ("Greeting").
    expect(options()).toEqual(['/refund', '/return', '/hello']);
    expect(box().getAttribute('aria-activedescendant')).toBe('canned-c2');
    key(box(), { key: 'ArrowDown' });
    await settle();
    expect(box().getAttribute('aria-activedescendant')).toBe('canned-c3');
    const enter = key(box(), { key: 'Enter' });
    expect(enter.defaultPrevented).toBe(true);
    await settle();
    const req = backend.expectOne(`/api/admin/chats/${CHAT}/canned/expand`);
    expect(req.request.body).toEqual({ shortcut: '/return' });
    req.flush({
      id: 'c3',
      title: 'Return label',
      shortcut: '/return',
      content: 'Here is {{order.id}}',
      unfilled: ['{{order.id}}'],
    });
    await settle();
    expect(box().value).toBe('Sure: Here is {{order.id}}');
    expect(q('.notice')?.textContent).toContain('{{order.id}} left as written');
    expect(socket.sent).toEqual([]);

    // Escape closes the list and keeps the agent in the conversation.
    await type('/');
    expect(box().getAttribute('aria-expanded')).toBe('true');
    const escape = key(box(), { key: 'Escape' });
    await settle();
    expect(escape.defaultPrevented).toBe(true);
    expect(box().getAttribute('aria-expanded')).toBe('false');
    backend.verify();
  });

  it('adds and removes labels from the catalogue, and shows the customer’s details', async () => {
    catalogue.list.set([
      { id: 'l1', name: 'Billing', color: '#d97706', chat_count: 0 },
      { id: 'l2', name: 'Bug', color: '#dc2626', chat_count: 0 },
    ]);
    await open({
      labels: ['Billing'],
      assignee: { id: 'ana', name: 'Ana' },
      messages: [message({ created_at: '2024-01-28T09:00:00.000Z' })],
    });
    const panel = q('app-customer-panel')!;
    expect(panel.querySelector('.fact-email')?.textContent).toContain('dana@example.com');
    expect(panel.querySelector('.fact-name')?.textContent).toContain('Dana Scully');
    expect(panel.querySelector('.fact-assignee')?.textContent).toContain('Ana');
    expect(panel.querySelector('.fact-first-seen time')?.getAttribute('datetime')).toBe(
      '2024-01-28T09:00:00.000Z',
    );
    const select = panel.querySelector<HTMLSelectElement>('select.add-label')!;
    expect([...select.options].map((o) => o.textContent?.trim())).toEqual(['Add a label…', 'Bug']);
    select.value = 'l2';
    select.dispatchEvent(new Event('change'));
    await settle();
    const add = backend.expectOne(`/api/admin/chats/${CHAT}/labels`);
    expect(add.request.body).toEqual({ label_id: 'l2' });
    add.flush(chatItem({ id: CHAT, labels: ['Billing', 'Bug'] }));
    await settle();
    expect([...panel.querySelectorAll('.chip-name')].map((c) => c.textContent)).toEqual([
      'Billing',
      'Bug',
    ]);
    panel.querySelector<HTMLButtonElement>('[aria-label="Remove label Billing"]')!.click();
    await settle();
    const remove = backend.expectOne(`/api/admin/chats/${CHAT}/labels/l1`);
    expect(remove.request.method).toBe('DELETE');
    remove.flush(chatItem({ id: CHAT, labels: ['Bug'] }));
    await settle();
    expect([...panel.querySelectorAll('.chip-name')].map((c) => c.textContent)).toEqual(['Bug']);
  });
});
