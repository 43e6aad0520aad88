import { Injectable, InjectionToken, inject } from '@angular/core';
import { HttpClient, HttpParams } from '@angular/common/http';
import { Observable } from 'rxjs';
import { AdminSupportChat, ChatPage, SupportChatListItem, SupportMessage } from './api.types';

/**
 * How many messages a catch-up asks `…/messages?after=` for at once: the server's cap, so a
 * shorter answer means there is no more. A token so that specs can page with small numbers.
 */
export const MESSAGES_AFTER_LIMIT = new InjectionToken<number>('MESSAGES_AFTER_LIMIT', {
  providedIn: 'root',
  factory: () => 1000,
});

/** `GET /api/admin/chats` narrowed: absent fields do not narrow. */
export interface ListFilter {
  assignee?: 'me' | 'none';
  label?: string;
}

/** The agents' REST endpoints, one method each; the interceptor adds the token. */
@Injectable({ providedIn: 'root' })
export class ChatsApi {
  private readonly http = inject(HttpClient);

  /** One page of a tab, narrowed by assignee (`me`, `none`) and label when given. */
  list(
    archived: boolean,
    cursor: string | null,
    filter: ListFilter = {},
    limit = 50,
  ): Observable<ChatPage> {
    let params = new HttpParams().set('archived', String(archived)).set('limit', String(limit));
    if (filter.assignee) params = params.set('assignee', filter.assignee);
    if (filter.label) params = params.set('label', filter.label);
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<ChatPage>('/api/admin/chats', { params });
  }

  /**
   * A chat with its newest messages (`before`: the page before that message). Without
   * `before` the server also records that an agent viewed the chat, unless `view` is false.
   */
  get(
    chatId: string,
    options: { before?: string; view?: boolean } = {},
  ): Observable<AdminSupportChat> {
    let params = new HttpParams();
    if (options.before) params = params.set('before', options.before);
    if (options.view === false) params = params.set('view', 'false');
    return this.http.get<AdminSupportChat>(`/api/admin/chats/${encodeURIComponent(chatId)}`, {
      params,
    });
  }

  /** The messages after one, oldest first, at most `limit`; reading them changes nothing. */
  messagesAfter(chatId: string, afterId: string, limit: number): Observable<SupportMessage[]> {
    return this.http.get<SupportMessage[]>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/messages`,
      { params: new HttpParams().set('after', afterId).set('limit', String(limit)) },
    );
  }

  /** `isPrivate`: an internal note, which the user never receives. */
  send(
    chatId: string,
    content: string,
    clientId: string,
    isPrivate = false,
  ): Observable<SupportMessage> {
    return this.http.post<SupportMessage>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/messages`,
      isPrivate
        ? { content, client_id: clientId, private: true }
        : { content, client_id: clientId },
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
