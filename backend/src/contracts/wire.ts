/** The wire shapes of CONTRACT.md, shared with the console and the element (types only). */

export type SenderType = 'user' | 'admin';

export interface SupportMessage {
  id: string;
  chat_id: string;
  content: string;
  sender_type: SenderType;
  read_at: string | null;
  created_at: string;
  client_id: string | null;
  /** The agent's display name when they sent it (a snapshot); null on user messages. */
  sender_name: string | null;
}

/** A message as agents see it: also which agent wrote it, and whether it is an internal note. */
export interface AgentSupportMessage extends SupportMessage {
  admin_id: string | null;
  /** An internal note: agents only, never sent, shown or counted to the user. */
  private: boolean;
}

export type AgentRole = 'admin' | 'agent';

/** A member of the support team, as the console's agent management shows them. */
export interface AgentView {
  id: string;
  email: string;
  /** Display name: the agent's name, or their email's local part. */
  name: string;
  /** For an avatar: the first letters of the first and last word of the name. */
  initials: string;
  role: AgentRole;
  active: boolean;
  created_at: string;
}

export interface SupportChat {
  id: string;
  messages: SupportMessage[];
  has_more: boolean;
}

export interface SupportChatListItem {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string | null;
  last_message_at: string | null;
  last_message_preview: string | null;
  last_message_sender: SenderType | null;
  /** Agents' list: which agent wrote the last message, and their name then; null for a user's. */
  last_message_admin_id: string | null;
  last_message_sender_name: string | null;
  message_count: number;
  unread: boolean;
  archived: boolean;
  assignee: AgentRef | null;
  labels: string[];
  /**
   * One up with every change to the chat, in the order the changes committed. Items arrive from
   * several places (pages, the socket, answers to actions) whose order can cross: keep the one
   * with the highest version.
   */
  version: number;
}

/** An agent as a chat names them. */
export interface AgentRef {
  id: string;
  name: string;
}

/** A system line in a conversation, for agents: who assigned it to whom. */
export interface ChatActivity {
  id: string;
  chat_id: string;
  kind: 'assigned' | 'unassigned';
  /** Who did it; null when auto-assignment did. */
  actor: AgentRef | null;
  assignee: AgentRef | null;
  /** The line as the console shows it, e.g. "Ana assigned this to Ben". */
  text: string;
  created_at: string;
}

export interface SupportChatPage {
  items: SupportChatListItem[];
  next_cursor: string | null;
}

export interface AdminSupportChat {
  id: string;
  user_id: string;
  user_email: string;
  user_name: string | null;
  archived: boolean;
  assignee: AgentRef | null;
  labels: string[];
  messages: AgentSupportMessage[];
  has_more: boolean;
  /** Assignment lines, oldest first; the console merges them into the conversation by time. */
  activity: ChatActivity[];
}

/** A label in the shared catalogue; chats carry label names (`labels: string[]`). */
export interface SupportLabel {
  id: string;
  /** 1 to 50 characters, unique whatever its case. */
  name: string;
  /** `#rrggbb`, lower case. */
  color: string;
  /** Chats carrying it, archived ones included. */
  chat_count: number;
}

/**
 * To the agents' room: the catalogue changed (created, renamed, recoloured, deleted). A rename
 * or deletion also names the old label, so a console can update the cards it holds without
 * reloading them; adding or removing a label on one chat is a `chat_updated` instead.
 */
export interface LabelsChangedEvent {
  type: 'labels_changed';
  labels: SupportLabel[];
  renamed: { from: string; to: string } | null;
  deleted: string | null;
}

/** A reply from the team's shared library. */
export interface CannedReply {
  id: string;
  title: string;
  /** `/` and 1 to 32 lower-case letters, digits, `-` or `_`: what an agent types to find it. */
  shortcut: string;
  /** The text, with `{{user.name}}`, `{{user.email}}`, `{{agent.name}}` as written. */
  content: string;
  created_at: string;
  updated_at: string;
}

