// Wire shapes from the contract (shared/CONTRACT.md). snake_case because that is what the
// server sends; the console reads them as they are instead of mapping every field.

export type SenderType = 'user' | 'admin';

export interface SupportMessage {
  id: string;
  chat_id: string;
  content: string;
  sender_type: SenderType;
  read_at: string | null;
  created_at: string;
  client_id: string | null;
}

export interface SupportChatListItem {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string | null;
  last_message_at: string | null;
  last_message_preview: string | null;
  last_message_sender: SenderType | null;
  message_count: number;
  unread: boolean;
  archived: boolean;
}

export interface AdminSupportChat {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string | null;
  archived: boolean;
  messages: SupportMessage[];
  has_more: boolean;
}

export interface ChatPage {
  items: SupportChatListItem[];
  next_cursor: string | null;
}

export interface AdminProfile {
  id: string;
  email: string;
  name: string | null;
}

export interface LoginResponse {
  access_token: string;
  expires_in: number;
  admin: AdminProfile;
}

export interface NewMessageEvent {
  type: 'new_message';
  chat_id: string;
  message: SupportMessage;
}

export interface NewUserMessageEvent {
  type: 'new_user_message';
  chat_id: string;
  user_email: string;
  message: SupportMessage;
}

export interface ChatUpdatedEvent {
  type: 'chat_updated';
  chat: SupportChatListItem;
}

export interface MessagesReadEvent {
  type: 'messages_read';
  chat_id: string;
  reader: SenderType;
  read_at: string;
  /** Added by this backend: exactly the messages the read marked. */
  message_ids?: string[];
}

export interface ServerToClientEvents {
  new_message: (event: NewMessageEvent) => void;
  new_user_message: (event: NewUserMessageEvent) => void;
  chat_updated: (event: ChatUpdatedEvent) => void;
  messages_read: (event: MessagesReadEvent) => void;
}

export type AckErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid_content'
  | 'rate_limited'
  | 'internal_error'
  // Produced on this side when the server never answers.
  | 'timeout';

export type Ack<T extends object = object> =
  ({ ok: true } & T) | { ok: false; error: AckErrorCode };

export interface ClientToServerEvents {
  subscribe: (payload: { chat_id: string }, ack: (res: Ack) => void) => void;
  unsubscribe: (payload: { chat_id: string }, ack: (res: Ack) => void) => void;
  subscribe_admin: (payload: Record<string, never>, ack: (res: Ack) => void) => void;
  /** Added by this backend: for an agent, records that the chat was viewed. */
  mark_read: (payload: { chat_id: string }, ack: (res: Ack<{ updated: number }>) => void) => void;
  send_message: (
    payload: { chat_id: string; content: string; client_id?: string },
    ack: (res: Ack<{ message: SupportMessage }>) => void,
  ) => void;
}
