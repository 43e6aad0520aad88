import { Injectable } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import type { AgentSupportMessage, ChatActivity, PresenceStatus, SupportChatListItem, SupportLabel } from '../contracts/wire';

/**
 * Something that changed, published only after its transaction committed. Events carry what
 * their listeners need (the chat as the agents' list shows it, when the change produced it),
 * so fanning them out costs no query.
 */
export type ChatEvent =
  | {
      kind: 'message_created';
      chatId: string;
      message: AgentSupportMessage;
      userEmail: string;
      chat: SupportChatListItem;
      /** A user's message that brought the chat back from the archive. */
      reopened: boolean;
    }
  | { kind: 'chat_activity'; activity: ChatActivity }
  | { kind: 'labels_changed'; labels: SupportLabel[]; renamed: { from: string; to: string } | null; deleted: string | null }
  | { kind: 'chat_changed'; chatId: string; chat?: SupportChatListItem }
  | { kind: 'agent_signed_out'; agentId: string }
  | { kind: 'agent_presence'; agentId: string; name: string; status: PresenceStatus }
  | { kind: 'availability'; status: PresenceStatus }
  | { kind: 'messages_read'; chatId: string; reader: 'user' | 'admin'; readAt: string; messageIds: string[] };

/**
 * The in-process bus between the services that change chats and whoever must hear of it
 * (the socket gateway, the email scheduler), so neither depends on the other.
 */
@Injectable()
export class ChatEvents {
  private readonly subject = new Subject<ChatEvent>();
  readonly events$: Observable<ChatEvent> = this.subject.asObservable();

  publish(event: ChatEvent): void {
    this.subject.next(event);
  }
}