/** A canned reply filled in for one chat by one agent. */
export interface CannedExpansion {
  id: string;
  title: string;
  shortcut: string;
  /** The text to put in the composer: known variables filled, the rest left as written. */
  content: string;
  /** Each variable left as written (unknown, or without a value), once, e.g. `{{order.id}}`. */
  unfilled: string[];
}

/** To the agents' room: a new line in a conversation's activity. */
export interface ChatActivityEvent {
  type: 'chat_activity';
  activity: ChatActivity;
}

/** The contract's codes, plus `internal_error` for a failure that is the server's own. */
export type ErrorCode = 'unauthorized' | 'forbidden' | 'not_found' | 'invalid_content' | 'rate_limited' | 'internal_error';

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorCode };

export interface NewMessageEvent {
  type: 'new_message';
  chat_id: string;
  /** One emit reaches the user and the agents in the room: it names the agent (`admin_id`) too. */
  message: AgentSupportMessage;
}

export interface NewUserMessageEvent {
  type: 'new_user_message';
  chat_id: string;
  user_email: string;
  message: AgentSupportMessage;
}

export interface ChatUpdatedEvent {
  type: 'chat_updated';
  chat: SupportChatListItem;
}

/** To agents: these chats no longer exist (their user was erased, or retention deleted them). */
export interface ChatRemovedEvent {
  type: 'chat_removed';
  chat_ids: string[];
}

export interface MessagesReadEvent {
  type: 'messages_read';
  chat_id: string;
  reader: 'user' | 'admin';
  read_at: string;
  /** The messages this read marked, so a client can tick exactly those. */
  message_ids: string[];
}

export type PresenceStatus = 'online' | 'away' | 'offline';

/** To the agents' room: one agent's presence changed. */
export interface AgentPresenceEvent {
  type: 'agent_presence';
  agent_id: string;
  name: string;
  status: PresenceStatus;
}

/** To users: whether any agent is available (no identities). */
export interface AvailabilityEvent {
  type: 'availability';
  status: PresenceStatus;
}

/**
 * To the other side of a chat: someone is typing (or stopped). Never stored; a client clears
 * it by itself 6 s after the last one.
 */
export interface TypingEvent {
  type: 'typing';
  chat_id: string;
  sender_type: SenderType;
  sender_name: string | null;
  typing: boolean;
  /** An agent typing an internal note: relayed to the other agents in the chat only. */
  private?: boolean;
}

/** A user's rating of one archived conversation (1 very bad … 5 very good). */
export interface SupportRating {
  id: string;
  chat_id: string;
  score: number;
  /** Plain text, at most 1,000 characters; null when none was given. */
  comment: string | null;
  /** The archive it rates: the chat's `archived_at` when the user rated. */
  archived_at: string;
  created_at: string;
}

/** The user's side: whether the element should ask for a rating now. */
export interface RatingStatus {
  chat_id: string | null;
  /** The chat is archived and this archive is not rated yet. */
  requested: boolean;
}

/** To the user's chat room when an agent archives the chat: ask for a rating. */
export interface RatingRequestedEvent {
  type: 'rating_requested';
  chat_id: string;
}

/** To the agents' room: a user rated a conversation. */
export interface RatingCreatedEvent {
  type: 'rating_created';
  chat_id: string;
  rating: Pick<SupportRating, 'id' | 'score' | 'comment' | 'created_at'>;
}

