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
  /**
   * A resend found its message stored already. Relayed again (to the chat's room, not as news:
   * no email, webhook or count), because the instance that stored it may have died before
   * relaying it; clients merge by id. `origin` is the resending socket, which has its ack.
   */
  | { kind: 'message_redelivered'; chatId: string; message: AgentSupportMessage; origin?: string }
  | { kind: 'chat_activity'; activity: ChatActivity }
  | { kind: 'labels_changed'; labels: SupportLabel[]; renamed: { from: string; to: string } | null; deleted: string | null }
  | { kind: 'chat_changed'; chatId: string; chat?: SupportChatListItem }
  /** A user's first contact made their chat. */
  | { kind: 'chat_created'; chatId: string }
  /** An agent archived or restored a chat, and its state did change (a repeat publishes nothing). */
  | { kind: 'chat_archived'; chatId: string; archived: boolean; agentId: string; chat: SupportChatListItem }
  | { kind: 'rating_created'; chatId: string; rating: { id: string; score: number; comment: string | null; created_at: string } }
  /** Deleted with everything in them: by an erase or by retention. */
  | { kind: 'chat_removed'; chatIds: string[] }
  /** Everything about a user is gone; `externalId` is the `sub` the host application knows them by. */
  | { kind: 'user_erased'; externalId: string }
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
