import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from '../core/auth.interceptor';
import { AuthService, SESSION_STORAGE_KEY } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { FakeSocketService } from '../../testing/fake-socket';
import { BlankComponent } from '../../testing/blank.component';
import { ProfileComponent } from './profile.component';

describe('ProfileComponent', () => {
  let fixture: ComponentFixture<ProfileComponent>;
  let backend: HttpTestingController;
  let socket: FakeSocketService;
  let auth: AuthService;
  let el: HTMLElement;

  beforeEach(async () => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 'old-token',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'ben-1', email: 'ben@example.com', name: 'Ben', role: 'agent' },
      }),
    );
    socket = new FakeSocketService();
    socket.token = 'old-token';
    TestBed.configureTestingModule({
      imports: [ProfileComponent],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: '**', component: BlankComponent }]),
        { provide: SocketService, useValue: socket },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthService);
    fixture = TestBed.createComponent(ProfileComponent);
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
  });

  afterEach(() => {
    backend.verify();
    sessionStorage.clear();
  });

  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  const squash = (node: Element | null | undefined): string =>
    (node?.textContent ?? '').replace(/\s+/g, ' ').trim();

  function type(selector: string, value: string): void {
    const input = el.querySelector<HTMLInputElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  async function submit(selector: string): Promise<void> {
    el.querySelector(selector)!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
  }

  it('shows who is signed in, with initials', () => {
    expect(squash(el.querySelector('h1'))).toBe('Ben');
    expect(squash(el.querySelector('.account'))).toBe('ben@example.com · Agent');
    expect(squash(el.querySelector('.avatar'))).toBe('B');
    expect(el.querySelector<HTMLInputElement>('input[name=name]')!.value).toBe('Ben');
  });

  it('renames the agent: the server has the name, and so do the header and the session', async () => {
    type('input[name=name]', '  Benjamin Franklin ');
    await submit('.name-form');
    const req = backend.expectOne({ method: 'PATCH', url: '/api/admin/me' });
    expect(req.request.body).toEqual({ name: 'Benjamin Franklin' });
    expect(req.request.headers.get('Authorization')).toBe('Bearer old-token');
    req.flush({
      id: 'ben-1',
      email: 'ben@example.com',
      name: 'Benjamin Franklin',
      initials: 'BF',
      role: 'agent',
      active: true,
      created_at: '2024-01-01T00:00:00.000Z',
    });
    await settle();
    expect(auth.admin()?.name).toBe('Benjamin Franklin');
    expect(squash(el.querySelector('h1'))).toBe('Benjamin Franklin');
    expect(squash(el.querySelector('.avatar'))).toBe('BF');
    expect(squash(el.querySelector('.name-form [role=status]'))).toBe(
      'Saved. Your next replies carry this name.',
    );
  });

  it('refuses an empty name without asking the server', async () => {
    type('input[name=name]', '   ');
    await submit('.name-form');
    backend.expectNone('/api/admin/me');
    expect(squash(el.querySelector('.name-form [role=alert]'))).toBe('Enter a name.');
  });

  it('changes the password and carries on with the fresh token, on HTTP and on the socket', async () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate');
    type('input[name=current-password]', 'the old one');
    type('input[name=new-password]', 'a brand new passphrase');
    type('input[name=repeat-password]', 'a brand new passphrase');
    await submit('.password-form');
    const req = backend.expectOne({ method: 'POST', url: '/api/admin/me/password' });
    expect(req.request.body).toEqual({
      current_password: 'the old one',
      new_password: 'a brand new passphrase',
    });
    req.flush({ access_token: 'new-token', expires_in: 3600 });
    await settle();
    expect(auth.token()).toBe('new-token');
    expect(JSON.parse(sessionStorage.getItem(SESSION_STORAGE_KEY)!).token).toBe('new-token');
    expect(socket.token).toBe('new-token');
    expect(squash(el.querySelector('.password-form [role=status]'))).toContain(
      'Your password is changed.',
    );
    for (const name of ['current-password', 'new-password', 'repeat-password']) {
      expect(el.querySelector<HTMLInputElement>(`input[name=${name}]`)!.value).toBe('');
    }
    expect(navigate).not.toHaveBeenCalled();
  });

  it("shows the server's reason for a refused change, and keeps the session", async () => {
    type('input[name=current-password]', 'wrong');
    type('input[name=new-password]', 'short');
    type('input[name=repeat-password]', 'short');
    await submit('.password-form');
    backend.expectOne('/api/admin/me/password').flush(
      {
        statusCode: 400,
        message: ['password must be at least 12 characters'],
        error: 'Bad Request',
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await settle();
    expect(squash(el.querySelector('.password-form [role=alert]'))).toBe(
      'Password must be at least 12 characters.',
    );
    expect(auth.token()).toBe('old-token');
  });

  it('checks the repetition before asking the server', async () => {
    type('input[name=current-password]', 'the old one');
    type('input[name=new-password]', 'a brand new passphrase');
    type('input[name=repeat-password]', 'a brand new passphrase!');
    await submit('.password-form');
    backend.expectNone('/api/admin/me/password');
    expect(squash(el.querySelector('.password-form [role=alert]'))).toBe(
      'The new password and its repetition differ.',
    );
  });
});
