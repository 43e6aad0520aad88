import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable } from 'rxjs';
import { SupportChatListItem } from '../../core/api.types';

/** An active agent and whether they are at their desk, as `GET /api/admin/presence` lists them. */
export interface AgentPresence {
  agent_id: string;
  name: string;
  status: 'online' | 'away' | 'offline';
}

/** The conversation's own calls beyond messages: assignment and the team to assign to. */
@Injectable({ providedIn: 'root' })
export class ConversationApi {
  private readonly http = inject(HttpClient);

  /** Every active agent (open to all agents, unlike agent management). */
  agents(): Observable<AgentPresence[]> {
    return this.http.get<AgentPresence[]>('/api/admin/presence');
  }

  /** `agentId` null unassigns. */
  assign(chatId: string, agentId: string | null): Observable<SupportChatListItem> {
    return this.http.post<SupportChatListItem>(
      `/api/admin/chats/${encodeURIComponent(chatId)}/assign`,
      { agent_id: agentId },
    );
  }
}
