import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';
import { AgentView, SessionToken } from '../core/api.types';

/** The signed-in agent's own account: every agent may change their name and password. */
@Injectable({ providedIn: 'root' })
export class ProfileApi {
  private readonly http = inject(HttpClient);

  rename(name: string): Observable<AgentView> {
    return this.http.patch<AgentView>('/api/admin/me', { name });
  }

  /** Ends every other session; the answer is this session's new token (the old one stops working). */
  changePassword(currentPassword: string, newPassword: string): Observable<SessionToken> {
    return this.http.post<SessionToken>('/api/admin/me/password', {
      current_password: currentPassword,
      new_password: newPassword,
    });
  }
}
