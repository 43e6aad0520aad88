import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ChatsService } from '../chats/chats.service';
import { ChatEvents, type ChatEvent } from '../common/chat-events';
import type { ClientToServerEvents, ServerToClientEvents } from '../contracts/wire';
import type { Namespace } from 'socket.io';
import { Metrics } from '../metrics/metrics.service';
import { broadcastTogether } from './cluster-adapter';
import { AGENT_SOCKETS_ROOM, AGENTS_ROOM, agentRoom, chatRoom, USERS_ROOM } from './rooms';

type Target = Namespace<ClientToServerEvents, ServerToClientEvents>;

/**
 * Turns domain events into socket emits. Events carry what the emits need, so a message is
 * relayed with no query; only changes that did not produce the chat's list item (a view, a new
 * empty chat) look it up.
 */
@Injectable()
export class ChatBroadcaster implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChatBroadcaster.name);
  private subscription?: Subscription;
  private target: Target | null = null;

  constructor(
    private readonly events: ChatEvents,
    private readonly chats: ChatsService,
    private readonly metrics: Metrics,
  ) {}

  attach(namespace: Target): void {
    this.target = namespace;
  }

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => {
      this.broadcast(event).catch((err: unknown) =>
        this.logger.error(`broadcast of ${event.kind} failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  private async broadcast(event: ChatEvent): Promise<void> {
    const io = this.target;
    if (!io) return;
    switch (event.kind) {
      case 'message_created': {
        const { chatId, message } = event;
        broadcastTogether(io.adapter, () => {
          // A note goes to the agents watching the chat, never to the user's sockets in its room.
          const room = message.private ? io.to(chatRoom(chatId)).except(USERS_ROOM) : io.to(chatRoom(chatId));
          room.emit('new_message', { type: 'new_message', chat_id: chatId, message });
          if (message.sender_type === 'user') {
            io.to(AGENTS_ROOM).emit('new_user_message', { type: 'new_user_message', chat_id: chatId, user_email: event.userEmail, message });
          }
          io.to(AGENTS_ROOM).emit('chat_updated', { type: 'chat_updated', chat: event.chat });
        });
        this.metrics.messageRelayed(message);
        return;
      }
      case 'message_redelivered': {
        const { chatId, message, origin } = event;
        let room = message.private ? io.to(chatRoom(chatId)).except(USERS_ROOM) : io.to(chatRoom(chatId));
        if (origin) room = room.except(origin);
        room.emit('new_message', { type: 'new_message', chat_id: chatId, message });
        // The list may have missed the first relay too; this is the chat as it is now.
        io.to(AGENTS_ROOM).emit('chat_updated', { type: 'chat_updated', chat: await this.chats.listItem(chatId) });
        return;
      }
      case 'messages_read':
        io.to(chatRoom(event.chatId)).emit('messages_read', {
          type: 'messages_read',
          chat_id: event.chatId,
          reader: event.reader,
          read_at: event.readAt,
          message_ids: event.messageIds,
        });
        return;
      case 'agent_signed_out':
        // Through the adapter, so the agent's sockets on every instance close.
        io.in(agentRoom(event.agentId)).disconnectSockets(true);
        return;
      case 'agent_presence':
        io.to(AGENTS_ROOM).emit('agent_presence', { type: 'agent_presence', agent_id: event.agentId, name: event.name, status: event.status });
        return;
      case 'chat_activity':
        io.to(AGENTS_ROOM).emit('chat_activity', { type: 'chat_activity', activity: event.activity });
        return;
      case 'labels_changed':
        io.to(AGENTS_ROOM).emit('labels_changed', { type: 'labels_changed', labels: event.labels, renamed: event.renamed, deleted: event.deleted });
        return;
      case 'availability':
        io.to(USERS_ROOM).emit('availability', { type: 'availability', status: event.status });
        return;
      case 'chat_archived':
        // Only a real archive (a repeated click publishes nothing) asks the user for a rating.
        if (event.archived) io.to(chatRoom(event.chatId)).except(AGENT_SOCKETS_ROOM).emit('rating_requested', { type: 'rating_requested', chat_id: event.chatId });
        return;
      case 'rating_created':
        io.to(AGENTS_ROOM).emit('rating_created', { type: 'rating_created', chat_id: event.chatId, rating: event.rating });
        return;
      case 'chat_removed':
        io.to(AGENTS_ROOM).emit('chat_removed', { type: 'chat_removed', chat_ids: event.chatIds });
        return;
      case 'chat_changed': {
        const chat = event.chat ?? (await this.chats.listItem(event.chatId));
        io.to(AGENTS_ROOM).emit('chat_updated', { type: 'chat_updated', chat });
        return;
      }
    }
  }
}
