import type * as Server from '../src/contracts/wire';
import type * as Element from '../../widget-element/src/internal/types';

/**
 * The element keeps its own copy of the wire shapes so it can be published alone; the type
 * checker holds that copy to the server's contracts module (the console imports it directly).
 * `npm run lint` (tsc) fails when they drift; nothing here runs.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Accepts<Reader, Sent> = [Sent] extends [Reader] ? true : false;

export const wireChecks: {
  message: Same<Server.SupportMessage, Element.SupportMessage>;
  chat: Same<Server.SupportChat, Element.SupportChat>;
  newMessage: Same<Server.NewMessageEvent, Element.NewMessageEvent>;
  messagesRead: Accepts<Element.MessagesReadEvent, Server.MessagesReadEvent>;
  ack: Accepts<Element.Ack<{ message: Element.SupportMessage }>, Server.Ack<{ message: Server.SupportMessage }>>;
} = { message: true, chat: true, newMessage: true, messagesRead: true, ack: true };
