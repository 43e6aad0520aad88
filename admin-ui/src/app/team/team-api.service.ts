import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';
import { AgentRole, AgentView, CreatedAgent, PasswordReset } from '../core/api.types';

export interface NewAgent {
  email: string;
  name: string;
  role: AgentRole;
  /** Left out, the server answers with a one-time set-password link instead. */
  password?: string;
}

/** Agent management, for admins (the server answers 403 to anyone else). */
@Injectable({ providedIn: 'root' })
export class TeamApi {
  private readonly http = inject(HttpClient);

  list(): Observable<AgentView[]> {
    return this.http.get<AgentView[]>('/api/admin/agents');
  }

  create(agent: NewAgent): Observable<CreatedAgent> {
    return this.http.post<CreatedAgent>('/api/admin/agents', agent);
  }

  update(id: string, changes: { name?: string; role?: AgentRole }): Observable<AgentView> {
    return this.http.patch<AgentView>(`/api/admin/agents/${encodeURIComponent(id)}`, changes);
  }

  setActive(id: string, active: boolean): Observable<AgentView> {
    const action = active ? 'reactivate' : 'deactivate';
    return this.http.post<AgentView>(`/api/admin/agents/${encodeURIComponent(id)}/${action}`, {});
  }

  /** A new password, or without one a one-time link; either way the agent's sessions end. */
  resetPassword(id: string, password?: string): Observable<PasswordReset> {
    return this.http.post<PasswordReset>(
      `/api/admin/agents/${encodeURIComponent(id)}/password`,
      password ? { password } : {},
    );
  }
}
