import { TestBed } from '@angular/core/testing';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from '../core/auth.interceptor';
import { AuthService } from '../core/auth.service';
import { LoginComponent } from './login.component';

describe('LoginComponent', () => {
  let backend: HttpTestingController;
  let router: Router;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      imports: [LoginComponent],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
  });

  async function render(returnUrl?: string, query: { session?: string; password?: string } = {}) {
    const fixture = TestBed.createComponent(LoginComponent);
    if (returnUrl) fixture.componentRef.setInput('returnUrl', returnUrl);
    for (const [name, value] of Object.entries(query)) fixture.componentRef.setInput(name, value);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const type = (name: string, value: string): void => {
      const input = el.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    const submit = async (): Promise<void> => {
      el.querySelector('form')!.dispatchEvent(new Event('submit'));
      await fixture.whenStable();
    };
    return { fixture, el, type, submit };
  }

  it('logs in and opens the chat list', async () => {
    const navigate = vi.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    const { el, type, submit } = await render();
    type('email', ' agent@example.com ');
    type('password', 'secret');
    await submit();
    const req = backend.expectOne('/api/auth/login');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ email: 'agent@example.com', password: 'secret' });
    req.flush({
      access_token: 't',
      expires_in: 60,
      admin: { id: '1', email: 'agent@example.com', name: 'Agent' },
    });
    await Promise.resolve();
    expect(TestBed.inject(AuthService).token()).toBe('t');
    expect(navigate).toHaveBeenCalledWith('/chats');
    expect(el.querySelector('[role=alert]')).toBeNull();
  });

  it('goes back where a 401 interrupted the agent, but only inside the console', async () => {
    const navigate = vi.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    for (const [returnUrl, expected] of [
      ['/chats/abc', '/chats/abc'],
      ['//evil.example/x', '/chats'],
      ['https://evil.example', '/chats'],
    ] as const) {
      const { type, submit } = await render(returnUrl);
      type('email', 'a@example.com');
      type('password', 'pw');
      await submit();
      backend
        .expectOne('/api/auth/login')
        .flush({ access_token: 't', expires_in: 60, admin: { id: '1', email: 'a', name: null } });
      await Promise.resolve();
      expect(navigate).toHaveBeenLastCalledWith(expected);
    }
  });

  it('shows an error for a wrong password and stays', async () => {
    const navigate = vi.spyOn(router, 'navigateByUrl');
    const { fixture, el, type, submit } = await render();
    type('email', 'agent@example.com');
    type('password', 'wrong');
    await submit();
    backend
      .expectOne('/api/auth/login')
      .flush({ statusCode: 401 }, { status: 401, statusText: 'Unauthorized' });
    await fixture.whenStable();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('Wrong email or password.');
    expect(navigate).not.toHaveBeenCalled();
    expect(TestBed.inject(AuthService).token()).toBeNull();
    expect(el.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled).toBe(false);
  });

  it('says why the agent is here: a session the server ended, or a password just set', async () => {
    const status = (el: HTMLElement) => el.querySelector('[role=status]')?.textContent?.trim();
    expect(status((await render()).el)).toBeUndefined();
    expect(status((await render(undefined, { session: 'ended' })).el)).toBe(
      'Your session has ended. Sign in again.',
    );
    expect(status((await render(undefined, { password: 'set' })).el)).toBe(
      'Your password is set. Sign in with it.',
    );
  });

  it("shows the server's reason when it refuses a right password: a deactivated account", async () => {
    const { fixture, el, type, submit } = await render();
    type('email', 'eve@example.com');
    type('password', 'correct horse battery');
    await submit();
    backend
      .expectOne('/api/auth/login')
      .flush(
        { statusCode: 401, message: 'This account is deactivated', error: 'Unauthorized' },
        { status: 401, statusText: 'Unauthorized' },
      );
    await fixture.whenStable();
    expect(el.querySelector('[role=alert]')?.textContent).toContain('This account is deactivated.');
    expect(TestBed.inject(AuthService).token()).toBeNull();
  });

  it('stores the role the server answers with', async () => {
    vi.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    const { type, submit } = await render();
    type('email', 'ada@example.com');
    type('password', 'pw');
    await submit();
    backend.expectOne('/api/auth/login').flush({
      access_token: 't',
      expires_in: 60,
      admin: { id: '1', email: 'ada@example.com', name: 'Ada', role: 'admin' },
    });
    await Promise.resolve();
    expect(TestBed.inject(AuthService).isAdmin()).toBe(true);
  });

  it('asks for both fields before calling the server', async () => {
    const { el, submit } = await render();
    await submit();
    backend.expectNone('/api/auth/login');
    expect(el.querySelector('[role=alert]')?.textContent).toContain(
      'Enter your email and password.',
    );
  });
});
