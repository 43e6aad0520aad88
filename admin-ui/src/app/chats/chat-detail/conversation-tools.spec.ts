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
import { ChatsStore } from '../chats.store';
import { ChatDetailComponent } from './chat-detail.component';

const CHAT = 'chat-1';
const ME = { id: 'agent-1', name: 'Agent' };

/** The conversation's tools around the messages: assignment, typing, notes, replies, labels. */
describe('ChatDetailComponent tools', () => {
  let fixture: ComponentFixture<ChatDetailComponent>;
  let backend: HttpTestingController;
  let socket: FakeSocketService;
  let el: HTMLElement;

  beforeEach(() => {
    socket = new FakeSocketService();
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
});
