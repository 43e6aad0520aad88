import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Subscription } from 'rxjs';
import type { Namespace, Socket } from 'socket.io';
import type { Identity } from '../auth/identity';
import { TokenVerifier } from '../auth/token-verifier.service';
import { ChatsService } from '../chats/chats.service';
import { ChatEvents, type ChatEvent } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import type { Ack, ClientToServerEvents, ServerToClientEvents, SupportMessage } from '../contracts/wire';
import { Metrics } from '../metrics/metrics.service';
import { ChatRefPayload, MarkReadPayload, parseEmptyPayload, parsePayload, SendMessagePayload } from './socket-payloads';

interface SocketData {
  identity: Identity;
  expiryTimer?: NodeJS.Timeout;
}
type SupportSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type SupportNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const AGENTS_ROOM = 'admin_support_notifications';
export const chatRoom = (chatId: string) => `support_chat:${chatId}`;
const MAX_TIMER_MS = 2 ** 31 - 1;

@WebSocketGateway({ namespace: '/support' })
export class SupportGateway implements OnGatewayInit, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SupportGateway.name);
  private subscription?: Subscription;

  @WebSocketServer()
  private readonly server: SupportNamespace;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly chats: ChatsService,
    private readonly events: ChatEvents,
    private readonly metrics: Metrics,
  ) {}

  /** The handshake uses the same verification as HTTP; a bad token never gets a socket. */
  afterInit(namespace: SupportNamespace): void {
    this.metrics.countSocketsWith(() => {
      const counts = { user: 0, agent: 0 };
      for (const socket of namespace.sockets.values()) if (socket.data.identity) counts[socket.data.identity.kind]++;
      return counts;
    });
    namespace.use((socket, next) => {
      try {
        const identity = this.verifier.identify((socket.handshake.auth as { token?: unknown } | undefined)?.token);
        socket.data.identity = identity;
        // A socket outlives nothing its token does not: at expiry it is closed, and the
        // reconnect's handshake asks the client for a fresh token.
        const ms = Math.min(identity.exp * 1000 - Date.now(), MAX_TIMER_MS);
        socket.data.expiryTimer = setTimeout(() => socket.disconnect(true), Math.max(ms, 0));
        next();
      } catch {
        next(new Error('unauthorized'));
      }
    });
  }

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => {
      this.broadcast(event).catch((err: unknown) =>
        this.logger.error(`broadcast of ${event.kind} failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  handleDisconnect(socket: SupportSocket): void {
    clearTimeout(socket.data.expiryTimer);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: SupportSocket, @MessageBody() body: unknown): Promise<Ack> {
    return this.ack(async () => {
      const { chat_id } = parsePayload(ChatRefPayload, body);
      const identity = socket.data.identity;
      if (identity.kind === 'user') {
        if (!(await this.chats.userOwns(identity, chat_id))) throw new DomainError('forbidden');
      } else if (!(await this.chats.exists(chat_id))) {
        throw new DomainError('not_found');
      }
      await socket.join(chatRoom(chat_id));
      return {};
    });
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: SupportSocket, @MessageBody() body: unknown): Promise<Ack> {
    return this.ack(async () => {
      const { chat_id } = parsePayload(ChatRefPayload, body);
      await socket.leave(chatRoom(chat_id));
      return {};
    });
  }

  @SubscribeMessage('subscribe_admin')
  subscribeAdmin(@ConnectedSocket() socket: SupportSocket, @MessageBody() body: unknown): Promise<Ack> {
    return this.ack(async () => {
      parseEmptyPayload(body);
      if (socket.data.identity.kind !== 'agent') throw new DomainError('forbidden');
      await socket.join(AGENTS_ROOM);
      return {};
    });
  }

  @SubscribeMessage('send_message')
  sendMessage(@ConnectedSocket() socket: SupportSocket, @MessageBody() body: unknown): Promise<Ack<{ message: SupportMessage }>> {
    return this.ack(async () => {
      const { chat_id, content, client_id } = parsePayload(SendMessagePayload, body);
      const identity = socket.data.identity;
      // The sender type comes from the token, never from the payload.
      const message =
        identity.kind === 'user'
          ? await this.chats.sendAsUser(identity, content, client_id, chat_id)
          : await this.chats.sendAsAgent(identity, chat_id, content, client_id);
      return { message };
    });
  }

  @SubscribeMessage('mark_read')
  markRead(@ConnectedSocket() socket: SupportSocket, @MessageBody() body: unknown): Promise<Ack<{ updated: number }>> {
    return this.ack(async () => {
      const { chat_id, up_to } = parsePayload(MarkReadPayload, body);
      const identity = socket.data.identity;
      const updated =
        identity.kind === 'user'
          ? await this.chats.markReadByUser(identity, up_to, chat_id)
          : await this.chats.recordView(chat_id);
      return { updated };
    });
  }

  /** Every handler answers through its ack, with a code the client can act on. */
  private async ack<T extends object>(work: () => Promise<T>): Promise<Ack<T>> {
    try {
      return { ok: true, ...(await work()) };
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, error: err.code };
      this.logger.error(`socket handler failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
      return { ok: false, error: 'internal_error' };
    }
  }

  private async broadcast(event: ChatEvent): Promise<void> {
    switch (event.kind) {
      case 'message_created': {
        const { chatId, message } = event;
        this.server.to(chatRoom(chatId)).emit('new_message', { type: 'new_message', chat_id: chatId, message });
        this.metrics.messageRelayed(message);
        if (message.sender_type === 'user') {
          this.server
            .to(AGENTS_ROOM)
            .emit('new_user_message', { type: 'new_user_message', chat_id: chatId, user_email: event.userEmail, message });
        }
        await this.chatUpdated(chatId);
        return;
      }
      case 'messages_read':
        this.server.to(chatRoom(event.chatId)).emit('messages_read', {
          type: 'messages_read',
          chat_id: event.chatId,
          reader: event.reader,
          read_at: event.readAt,
          message_ids: event.messageIds,
        });
        return;
      case 'chat_changed':
        await this.chatUpdated(event.chatId);
        return;
    }
  }

  private async chatUpdated(chatId: string): Promise<void> {
    const chat = await this.chats.listItem(chatId);
    this.server.to(AGENTS_ROOM).emit('chat_updated', { type: 'chat_updated', chat });
  }
}
