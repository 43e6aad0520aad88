// Wire shapes from the support-chat contract. Kept here rather than imported from the backend so
// the package builds and publishes on its own.

export type SenderType = 'user' | 'admin';

export interface SupportMessage {
  id: string;
  chat_id: string;
  content: string;
  sender_type: SenderType;
  read_at: string | null;
  created_at: string;
  client_id: string | null;
  /** The agent's name on a reply, as it was when sent; null on the user's own messages. */
  sender_name: string | null;
}

/** A message as the chat's live broadcast and the send ack carry it: the agent's id too. */
export interface RoomMessage extends SupportMessage {
  admin_id: string | null;
  /** An agents' internal note; the server never sends one to a user, so always false here. */
  private: boolean;
}

export interface SupportChat {
  id: string;
  messages: SupportMessage[];
  has_more: boolean;
}

export type AckError =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid_content'
  | 'rate_limited'
  | (string & {});

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AckError };

export interface NewMessageEvent {
  type: 'new_message';
  chat_id: string;
  message: RoomMessage;
}

export interface MessagesReadEvent {
  type: 'messages_read';
  chat_id: string;
  reader: SenderType;
  read_at: string;
  /** Exactly the messages this read marked: the element ticks these and no others. */
  message_ids: string[];
}

/** Whether any agent is available: online, away, or nobody (no agent identities). */
export type Availability = 'online' | 'away' | 'offline';

export interface AvailabilityEvent {
  type: 'availability';
  status: Availability;
}

/** The other side of the chat started or stopped typing; it lapses 6 s after the last one. */
export interface TypingEvent {
  type: 'typing';
  chat_id: string;
  sender_type: SenderType;
  sender_name: string | null;
  typing: boolean;
  /** Agents typing a note; the server never sends one to a user. */
  private?: boolean;
}

/** An agent archived the chat: the user may rate the conversation. */
export interface RatingRequestedEvent {
  type: 'rating_requested';
  chat_id: string;
}

export interface ServerToClientEvents {
  rating_requested: (event: RatingRequestedEvent) => void;
  new_message: (event: NewMessageEvent) => void;
  messages_read: (event: MessagesReadEvent) => void;
  availability: (event: AvailabilityEvent) => void;
  typing: (event: TypingEvent) => void;
}

export interface ClientToServerEvents {
  subscribe: (payload: { chat_id: string }, ack: (res: Ack) => void) => void;
  send_message: (
    payload: { chat_id: string; content: string; client_id: string },
    ack: (res: Ack<{ message: RoomMessage }>) => void,
  ) => void;
  typing: (payload: { chat_id: string; typing: boolean }, ack: (res: Ack) => void) => void;
}

/** A message the user typed that the server has not confirmed yet. */
export interface PendingMessage {
  client_id: string;
  content: string;
  created_at: string;
  /** Set when the server refused it for good (e.g. invalid content); it is not retried. */
  failed?: boolean;
}

/** Longest message the server accepts, after trimming. */
export const MAX_CONTENT_LENGTH = 5000;
