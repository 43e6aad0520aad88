import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';
import type {
  ApiKeyScope,
  ApiKeyView,
  CreatedApiKey,
  RetentionStatus,
} from '../../../../backend/src/contracts/wire';

export type { ApiKeyScope, ApiKeyView, CreatedApiKey, RetentionStatus };

/** Admins' keys for the server API, and the retention policy's next run. */
@Injectable({ providedIn: 'root' })
export class ApiKeysApi {
  private readonly http = inject(HttpClient);

  list(): Observable<ApiKeyView[]> {
    return this.http.get<ApiKeyView[]>('/api/admin/api-keys');
  }

  create(name: string, scopes: ApiKeyScope[]): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>('/api/admin/api-keys', { name, scopes });
  }

  revoke(id: string): Observable<ApiKeyView> {
    return this.http.post<ApiKeyView>(`/api/admin/api-keys/${encodeURIComponent(id)}/revoke`, {});
  }

  retention(): Observable<RetentionStatus> {
    return this.http.get<RetentionStatus>('/api/admin/retention');
  }
}