/** `GET /api/admin/reports`: one date range (and optionally one agent). Times in seconds. */
export interface SupportReport {
  /** First and last day (included), in `tz`. */
  from: string;
  to: string;
  tz: string;
  agent_id: string | null;
  /** Team-wide (not narrowed by `agent`): chats new in the range with a user message, and reopened ones. */
  conversations: { started: number; new: number; reopened: number };
  /** `by_user` is team-wide; `by_agent` and `notes` are the agent's when `agent` is given. */
  messages: { by_user: number; by_agent: number; notes: number };
  /**
   * Bursts of user messages that started in the range; `answered` and the times are the agent's
   * replies when `agent` is given; `unanswered`: neither a reply nor an archive came after it.
   */
  first_response: { bursts: number; answered: number; unanswered: number; median_seconds: number | null; p90_seconds: number | null };
  /** Conversations archived in the range, from their opening (first user message or reopening) to the archive. */
  resolution: { resolved: number; median_seconds: number | null; p90_seconds: number | null };
  /** `distribution[i]` is how many rated `i + 1`. */
  ratings: { count: number; average: number | null; distribution: number[] };
  /** User messages (team-wide), `[day][hour]` in `tz`, Monday first. */
  busiest_hours: number[][];
}

/** Events the server emits on the `/support` namespace. */
export interface ServerToClientEvents {
  new_message: (event: NewMessageEvent) => void;
  new_user_message: (event: NewUserMessageEvent) => void;
  chat_updated: (event: ChatUpdatedEvent) => void;
  chat_removed: (event: ChatRemovedEvent) => void;
  messages_read: (event: MessagesReadEvent) => void;
  agent_presence: (event: AgentPresenceEvent) => void;
  availability: (event: AvailabilityEvent) => void;
  chat_activity: (event: ChatActivityEvent) => void;
  typing: (event: TypingEvent) => void;
  labels_changed: (event: LabelsChangedEvent) => void;
  rating_requested: (event: RatingRequestedEvent) => void;
  rating_created: (event: RatingCreatedEvent) => void;
}

/** What an API key may do on `/api/server/`: read chats, write messages, export and erase users. */
export type ApiKeyScope = 'read' | 'write' | 'privacy';

