import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpParams } from '@angular/common/http';
import { Observable } from 'rxjs';
import type { SearchPage } from '../../../../backend/src/contracts/wire';
import { AdminSupportChat } from '../core/api.types';

export type { SearchPage, SearchResult } from '../../../../backend/src/contracts/wire';

/** Search, and opening a chat at a result; the interceptor adds the token. */
@Injectable({ providedIn: 'root' })
export class SearchApi {
  private readonly http = inject(HttpClient);

  search(q: string, cursor: string | null): Observable<SearchPage> {
    let params = new HttpParams().set('q', q);
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<SearchPage>('/api/admin/search', { params });
  }

  /** The chat with a page that reaches back past `messageId`; records the view unless `view` is false. */
  around(chatId: string, messageId: string, view: boolean): Observable<AdminSupportChat> {
    const params = view ? new HttpParams() : new HttpParams().set('view', 'false');
    return this.http.get<AdminSupportChat>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/around/${encodeURIComponent(messageId)}`,
      { params },
    );
  }
}
