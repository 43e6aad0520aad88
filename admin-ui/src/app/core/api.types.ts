// Wire shapes come from the server's contracts module, so the two cannot drift apart; snake_case because that is what the
// server sends; the console reads them as they are instead of mapping every field.

export type {
  AdminSupportChat,
  ChatUpdatedEvent,
  MessagesReadEvent,
  NewMessageEvent,
  NewUserMessageEvent,
  SenderType,
  ServerToClientEvents,
  SupportChatListItem,
  SupportChatPage as ChatPage,
  AgentRole,
  AgentView,
  AgentRef,
  ChatActivity,
  ChatActivityEvent,
  TypingEvent,
  AgentPresenceEvent,
  PresenceStatus,
} from '../../../../backend/src/contracts/wire';
import type {
  PresenceStatus,
  AgentRole,
  AgentSupportMessage,
  AgentView,
} from '../../../../backend/src/contracts/wire';

/** Agents see every message with its author: `sender_name` and `admin_id`. */
export type SupportMessage = AgentSupportMessage;

export interface AdminProfile {
  id: string;
  email: string;
  name: string | null;
  role: AgentRole;
}

export interface LoginResponse extends SessionToken {
  admin: AdminProfile;
}

/** A console token and how long it lives: from login, and again after changing one's password. */
export interface SessionToken {
  access_token: string;
  expires_in: number;
}

/** `POST /api/admin/agents`: the new agent, and a one-time link when no password was given. */
export interface CreatedAgent {
  agent: AgentView;
  set_password_url?: string;
}

/** `POST /api/admin/agents/:id/password`: a one-time link when no password was given. */
export interface PasswordReset {
  set_password_url?: string;
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
    payload: { chat_id: string; content: string; client_id?: string; private?: boolean },
    ack: (res: Ack<{ message: SupportMessage }>) => void,
  ) => void;
  /** Relayed to the user's side only; the server drops repeats closer than 2 s. */
  typing: (payload: { chat_id: string; typing: boolean }, ack: (res: Ack) => void) => void;
  /** The agent's own away switch; the answer is the presence the team now sees. */
  set_presence: (
    payload: { status: 'online' | 'away' },
    ack: (res: Ack<{ status: PresenceStatus }>) => void,
  ) => void;
}
