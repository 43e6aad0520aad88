import { AdminSupportChat, SupportChatListItem, SupportMessage } from '../app/core/api.types';

let seq = 0;
const uuid = (): string => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

export function chatItem(overrides: Partial<SupportChatListItem> = {}): SupportChatListItem {
  return {
    id: uuid(),
    user_id: uuid(),
    user_email: `user${seq}@example.com`,
    user_name: null,
    last_message_at: '2024-01-29T12:00:00.000Z',
    last_message_preview: 'Hello',
    last_message_sender: 'user',
    last_message_admin_id: null,
    last_message_sender_name: null,
    message_count: 1,
    unread: false,
    archived: false,
    assignee: null,
    labels: [],
    version: 1,
    ...overrides,
  };
}

export function message(overrides: Partial<SupportMessage> = {}): SupportMessage {
  return {
    id: uuid(),
    chat_id: 'chat-1',
    content: 'Hello',
    sender_type: 'user',
    read_at: null,
    created_at: '2024-01-29T12:00:00.000Z',
    client_id: null,
    sender_name: null,
    admin_id: null,
    private: false,
    ...overrides,
  };
}

export function adminChat(overrides: Partial<AdminSupportChat> = {}): AdminSupportChat {
  return {
    id: 'chat-1',
    user_id: 'user-1',
    user_email: 'dana@example.com',
    user_name: 'Dana Scully',
    archived: false,
    assignee: null,
    labels: [],
    messages: [],
    has_more: false,
    activity: [],
    ...overrides,
  };
}
