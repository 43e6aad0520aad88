import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';
import type { CannedExpansion, CannedReply } from '../../../../backend/src/contracts/wire';

export type { CannedExpansion, CannedReply };

/** The fields an admin edits; the shortcut's slash may be left out. */
export interface CannedReplyDraft {
  title: string;
  shortcut: string;
  content: string;
}

/** The team's canned replies: everyone reads and fills them in, admins change them. */
@Injectable({ providedIn: 'root' })
export class CannedApi {
  private readonly http = inject(HttpClient);

  list(): Observable<CannedReply[]> {
    return this.http.get<CannedReply[]>('/api/admin/canned');
  }

  create(reply: CannedReplyDraft): Observable<CannedReply> {
    return this.http.post<CannedReply>('/api/admin/canned', reply);
  }

  update(id: string, changes: Partial<CannedReplyDraft>): Observable<CannedReply> {
    return this.http.patch<CannedReply>(`/api/admin/canned/${encodeURIComponent(id)}`, changes);
  }

  remove(id: string): Observable<void> {
    return this.http.delete<void>(`/api/admin/canned/${encodeURIComponent(id)}`);
  }

  /** The reply filled in for this chat by the signed-in agent; unknown variables left as written. */
  expand(chatId: string, shortcut: string): Observable<CannedExpansion> {
    return this.http.post<CannedExpansion>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/canned/expand`,
      { shortcut },
    );
  }
}
