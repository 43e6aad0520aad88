import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';
import type { SupportLabel } from '../../../../backend/src/contracts/wire';
import { SupportChatListItem } from '../core/api.types';

export type { SupportLabel };

/** Labels: admins define them (name, colour); every agent puts them on chats and takes them off. */
@Injectable({ providedIn: 'root' })
export class LabelsApi {
  private readonly http = inject(HttpClient);

  list(): Observable<SupportLabel[]> {
    return this.http.get<SupportLabel[]>('/api/admin/labels');
  }

  create(label: { name: string; color: string }): Observable<SupportLabel> {
    return this.http.post<SupportLabel>('/api/admin/labels', label);
  }

  update(id: string, changes: { name?: string; color?: string }): Observable<SupportLabel> {
    return this.http.patch<SupportLabel>(`/api/admin/labels/${encodeURIComponent(id)}`, changes);
  }

  remove(id: string): Observable<void> {
    return this.http.delete<void>(`/api/admin/labels/${encodeURIComponent(id)}`);
  }

  addToChat(chatId: string, labelId: string): Observable<SupportChatListItem> {
    return this.http.post<SupportChatListItem>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/labels`,
      { label_id: labelId },
    );
  }

  removeFromChat(chatId: string, labelId: string): Observable<SupportChatListItem> {
    return this.http.delete<SupportChatListItem>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/labels/${encodeURIComponent(labelId)}`,
    );
  }
}
