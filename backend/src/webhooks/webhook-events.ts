import type { ChatEvent } from '../common/chat-events';
import type { WebhookEventData, WebhookEventType } from '../contracts/wire';

/** Every event type, in the order the console lists them; the compiler holds it complete. */
export const WEBHOOK_EVENT_TYPES = [
  'chat.created',
  'message.created',
  'message.read',
  'chat.assigned',
  'chat.archived',
  'chat.unarchived',
  'rating.created',
  'user.erased',
] as const satisfies readonly WebhookEventType[];
type Missing = Exclude<WebhookEventType, (typeof WEBHOOK_EVENT_TYPES)[number]>;
const complete: Missing extends never ? true : never = true;
void complete;

/** One event to send, with what the privacy seam needs to find its deliveries again. */
export interface OutgoingEvent<T extends WebhookEventType = WebhookEventType> {
  type: T;
  data: WebhookEventData[T];
  /** Internal notes go only to endpoints that include them. */
  private: boolean;
  chatId: string | null;
  userId: string | null;
  /** When it happened, where the event says; otherwise the time it is queued. */
  at?: string;
}

const out = <T extends WebhookEventType>(
  type: T,
  data: WebhookEventData[T],
  chatId: string | null,
  userId: string | null,
  extra: { private?: boolean; at?: string } = {},
): OutgoingEvent => ({ type, data, private: extra.private ?? false, chatId, userId, at: extra.at }) as OutgoingEvent;

/**
 * What a domain event means to integrators: none, one or two webhook events, built from what the
 * event carries (no query). `chat_created` carries only the chat's id; the dispatcher reads the
 * chat for it, and only when an endpoint wants `chat.created`.
 */
export function webhookEventsOf(event: ChatEvent): OutgoingEvent[] {
  switch (event.kind) {
    case 'message_created': {
      const { message, chat } = event;
      const at = message.created_at;
      const created = out('message.created', { chat_id: event.chatId, message, chat }, event.chatId, chat.user_id, { private: message.private, at });
      return event.reopened ? [out('chat.unarchived', { chat, agent_id: null }, event.chatId, chat.user_id, { at }), created] : [created];
    }
    case 'messages_read':
      return [
        out('message.read', { chat_id: event.chatId, reader: event.reader, read_at: event.readAt, message_ids: event.messageIds }, event.chatId, null, {
          at: event.readAt,
        }),
      ];
    case 'chat_activity':
      return [
        out('chat.assigned', { chat_id: event.activity.chat_id, activity: event.activity }, event.activity.chat_id, null, { at: event.activity.created_at }),
      ];
    case 'chat_archived':
      return [
        event.archived
          ? out('chat.archived', { chat: event.chat, agent_id: event.agentId }, event.chatId, event.chat.user_id)
          : out('chat.unarchived', { chat: event.chat, agent_id: event.agentId }, event.chatId, event.chat.user_id),
      ];
    case 'rating_created':
      return [out('rating.created', { chat_id: event.chatId, rating: event.rating }, event.chatId, null, { at: event.rating.created_at })];
    case 'user_erased':
      // Deliberately tied to no chat or user row: those are gone, and this must outlive them.
      return [out('user.erased', { external_id: event.externalId }, null, null)];
    default:
      return [];
  }
}