/** An API key as admins see it: never the key itself, only its last four characters. */
export interface ApiKeyView {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** Shown as `sck_…` + these four, so an admin can tell keys apart. */
  last4: string;
  created_at: string;
  created_by: AgentRef | null;
  /** To the minute: a key in steady use updates it at most once a minute. */
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The answer to creating a key: the only time `key` is ever shown. */
export interface CreatedApiKey {
  api_key: ApiKeyView;
  key: string;
}

/** A user's chat as the host application's backend reads it over the server API. */
export interface ServerUserChat extends AdminSupportChat {
  external_id: string;
}

/** The retention policy, and what its next run would delete were it to run now. */
export interface RetentionStatus {
  /** Null: keep forever (`RETENTION_DAYS` unset). */
  retention_days: number | null;
  next_run_at: string | null;
  /** Archived chats whose last message will be older than the policy at the next run. */
  would_delete: number | null;
  /** Chats each run deletes per transaction. */
  batch_size: number;
  last_run: { finished_at: string; deleted: number } | null;
}

/** Events a client sends; each takes an ack callback. */
export interface ClientToServerEvents {
  subscribe: (payload: { chat_id: string }, ack: (res: Ack) => void) => void;
  unsubscribe: (payload: { chat_id: string }, ack: (res: Ack) => void) => void;
  subscribe_admin: (payload: Record<string, never>, ack: (res: Ack) => void) => void;
  send_message: (
    /** `private: true` (agents only) stores an internal note. */
    payload: { chat_id: string; content: string; client_id?: string; private?: boolean },
    ack: (res: Ack<{ message: AgentSupportMessage }>) => void,
  ) => void;
  mark_read: (payload: { chat_id: string; up_to?: string }, ack: (res: Ack<{ updated: number }>) => void) => void;
  /** Relayed to the other side of the chat only; at most one every 2 s is relayed per socket. */
  /** `private: true` (agents only): typing a note, relayed to the chat's other agents, never to its user. */
  typing: (payload: { chat_id: string; typing: boolean; private?: boolean }, ack: (res: Ack) => void) => void;
  /** Agents only: the console's away switch. */
  set_presence: (payload: { status: 'online' | 'away' }, ack: (res: Ack<{ status: PresenceStatus }>) => void) => void;
}

/**
 * One search result (`GET /api/admin/search`): a message that matched, or a user whose email or
 * name did (`message: null`), with the chat it belongs to.
 */
export interface SearchResult {
  chat: SupportChatListItem;
  message: AgentSupportMessage | null;
  /** Plain text around the match (the user's name and email for a user match); never markup. */
  snippet: string;
  /**
   * The matched terms in `snippet` as `[start, end)` offsets in UTF-16 code units (JavaScript
   * string indices), in order and not overlapping: render `snippet.slice(start, end)` marked.
   */
  highlights: [number, number][];
}

export interface SearchPage {
  items: SearchResult[];
  next_cursor: string | null;
}

// ---- Outbound webhooks (Standard Webhooks) ----

/** What a webhook endpoint can subscribe to. */
export type WebhookEventType =
  | 'chat.created'
  | 'message.created'
  | 'message.read'
  | 'chat.assigned'
  | 'chat.archived'
  | 'chat.unarchived'
  | 'rating.created'
  | 'user.erased';

/** The `data` of each event type. */
export interface WebhookEventData {
  /** A user's first contact made their chat. */
  'chat.created': { chat: SupportChatListItem };
  /** A message, from the user or an agent; a note (`private: true`) only to endpoints that include notes. */
  'message.created': { chat_id: string; message: AgentSupportMessage; chat: SupportChatListItem };
  /** `reader` read these messages of the other side. */
  'message.read': { chat_id: string; reader: SenderType; read_at: string; message_ids: string[] };
  /** Assigned, reassigned or unassigned (`activity.kind` says which; `activity.assignee` is null when unassigned). */
  'chat.assigned': { chat_id: string; activity: ChatActivity };
  /** `agent_id`: who archived it. */
  'chat.archived': { chat: SupportChatListItem; agent_id: string };
  /** Restored by an agent (`agent_id`), or by the user writing again (`agent_id: null`). */
  'chat.unarchived': { chat: SupportChatListItem; agent_id: string | null };
  'rating.created': { chat_id: string; rating: { id: string; score: number; comment: string | null; created_at: string } };
  /** Everything about this user is gone; `external_id` is the `sub` of their tokens. */
  'user.erased': { external_id: string };
}

/** The body of every webhook request, as the Standard Webhooks specification recommends. */
export interface WebhookPayload<T extends WebhookEventType = WebhookEventType> {
  type: T;
  /** When it happened (ISO 8601); every attempt of one delivery carries the same body. */
  timestamp: string;
  data: WebhookEventData[T];
}

/** An endpoint as admins see it: never its secret. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string | null;
  event_types: WebhookEventType[];
  /** Whether internal notes (private messages) are sent to it. */
  include_private: boolean;
  enabled: boolean;
  /** Why it was disabled: by an admin, or automatically after failing for the configured window. */
  disabled_reason: string | null;
  disabled_at: string | null;
  /** Since when every attempt failed; null while it answers. */
  failing_since: string | null;
  /** While a secret rotates: when the old one stops being used to sign. */
  rotation_ends_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The answer to creating an endpoint or rotating its secret: the only time `secret` is shown. */
export interface WebhookEndpointWithSecret {
  endpoint: WebhookEndpointView;
  /** `whsec_` and base64; the HMAC key is the base64-decoded part. */
  secret: string;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event for one endpoint, however many attempts it took. */
export interface WebhookDelivery {
  id: string;
  /** The `webhook-id` header, the same on every attempt and resend. */
  webhook_id: string;
  event_type: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  response_code: number | null;
  latency_ms: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  created_at: string;
}

export interface WebhookDeliveryPage {
  items: WebhookDelivery[];
  next_cursor: string | null;
}
