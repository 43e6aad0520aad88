import { TestBed } from '@angular/core/testing';
import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from '../core/auth.interceptor';
import { SESSION_STORAGE_KEY } from '../core/auth.service';
import { SetPasswordComponent } from './set-password.component';

describe('SetPasswordComponent', () => {
  let backend: HttpTestingController;
  let router: Router;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      imports: [SetPasswordComponent],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
  });

  afterEach(() => {
    backend.verify();
    sessionStorage.clear();
  });

  async function render(token?: string) {
    const fixture = TestBed.createComponent(SetPasswordComponent);
    if (token !== undefined) fixture.componentRef.setInput('token', token);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const type = (name: string, value: string): void => {
      const input = el.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    const submit = async (): Promise<void> => {
      el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
      await new Promise((resolve) => setTimeout(resolve));
      await fixture.whenStable();
    };
    const alert = () => el.querySelector('[role=alert]')?.textContent?.trim();
    return { fixture, el, type, submit, alert };
  }

  it("sets the password with the link's token, then sends the agent to sign in with a note", async () => {
    const navigate = vi.spyOn(router, 'navigate').mockResolvedValue(true);
    const { type, submit, alert } = await render('tok-from-link');
    type('password', 'correct horse battery');
    type('repeat', 'correct horse battery');
    await submit();
    const req = backend.expectOne({ method: 'POST', url: '/api/auth/set-password' });
    expect(req.request.body).toEqual({ token: 'tok-from-link', password: 'correct horse battery' });
    // Nobody is signed in: the request carries no token of anyone's.
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush(null, { status: 204, statusText: 'No Content' });
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve));
    expect(navigate).toHaveBeenCalledWith(['/login'], { queryParams: { password: 'set' } });
    expect(alert()).toBeUndefined();
  });

  it("shows the server's reason: a weak password, a used or expired link", async () => {
    const navigate = vi.spyOn(router, 'navigate');
    const { type, submit, alert, fixture } = await render('tok');
    type('password', 'short');
    type('repeat', 'short');
    await submit();
    backend.expectOne('/api/auth/set-password').flush(
      {
        statusCode: 400,
        message: ['password must be at least 12 characters'],
        error: 'Bad Request',
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
    expect(alert()).toBe('Password must be at least 12 characters.');

    type('password', 'correct horse battery');
    type('repeat', 'correct horse battery');
    await submit();
    backend.expectOne('/api/auth/set-password').flush(
      {
        statusCode: 400,
        message: 'This link is invalid or has expired; ask an admin for a new one',
        error: 'Bad Request',
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
    expect(alert()).toBe('This link is invalid or has expired; ask an admin for a new one.');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('checks the repetition before asking the server', async () => {
    const { type, submit, alert } = await render('tok');
    type('password', 'correct horse battery');
    type('repeat', 'correct horse batery');
    await submit();
    backend.expectNone('/api/auth/set-password');
    expect(alert()).toBe('The two passwords differ.');
  });

  it('says a link without its token is incomplete, with no form', async () => {
    const { el, alert } = await render();
    expect(el.querySelector('form')).toBeNull();
    expect(alert()).toContain('This link is incomplete');
  });

  it('stays on the page when someone is signed in in this tab, saying what to do', async () => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 'someone',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'a', email: 'a@example.com', name: 'A', role: 'admin' },
      }),
    );
    const navigate = vi.spyOn(router, 'navigate');
    const { el, type, submit, fixture } = await render('tok');
    type('password', 'correct horse battery');
    type('repeat', 'correct horse battery');
    await submit();
    backend
      .expectOne('/api/auth/set-password')
      .flush(null, { status: 204, statusText: 'No Content' });
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
    expect(navigate).not.toHaveBeenCalled();
    expect(el.querySelector('[role=status]')?.textContent).toContain('The password is set.');
  });
});
