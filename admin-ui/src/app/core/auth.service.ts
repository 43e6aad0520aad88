import { Injectable, computed, inject, signal } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable, tap } from 'rxjs';
import { AdminProfile, AgentView, LoginResponse, SessionToken } from './api.types';

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
  /** Whether the signed-in agent manages the team; the server checks it again on every call. */
  readonly isAdmin = computed(() => this.session()?.admin.role === 'admin');

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
      tap((res) =>
        this.store({
          token: res.access_token,
          expiresAt: Date.now() + res.expires_in * 1000,
          admin: res.admin,
        }),
      ),
    );
  }

  /**
   * Reads the agent's name and role from the server: an admin may have renamed them or changed
   * their role since they signed in.
   */
  refreshProfile(): Observable<AgentView> {
    return this.http.get<AgentView>('/api/admin/me').pipe(tap((me) => this.updateProfile(me)));
  }

  updateProfile(me: Pick<AgentView, 'name' | 'role'>): void {
    const session = this.session();
    if (session)
      this.store({ ...session, admin: { ...session.admin, name: me.name, role: me.role } });
  }

  /**
   * Keeps the session going on a new token: changing one's password ends every older token,
   * this tab's included, and the server answers with a fresh one.
   */
  replaceToken(token: SessionToken): void {
    const session = this.session();
    if (!session) return;
    this.store({
      ...session,
      token: token.access_token,
      expiresAt: Date.now() + token.expires_in * 1000,
    });
  }

  logout(): void {
    sessionStorage.removeItem(SESSION_STORAGE_KEY);
    this.session.set(null);
  }

  private store(session: StoredSession): void {
    sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
    this.session.set(session);
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
    // A session stored before roles existed has none: no team management until the server says so.
    const role = parsed.admin.role === 'admin' ? 'admin' : 'agent';
    return { token: parsed.token, expiresAt: parsed.expiresAt, admin: { ...parsed.admin, role } };
  } catch {
    // A hand-edited or corrupt entry means "not logged in", never a crash on boot.
    return null;
  }
}
