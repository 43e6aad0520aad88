import type { AgentSupportMessage, SupportChatListItem } from '../contracts/wire';
import { webhookEventsOf } from './webhook-events';

const chat: SupportChatListItem = {
  id: 'c1',
  user_id: 'u1',
  user_email: 'ana@example.com',
  user_name: 'Ana',
  last_message_at: '2026-12-01T10:00:00.000Z',
  last_message_preview: 'hi',
  last_message_sender: 'user',
  last_message_admin_id: null,
  last_message_sender_name: null,
  message_count: 1,
  unread: true,
  archived: false,
  assignee: null,
  labels: [],
  version: 1,
};
const message: AgentSupportMessage = {
  id: 'm1',
  chat_id: 'c1',
  content: 'hi',
  sender_type: 'user',
  read_at: null,
  created_at: '2026-12-01T10:00:00.000Z',
  client_id: null,
  sender_name: null,
  admin_id: null,
  private: false,
};

describe('webhook events of a domain event', () => {
  it('makes a message, stamped with its own time and tied to its chat and user', () => {
    const [e] = webhookEventsOf({ kind: 'message_created', chatId: 'c1', message, userEmail: 'ana@example.com', chat, reopened: false });
    expect(e).toEqual({
      type: 'message.created',
      data: { chat_id: 'c1', message, chat },
      private: false,
      chatId: 'c1',
      userId: 'u1',
      at: '2026-12-01T10:00:00.000Z',
    });
  });

  it('marks a note private, and a message that reopened its chat also unarchives it', () => {
    const note = webhookEventsOf({
      kind: 'message_created',
      chatId: 'c1',
      message: { ...message, sender_type: 'admin', private: true },
      userEmail: 'ana@example.com',
      chat,
      reopened: false,
    });
    expect(note.map((e) => [e.type, e.private])).toEqual([['message.created', true]]);
    const reopened = webhookEventsOf({ kind: 'message_created', chatId: 'c1', message, userEmail: 'ana@example.com', chat, reopened: true });
    expect(reopened.map((e) => e.type)).toEqual(['chat.unarchived', 'message.created']);
    expect(reopened[0].data).toEqual({ chat, agent_id: null });
  });

  it('tells archiving from restoring, and keeps the agent', () => {
    const archived = webhookEventsOf({ kind: 'chat_archived', chatId: 'c1', archived: true, agentId: 'a1', chat });
    const restored = webhookEventsOf({ kind: 'chat_archived', chatId: 'c1', archived: false, agentId: 'a1', chat });
    expect(archived.map((e) => [e.type, e.data])).toEqual([['chat.archived', { chat, agent_id: 'a1' }]]);
    expect(restored.map((e) => [e.type, e.data])).toEqual([['chat.unarchived', { chat, agent_id: 'a1' }]]);
  });

  it('ties an erase to no chat or user row, and ignores what integrators need not hear', () => {
    expect(webhookEventsOf({ kind: 'user_erased', externalId: 'ext-1' })).toEqual([
      { type: 'user.erased', data: { external_id: 'ext-1' }, private: false, chatId: null, userId: null, at: undefined },
    ]);
    expect(webhookEventsOf({ kind: 'chat_changed', chatId: 'c1' })).toEqual([]);
    expect(webhookEventsOf({ kind: 'availability', status: 'online' })).toEqual([]);
    expect(webhookEventsOf({ kind: 'agent_signed_out', agentId: 'a1' })).toEqual([]);
  });
});
