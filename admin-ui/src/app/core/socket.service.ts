import { Injectable, InjectionToken, OnDestroy, computed, inject, signal } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { io, ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { Ack, ClientToServerEvents, ServerToClientEvents, SupportMessage } from './api.types';

export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'reconnecting';
type ServerEvent = keyof ServerToClientEvents;
export type ServerEventPayload<K extends ServerEvent> = Parameters<ServerToClientEvents[K]>[0];

const SERVER_EVENTS: readonly ServerEvent[] = [
  'new_message',
  'new_user_message',
  'chat_updated',
  'messages_read',
];
const ACK_TIMEOUT_MS = 10_000;

export type SupportSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type SocketFactory = (
  namespace: string,
  options: Partial<ManagerOptions & SocketOptions>,
) => SupportSocket;
/** socket.io-client's `io`, replaceable so the connection logic can be tested without a server. */
export const SOCKET_FACTORY = new InjectionToken<SocketFactory>('SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => io,
});
const SERVER_DISCONNECT_RETRY_MS = 1_000;

/**
 * One Socket.IO connection to `/support` for the whole console. Rooms are forgotten by the
 * server when a connection drops, so this service remembers what the console joined and joins
 * again on every (re)connect; consumers subscribe once to `on()` and survive reconnects.
 */
@Injectable({ providedIn: 'root' })
export class SocketService implements OnDestroy {
  private readonly createSocket = inject(SOCKET_FACTORY);
  private socket: SupportSocket | null = null;
  private readonly subjects = new Map<ServerEvent, Subject<unknown>>();
  private readonly chatRooms = new Map<string, number>();
  private wantsAdminRoom = false;
  private hasConnected = false;
  private readonly reconnectedSubject = new Subject<void>();
  private readonly unauthorizedSubject = new Subject<void>();

  readonly status = signal<ConnectionStatus>('offline');
  readonly connected = computed(() => this.status() === 'online');
  /** Fires after a dropped connection comes back: time to fetch what was missed. */
  readonly reconnected$: Observable<void> = this.reconnectedSubject.asObservable();
  /** Fires when the server refuses the token at the handshake. */
  readonly unauthorized$: Observable<void> = this.unauthorizedSubject.asObservable();

  connect(token: string): void {
    if (this.socket) return;
    this.hasConnected = false;
    this.status.set('connecting');
    // Relative namespace: the console is served by the same origin as the socket.
    const socket = this.createSocket('/support', { auth: { token } });
    this.socket = socket;

    socket.on('connect', () => {
      this.status.set('online');
      this.rejoinRooms(socket);
      if (this.hasConnected) this.reconnectedSubject.next();
      this.hasConnected = true;
    });
    socket.on('disconnect', (reason) => {
      this.status.set(socket.active ? 'reconnecting' : 'offline');
      // The server closes a connection when its token expires, and socket.io does not retry
      // those. Retrying once tells the cases apart: an expired token fails the handshake with
      // "unauthorized" (then the agent goes back to login), anything else reconnects.
      if (reason === 'io server disconnect') {
        this.status.set('reconnecting');
        setTimeout(() => {
          if (this.socket === socket && !socket.connected) socket.connect();
        }, SERVER_DISCONNECT_RETRY_MS);
      }
    });
    socket.on('connect_error', (err: Error) => {
      if (err.message === 'unauthorized') {
        this.status.set('offline');
        this.unauthorizedSubject.next();
        return;
      }
      this.status.set(this.hasConnected ? 'reconnecting' : 'connecting');
    });
    for (const name of SERVER_EVENTS) {
      // Each listener is typed by its own event; the map is keyed the same way.
      socket.on(name, (payload: unknown) => this.subject(name).next(payload));
    }
  }

  disconnect(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.chatRooms.clear();
    this.wantsAdminRoom = false;
    this.hasConnected = false;
    this.status.set('offline');
  }

  on<K extends ServerEvent>(event: K): Observable<ServerEventPayload<K>> {
    return this.subject(event).asObservable() as Observable<ServerEventPayload<K>>;
  }

  joinAdminRoom(): void {
    this.wantsAdminRoom = true;
    if (this.socket?.connected) void this.emit('subscribe_admin', {});
  }

  /** Reference-counted so two views of the same chat do not unsubscribe each other. */
  joinChat(chatId: string): void {
    const count = this.chatRooms.get(chatId) ?? 0;
    this.chatRooms.set(chatId, count + 1);
    if (count === 0 && this.socket?.connected) void this.emit('subscribe', { chat_id: chatId });
  }

  leaveChat(chatId: string): void {
    const count = this.chatRooms.get(chatId) ?? 0;
    if (count <= 1) {
      this.chatRooms.delete(chatId);
      if (count === 1 && this.socket?.connected) void this.emit('unsubscribe', { chat_id: chatId });
    } else {
      this.chatRooms.set(chatId, count - 1);
    }
  }

  sendMessage(payload: {
    chat_id: string;
    content: string;
    client_id: string;
  }): Promise<Ack<{ message: SupportMessage }>> {
    return this.emit('send_message', payload);
  }

  /** Records the agent's view of a chat without refetching it. */
  markViewed(chatId: string): Promise<Ack<{ updated: number }>> {
    return this.emit('mark_read', { chat_id: chatId });
  }

  ngOnDestroy(): void {
    this.disconnect();
  }

  private async emit<K extends keyof ClientToServerEvents>(
    event: K,
    payload: Parameters<ClientToServerEvents[K]>[0],
  ): Promise<AckOf<K>> {
    const socket = this.socket;
    if (!socket) return { ok: false, error: 'unauthorized' } as AckOf<K>;
    try {
      // The cast bridges socket.io's variadic emit typing, which cannot follow a generic K.
      const emitter = socket.timeout(ACK_TIMEOUT_MS) as unknown as {
        emitWithAck(event: K, payload: Parameters<ClientToServerEvents[K]>[0]): Promise<AckOf<K>>;
      };
      return await emitter.emitWithAck(event, payload);
    } catch {
      return { ok: false, error: 'timeout' } as AckOf<K>;
    }
  }

  private rejoinRooms(socket: SupportSocket): void {
    if (this.wantsAdminRoom) void this.emit('subscribe_admin', {});
    for (const chatId of this.chatRooms.keys()) {
      if (socket.connected) void this.emit('subscribe', { chat_id: chatId });
    }
  }

  private subject(event: ServerEvent): Subject<unknown> {
    let subject = this.subjects.get(event);
    if (!subject) {
      subject = new Subject<unknown>();
      this.subjects.set(event, subject);
    }
    return subject;
  }
}

type AckOf<K extends keyof ClientToServerEvents> = Parameters<
  Parameters<ClientToServerEvents[K]>[1]
>[0];
