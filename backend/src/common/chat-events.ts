import { Injectable } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import type { SupportMessage } from '../contracts/wire';

/** Something that changed, published only after its transaction committed. */
export type ChatEvent =
  | { kind: 'message_created'; chatId: string; message: SupportMessage; userEmail: string }
  | { kind: 'chat_changed'; chatId: string }
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
