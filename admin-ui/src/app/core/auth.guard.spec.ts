import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import {
  ActivatedRouteSnapshot,
  Router,
  RouterStateSnapshot,
  UrlTree,
  provideRouter,
} from '@angular/router';
import { adminGuard } from './auth.guard';
import { SESSION_STORAGE_KEY } from './auth.service';

describe('adminGuard', () => {
  afterEach(() => sessionStorage.clear());

  function guard(role: 'admin' | 'agent'): boolean | UrlTree {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 't',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'a', email: 'a@example.com', name: 'A', role },
      }),
    );
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    return TestBed.runInInjectionContext(
      () =>
        adminGuard({} as ActivatedRouteSnapshot, { url: '/team' } as RouterStateSnapshot) as
          boolean | UrlTree,
    );
  }

  it('lets admins into the team page and sends anyone else to the chats', () => {
    expect(guard('admin')).toBe(true);
    const redirect = guard('agent');
    expect(redirect).toBeInstanceOf(UrlTree);
    expect(TestBed.inject(Router).serializeUrl(redirect as UrlTree)).toBe('/chats');
  });

  it('treats a session stored before roles existed as no admin', () => {
    sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        token: 't',
        expiresAt: Date.now() + 60_000,
        admin: { id: 'a', email: 'a@example.com', name: 'A' },
      }),
    );
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    const result = TestBed.runInInjectionContext(() =>
      adminGuard({} as ActivatedRouteSnapshot, { url: '/team' } as RouterStateSnapshot),
    );
    expect(result).toBeInstanceOf(UrlTree);
  });
});
