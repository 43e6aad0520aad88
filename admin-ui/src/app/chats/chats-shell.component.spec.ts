import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Title } from '@angular/platform-browser';
import { Router, provideRouter } from '@angular/router';
import { AuthService, SESSION_STORAGE_KEY } from '../core/auth.service';
import { IncomingNotice, NotifierService } from '../core/notifier.service';
import { SocketService } from '../core/socket.service';
import { chatItem, message } from '../../testing/factories';
import { BlankComponent } from '../../testing/blank.component';
import { FakeSocketService } from '../../testing/fake-socket';
import { ChatsShellComponent } from './chats-shell.component';

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

describe('ChatsShellComponent', () => {
  let fixture: ComponentFixture<ChatsShellComponent>;
  let backend: HttpTestingController;
  let socket: FakeSocketService;
  let notifier: FakeNotifier;
  let el: HTMLElement;

  beforeEach(async () => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 'tok',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'a', email: 'agent@example.com', name: 'Agent Smith' },
      }),
    );
    socket = new FakeSocketService();
    notifier = new FakeNotifier();
    TestBed.configureTestingModule({
      imports: [ChatsShellComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: '**', component: BlankComponent }]),
        { provide: SocketService, useValue: socket },
        { provide: NotifierService, useValue: notifier },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ChatsShellComponent);
    el = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    // The list is read once the agents' room is joined (at once, here).
    await settle();
  });

  afterEach(() => {
    backend.verify();
    sessionStorage.clear();
  });

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  it('connects the socket with the session token and shows the connection state', async () => {
    backend.expectOne((r) => r.url === '/api/admin/chats').flush({ items: [], next_cursor: null });
    await settle();
    expect(socket.token).toBe('tok');
    expect(el.querySelector('.status')?.getAttribute('data-connected')).toBe('true');
    expect(el.querySelector('.status')?.textContent).toContain('Live');
    socket.status.set('reconnecting');
    await settle();
    expect(el.querySelector('.status')?.getAttribute('data-connected')).toBe('false');
    expect(el.querySelector('.status')?.textContent).toContain('Reconnecting…');
  });

  it('counts unread chats in the tab title, live', async () => {
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
    backend.expectOne((r) => r.url === '/api/admin/chats').flush({ items: [], next_cursor: null });
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
    expect(navigate).toHaveBeenCalledWith(['/chats', 'c1']);
  });

  it('logs out: forgets the session, closes the socket, goes to login', async () => {
    backend.expectOne((r) => r.url === '/api/admin/chats').flush({ items: [], next_cursor: null });
    await settle();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    el.querySelector<HTMLButtonElement>('button.logout')!.click();
    expect(TestBed.inject(AuthService).token()).toBeNull();
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(socket.disconnects).toBeGreaterThan(0);
    expect(navigate).toHaveBeenCalledWith(['/login']);
  });

  it('logs out when the socket refuses the token', async () => {
    backend.expectOne((r) => r.url === '/api/admin/chats').flush({ items: [], next_cursor: null });
    await settle();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    socket.refuseToken();
    expect(TestBed.inject(AuthService).token()).toBeNull();
    expect(navigate).toHaveBeenCalledWith(['/login']);
  });
});
