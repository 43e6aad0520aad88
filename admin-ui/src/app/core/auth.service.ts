import { Injectable, computed, inject, signal } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable, tap } from 'rxjs';
import { AdminProfile, LoginResponse } from './api.types';

interface StoredSession {
  token: string;
  expiresAt: number;
  admin: AdminProfile;
}

// sessionStorage, not localStorage: the token dies with the tab, and two agents sharing a
// machine never inherit each other's session.
export const SESSION_STORAGE_KEY = 'support-console.session';

@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly session = signal<StoredSession | null>(readSession());

  readonly token = computed(() => this.session()?.token ?? null);
  readonly admin = computed(() => this.session()?.admin ?? null);

  /** True while a token exists and has not passed its expiry; an expired one is dropped. */
  isLoggedIn(): boolean {
    const session = this.session();
    if (!session) return false;
    if (session.expiresAt <= Date.now()) {
      this.logout();
      return false;
    }
    return true;
  }

  login(email: string, password: string): Observable<LoginResponse> {
    return this.http.post<LoginResponse>('/api/auth/login', { email, password }).pipe(
      tap((res) => {
        const session: StoredSession = {
          token: res.access_token,
          expiresAt: Date.now() + res.expires_in * 1000,
          admin: res.admin,
        };
        sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
        this.session.set(session);
      }),
    );
  }

  logout(): void {
    sessionStorage.removeItem(SESSION_STORAGE_KEY);
    this.session.set(null);
  }
}

function readSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(SESSION_STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    if (
      typeof parsed.token !== 'string' ||
      typeof parsed.expiresAt !== 'number' ||
      typeof parsed.admin !== 'object' ||
      parsed.admin === null
    ) {
      return null;
    }
    return { token: parsed.token, expiresAt: parsed.expiresAt, admin: parsed.admin };
  } catch {
    // A hand-edited or corrupt entry means "not logged in", never a crash on boot.
    return null;
  }
}
