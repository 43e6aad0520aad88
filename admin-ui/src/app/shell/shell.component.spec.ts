import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Title } from '@angular/platform-browser';
import { Router, provideRouter } from '@angular/router';
import { AgentView } from '../core/api.types';
import { AuthService, SESSION_STORAGE_KEY } from '../core/auth.service';
import { IncomingNotice, NotifierService } from '../core/notifier.service';
import { SocketService } from '../core/socket.service';
import { chatItem, message } from '../../testing/factories';
import { BlankComponent } from '../../testing/blank.component';
import { FakeSocketService } from '../../testing/fake-socket';
import { ShellComponent } from './shell.component';
import { AgentPresence } from './presence.store';

class FakeNotifier {
  readonly permission = (): NotificationPermission => 'granted';
  readonly notices: IncomingNotice[] = [];
  opener: (() => void) | null = null;
  notify(notice: IncomingNotice, onOpen: () => void): boolean {
    this.notices.push(notice);
    this.opener = onOpen;
    return true;
  }
  enable(): Promise<void> {
    return Promise.resolve();
  }
}

describe('ShellComponent', () => {
  let fixture: ComponentFixture<ShellComponent>;
  let backend: HttpTestingController;
  let socket: FakeSocketService;
  let notifier: FakeNotifier;
  let el: HTMLElement;

  async function start(
    role: 'admin' | 'agent' = 'agent',
    name = 'Agent Smith',
    presence: AgentPresence[] = [],
  ): Promise<void> {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 'tok',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'a', email: 'agent@example.com', name, role },
      }),
    );
    TestBed.configureTestingModule({
      imports: [ShellComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: '**', component: BlankComponent }]),
        { provide: SocketService, useValue: socket },
        { provide: NotifierService, useValue: notifier },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ShellComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    // The list and the team's presence are read once the agents' room is joined (at once, here).
    await settle();
    backend.expectOne('/api/admin/presence').flush(presence);
    await settle();
  }

  /** The shell asks who the agent is now (an admin may have renamed them or changed their role). */
  function answerMe(me: Partial<AgentView> = {}): void {
    backend.expectOne('/api/admin/me').flush({
      id: 'a',
      email: 'agent@example.com',
      name: 'Agent Smith',
      initials: 'AS',
      role: 'agent',
      active: true,
      created_at: '2024-01-01T00:00:00.000Z',
      ...me,
    });
  }

  function answerList(): void {
    backend.expectOne((r) => r.url === '/api/admin/chats').flush({ items: [], next_cursor: null });
  }

  beforeEach(() => {
    socket = new FakeSocketService();
    notifier = new FakeNotifier();
  });

  afterEach(() => {
    backend.verify();
    sessionStorage.clear();
  });

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  const navLinks = (): string[] =>
    Array.from(el.querySelectorAll('nav a')).map((a) => a.textContent?.trim() ?? '');
  const text = (selector: string): string | undefined =>
    el.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim();

  it('connects the socket with the session token and shows the connection state', async () => {
    await start();
    answerMe();
    answerList();
    await settle();
    expect(socket.token).toBe('tok');
    expect(el.querySelector('.status')?.getAttribute('data-connected')).toBe('true');
    expect(el.querySelector('.status')?.textContent).toContain('Live');
    socket.status.set('reconnecting');
    await settle();
    expect(el.querySelector('.status')?.getAttribute('data-connected')).toBe('false');
    expect(el.querySelector('.status')?.textContent).toContain('Reconnecting…');
  });

  it('shows the Team link to admins only, and the agent with initials linking to their profile', async () => {
    await start('agent');
    answerMe();
    answerList();
    await settle();
    expect(el.querySelector('a.team-link')).toBeNull();
    expect(navLinks()).toEqual(['Chats']);
    const agent = el.querySelector<HTMLAnchorElement>('a.agent')!;
    expect(agent.getAttribute('href')).toBe('/profile');
    expect(text('a.agent .avatar')).toBe('AS');
    expect(text('a.agent .agent-name')).toBe('Agent Smith');
    expect(agent.querySelector('.avatar')?.getAttribute('aria-hidden')).toBe('true');

    TestBed.resetTestingModule();
    await start('admin');
    answerMe({ role: 'admin' });
    answerList();
    await settle();
    expect(el.querySelector('a.team-link')?.getAttribute('href')).toBe('/team');
    // Reports beside Chats; the pages set up once and seldom changed behind the Admin button.
    expect(navLinks()).toEqual([
      'Chats',
      'Reports',
      'Team',
      'Labels',
      'Canned replies',
      'API keys',
      'Webhooks',
    ]);
    expect(el.querySelector('app-admin-menu #admin-pages')?.hasAttribute('hidden')).toBe(true);
  });

  it("follows the server's word on the agent's name and role: a rename or a demotion since sign-in", async () => {
    await start('admin', 'Old Name');
    expect(el.querySelector('a.team-link')).not.toBeNull();
    answerMe({ name: 'New Name', initials: 'NN', role: 'agent' });
    answerList();
    await settle();
    expect(text('a.agent .agent-name')).toBe('New Name');
    expect(text('a.agent .avatar')).toBe('NN');
    expect(el.querySelector('a.team-link')).toBeNull();
    const stored = JSON.parse(sessionStorage.getItem(SESSION_STORAGE_KEY)!) as {
      admin: { name: string; role: string };
    };
    expect(stored.admin).toMatchObject({ name: 'New Name', role: 'agent' });
  });

  it('counts unread chats in the tab title, live', async () => {
    await start();
    answerMe();
    const title = TestBed.inject(Title);
    const unread = chatItem({ unread: true });
    backend
      .expectOne((r) => r.url === '/api/admin/chats')
      .flush({
        items: [unread, chatItem({ unread: true }), chatItem({ unread: true }), chatItem()],
        next_cursor: null,
      });
    await settle();
    expect(title.getTitle()).toBe('(3) Support Chats');
    socket.serverEmits('chat_updated', {
      type: 'chat_updated',
      chat: { ...unread, unread: false },
    });
    await settle();
    expect(title.getTitle()).toBe('(2) Support Chats');
  });

  it('alerts the agent about a new user message and opens the chat from the alert', async () => {
    await start();
    answerMe();
    answerList();
    await settle();
    socket.serverEmits('new_user_message', {
      type: 'new_user_message',
      chat_id: 'c1',
      user_email: 'dana@example.com',
      message: message({ chat_id: 'c1', content: 'Help!' }),
    });
    expect(notifier.notices).toEqual([{ chatId: 'c1', from: 'dana@example.com', text: 'Help!' }]);
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    notifier.opener?.();
    expect(navigate).toHaveBeenCalledWith(['/chats', 'c1'], { queryParamsHandling: 'preserve' });
  });

  it('logs out: forgets the session, closes the socket, goes to login', async () => {
    await start();
    answerMe();
    answerList();
    await settle();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    el.querySelector<HTMLButtonElement>('button.logout')!.click();
    expect(TestBed.inject(AuthService).token()).toBeNull();
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(socket.disconnects).toBeGreaterThan(0);
    expect(navigate).toHaveBeenCalledWith(['/login'], {});
  });

  it('goes to login, saying the session ended, when the socket refuses the token (a deactivation)', async () => {
    await start();
    answerMe();
    answerList();
    await settle();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    socket.refuseToken();
    expect(TestBed.inject(AuthService).token()).toBeNull();
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(socket.disconnects).toBeGreaterThan(0);
    expect(navigate).toHaveBeenCalledWith(['/login'], { queryParams: { session: 'ended' } });
  });

  it("shows who is online, live, and switches the agent's own presence", async () => {
    await start('agent', 'Agent Smith', [
      { agent_id: 'b', name: 'Ben', status: 'offline' },
      { agent_id: 'a', name: 'Agent Smith', status: 'online' },
      { agent_id: 'c', name: 'Cleo', status: 'away' },
    ]);
    answerMe();
    answerList();
    await settle();
    const rows = () =>
      Array.from(el.querySelectorAll<HTMLElement>('.presence-list [data-agent-id]')).map(
        (li) => `${li.querySelector('.presence-name')?.textContent}:${li.dataset['status']}`,
      );
    expect(rows()).toEqual(['Agent Smith:online', 'Cleo:away', 'Ben:offline']);
    expect(text('.team-presence summary')).toBe('1 online in the team');

    socket.serverEmits('agent_presence', {
      type: 'agent_presence',
      agent_id: 'b',
      name: 'Ben',
      status: 'online',
    });
    await settle();
    expect(rows()).toEqual(['Agent Smith:online', 'Ben:online', 'Cleo:away']);
    expect(text('.team-presence summary')).toBe('2 online in the team');

    const toggle = el.querySelector<HTMLButtonElement>('.my-presence')!;
    expect(toggle.getAttribute('role')).toBe('switch');
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    toggle.click();
    await settle();
    expect(socket.presence).toEqual(['away']);
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect(rows()).toContain('Agent Smith:away');
    // Away by idleness, as the server announces it, shows on the switch too.
    socket.serverEmits('agent_presence', {
      type: 'agent_presence',
      agent_id: 'a',
      name: 'Agent Smith',
      status: 'online',
    });
    await settle();
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    toggle.click();
    await settle();
    expect(socket.presence).toEqual(['away', 'away']);
  });

  it("closes the team's presence list on a click elsewhere and on moving to another page", async () => {
    await start('agent', 'Agent Smith', [{ agent_id: 'a', name: 'Agent Smith', status: 'online' }]);
    answerMe();
    answerList();
    await settle();
    const details = el.querySelector<HTMLDetailsElement>('.team-presence')!;
    details.open = true;
    el.querySelector<HTMLElement>('.presence-list li')!.click();
    expect(details.open).toBe(true);
    document.body.click();
    expect(details.open).toBe(false);

    details.open = true;
    await TestBed.inject(Router).navigateByUrl('/profile');
    await settle();
    expect(details.open).toBe(false);
  });

  it('lays a change heard during the first read over its answer', async () => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 'tok',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'a', email: 'agent@example.com', name: 'Agent Smith', role: 'agent' },
      }),
    );
    TestBed.configureTestingModule({
      imports: [ShellComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: '**', component: BlankComponent }]),
        { provide: SocketService, useValue: socket },
        { provide: NotifierService, useValue: notifier },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ShellComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    await settle();
    const read = backend.expectOne('/api/admin/presence');
    socket.serverEmits('agent_presence', {
      type: 'agent_presence',
      agent_id: 'b',
      name: 'Ben',
      status: 'away',
    });
    read.flush([{ agent_id: 'b', name: 'Ben', status: 'online' }]);
    answerMe();
    answerList();
    await settle();
    expect(
      el.querySelector('.presence-list [data-agent-id="b"]')?.getAttribute('data-status'),
    ).toBe('away');
  });
});
