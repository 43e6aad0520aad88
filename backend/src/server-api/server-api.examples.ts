/** Examples shown in /api/docs. */
const CHAT_ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';

export const MESSAGE_EXAMPLE = {
  id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  chat_id: CHAT_ID,
  content: 'Your refund was issued today.',
  sender_type: 'admin',
  sender_name: 'Billing bot',
  admin_id: null,
  private: false,
  read_at: null,
  created_at: '2026-12-01T10:15:00.000Z',
  client_id: 'crm-4711',
};

export const CHAT_EXAMPLE = {
  id: CHAT_ID,
  external_id: 'user-42',
  user_id: '0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a',
  user_email: 'ada@example.com',
  user_name: 'Ada',
  archived: false,
  assignee: { id: '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b', name: 'Ana' },
  labels: ['billing'],
  messages: [
    { ...MESSAGE_EXAMPLE, id: '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d', content: 'Where is my refund?', sender_type: 'user', sender_name: null, client_id: null },
    { ...MESSAGE_EXAMPLE, id: '2c3d4e5f-6071-4b8c-9d0e-1f2a3b4c5d6e', content: 'Checked with finance', sender_name: 'Ana', private: true, client_id: null },
    MESSAGE_EXAMPLE,
  ],
  has_more: false,
  activity: [],
};

export const EXPORT_EXAMPLE = {
  format: 'support-chat-export',
  version: 1,
  exported_at: '2026-12-01T10:20:00.000Z',
  external_id: 'user-42',
  profile: [{ id: CHAT_EXAMPLE.user_id, external_id: 'user-42', email: 'ada@example.com', name: 'Ada', return_url: null, unsubscribed_at: null }],
  chat: [{ id: CHAT_ID, created_at: '2026-11-30T09:00:00.000Z', last_message_at: '2026-12-01T10:15:00.000Z', archived_at: null, labels: ['billing'], activity: [] }],
  messages: [{ id: MESSAGE_EXAMPLE.id, sender_type: 'admin', sender_name: 'Billing bot', private: false, content: 'Your refund was issued today.' }],
  email_notifications: [{ id: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918', recipient: 'ada@example.com', status: 'sent', attempts: 1 }],
  ratings: [{ score: 5, comment: 'Quick and kind' }],
};
