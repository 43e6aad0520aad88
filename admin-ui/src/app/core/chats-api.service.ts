import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpParams } from '@angular/common/http';
import { Observable } from 'rxjs';
import { AdminSupportChat, ChatPage, SupportChatListItem, SupportMessage } from './api.types';

/** The agents' REST endpoints, one method each; the interceptor adds the token. */
@Injectable({ providedIn: 'root' })
export class ChatsApi {
  private readonly http = inject(HttpClient);

  list(archived: boolean, cursor: string | null, limit = 50): Observable<ChatPage> {
    let params = new HttpParams().set('archived', String(archived)).set('limit', String(limit));
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<ChatPage>('/api/admin/chats', { params });
  }

  /** Also records on the server that an agent has seen the chat. */
  get(chatId: string, before?: string): Observable<AdminSupportChat> {
    const params = before ? new HttpParams().set('before', before) : undefined;
    return this.http.get<AdminSupportChat>(`/api/admin/chats/${encodeURIComponent(chatId)}`, {
      params,
    });
  }

  messagesAfter(chatId: string, afterId: string): Observable<SupportMessage[]> {
    return this.http.get<SupportMessage[]>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/messages`,
      { params: new HttpParams().set('after', afterId) },
    );
  }

  send(chatId: string, content: string, clientId: string): Observable<SupportMessage> {
    return this.http.post<SupportMessage>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/messages`,
      {
        content,
        client_id: clientId,
      },
    );
  }

  setArchived(chatId: string, archived: boolean): Observable<SupportChatListItem> {
    const action = archived ? 'archive' : 'unarchive';
    return this.http.post<SupportChatListItem>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/${action}`,
      {},
    );
  }
}
