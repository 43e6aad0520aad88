import { TestBed } from '@angular/core/testing';
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { authInterceptor } from './auth.interceptor';
import { AuthService, SESSION_STORAGE_KEY } from './auth.service';

describe('authInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  let auth: AuthService;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthService);
  });

  afterEach(() => backend.verify());

  async function logIn(): Promise<void> {
    const done = firstValueFrom(auth.login('a@example.com', 'pw'));
    const req = backend.expectOne('/api/auth/login');
    expect(req.request.headers.has('Authorization')).toBe(false);
    expect(req.request.body).toEqual({ email: 'a@example.com', password: 'pw' });
    req.flush({
      access_token: 'tok-1',
      expires_in: 3600,
      admin: { id: 'a', email: 'a@example.com', name: null },
    });
    await done;
  }

  it('keeps the token in sessionStorage and signs API calls with it', async () => {
    await logIn();
    expect(JSON.parse(sessionStorage.getItem(SESSION_STORAGE_KEY) ?? '{}').token).toBe('tok-1');
    void firstValueFrom(http.get('/api/admin/chats'));
    const req = backend.expectOne('/api/admin/chats');
    expect(req.request.headers.get('Authorization')).toBe('Bearer tok-1');
    req.flush({ items: [], next_cursor: null });
  });

  it('does not send the token anywhere but the API', async () => {
    await logIn();
    void firstValueFrom(http.get('https://elsewhere.example/x'));
    const req = backend.expectOne('https://elsewhere.example/x');
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });

  it('sends the agent back to login on a 401, forgetting the token', async () => {
    await logIn();
    const router = TestBed.inject(Router);
    const navigate = vi.spyOn(router, 'navigate').mockResolvedValue(true);
    const result = firstValueFrom(http.get('/api/admin/chats')).catch((e: unknown) => e);
    backend
      .expectOne('/api/admin/chats')
      .flush({ statusCode: 401 }, { status: 401, statusText: 'Unauthorized' });
    await result;
    expect(auth.token()).toBeNull();
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(navigate).toHaveBeenCalledWith(['/login'], {
      queryParams: expect.objectContaining({ session: 'ended' }),
    });
  });

  it('keeps the session when a 401 answers a token that a password change has replaced', async () => {
    await logIn();
    const router = TestBed.inject(Router);
    const navigate = vi.spyOn(router, 'navigate').mockResolvedValue(true);
    const result = firstValueFrom(http.get('/api/admin/chats')).catch((e: unknown) => e);
    const req = backend.expectOne('/api/admin/chats');
    expect(req.request.headers.get('Authorization')).toBe('Bearer tok-1');
    auth.replaceToken({ access_token: 'tok-2', expires_in: 3600 });
    req.flush({ statusCode: 401 }, { status: 401, statusText: 'Unauthorized' });
    await result;
    expect(auth.token()).toBe('tok-2');
    expect(navigate).not.toHaveBeenCalled();
    // The next call goes out with the new token.
    void firstValueFrom(http.get('/api/admin/chats'));
    const next = backend.expectOne('/api/admin/chats');
    expect(next.request.headers.get('Authorization')).toBe('Bearer tok-2');
    next.flush({ items: [], next_cursor: null });
  });

  it('leaves a 401 from the login call to the form', async () => {
    const router = TestBed.inject(Router);
    const navigate = vi.spyOn(router, 'navigate');
    const result = firstValueFrom(auth.login('a@example.com', 'bad')).catch((e: unknown) => e);
    backend.expectOne('/api/auth/login').flush({}, { status: 401, statusText: 'Unauthorized' });
    await result;
    expect(navigate).not.toHaveBeenCalled();
  });

  it('treats an expired session as logged out', () => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 'old',
        expiresAt: Date.now() - 1000,
        admin: { id: 'a', email: 'a@x', name: null },
      }),
    );
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    const fresh = TestBed.inject(AuthService);
    expect(fresh.isLoggedIn()).toBe(false);
    expect(sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });
});
