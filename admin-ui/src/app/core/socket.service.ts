import { Injectable, InjectionToken, OnDestroy, computed, inject, signal } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { io, ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import {
  Ack,
  ClientToServerEvents,
  PresenceStatus,
  ServerToClientEvents,
  SupportMessage,
} from './api.types';

export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'reconnecting';
type ServerEvent = keyof ServerToClientEvents;
export type ServerEventPayload<K extends ServerEvent> = Parameters<ServerToClientEvents[K]>[0];

const SERVER_EVENTS: readonly ServerEvent[] = [
  'new_message',
  'new_user_message',
  'chat_updated',
  'messages_read',
  'agent_presence',
  'availability',
  'chat_activity',
  'typing',
  'rating_created',
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

/** The server's answer to joining a room: `{ok: true}`, or why not (`timeout` if none came). */
export type JoinAck = Ack;

/**
 * One room's join on one connection. Callers can wait for it before they fetch, so that what
 * the fetch misses is broadcast to them; it starts over when the connection drops.
 */
class RoomJoin {
  readonly acked: Promise<JoinAck>;
  private settle!: (ack: JoinAck) => void;
  private done = false;

  constructor() {
    this.acked = new Promise((resolve) => (this.settle = resolve));
  }

  get settled(): boolean {
    return this.done;
  }

  answer(ack: JoinAck): void {
    if (this.done) return;
    this.done = true;
    this.settle(ack);
  }
}

interface ChatRoom {
  views: number;
  join: RoomJoin;
}

/**
 * One Socket.IO connection to `/support` for the whole console. Rooms are forgotten by the
 * server when a connection drops, so this service remembers what the console joined and joins
 * again on every (re)connect; consumers subscribe once to `on()` and survive reconnects.
 *
 * Joining answers with the server's ack: a view fetches only once its room is joined, so a
 * message committed before the ack is in the fetch and one committed after it is broadcast.
 */
@Injectable({ providedIn: 'root' })
export class SocketService implements OnDestroy {
  private readonly createSocket = inject(SOCKET_FACTORY);
  private socket: SupportSocket | null = null;
  private readonly subjects = new Map<ServerEvent, Subject<unknown>>();
  private readonly chatRooms = new Map<string, ChatRoom>();
  private adminRoom: RoomJoin | null = null;
  private hasConnected = false;
  private token = '';
  // The token the latest handshake presented: a refusal of an older token than the current one
  // is no reason to sign out.
  private handshakeToken = '';
  // Counts connections, so that an ack that comes back after its connection dropped is ignored.
  private connection = 0;
  private readonly reconnectedSubject = new Subject<void>();
  private readonly unauthorizedSubject = new Subject<void>();

  readonly status = signal<ConnectionStatus>('offline');
  readonly connected = computed(() => this.status() === 'online');
  /**
   * Fires after a dropped connection comes back and every room has been joined again (each
   * join answered, successfully or not): time to fetch what was missed.
   */
  readonly reconnected$: Observable<void> = this.reconnectedSubject.asObservable();
  /** Fires when the server refuses the token at the handshake. */
  readonly unauthorized$: Observable<void> = this.unauthorizedSubject.asObservable();

  connect(token: string): void {
    if (this.socket) return;
    this.hasConnected = false;
    this.token = token;
    this.handshakeToken = token;
    this.status.set('connecting');
    // Relative namespace: the console is served by the same origin as the socket. The token is
    // read at each handshake, so a reconnect presents the newest one (see setToken).
    const socket = this.createSocket('/support', {
      auth: (send: (data: object) => void) => {
        this.handshakeToken = this.token;
        send({ token: this.token });
      },
    });
    this.socket = socket;

    socket.on('connect', () => {
      const connection = ++this.connection;
      this.status.set('online');
      const rejoined = this.joinRooms(connection);
      if (this.hasConnected) {
        void rejoined.then(() => {
          // Dropped again before every answer came: the next connection announces itself.
          if (connection === this.connection && socket.connected) this.reconnectedSubject.next();
        });
      }
      this.hasConnected = true;
    });
    socket.on('disconnect', (reason) => {
      this.forgetJoins();
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
      if (err.message === 'unauthorized' && this.handshakeToken !== this.token) {
        // Refused a token that was replaced meanwhile (a password change): try the new one.
        this.status.set('reconnecting');
        socket.connect();
        return;
      }
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

  /**
   * The token the next handshake presents. The connection stays as it is: a password change
   * makes the server close it, and the reconnect then signs in with this token.
   */
  setToken(token: string): void {
    this.token = token;
  }

  disconnect(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.chatRooms.clear();
    this.adminRoom = null;
    this.hasConnected = false;
    this.connection++;
    this.status.set('offline');
  }

  on<K extends ServerEvent>(event: K): Observable<ServerEventPayload<K>> {
    return this.subject(event).asObservable() as Observable<ServerEventPayload<K>>;
  }

  /**
   * Joins the agents' room, now and after every reconnect. Resolves with the server's ack on
   * the current connection, or on the next one while the socket is down.
   */
  joinAdminRoom(): Promise<JoinAck> {
    if (!this.adminRoom) {
      const join = new RoomJoin();
      this.adminRoom = join;
      if (this.socket?.connected) void this.joinAdmin(join, this.connection);
    }
    return this.adminRoom.acked;
  }

  /**
   * Joins a chat's room, now and after every reconnect; reference-counted so two views of the
   * same chat do not unsubscribe each other. Resolves with the server's ack on the current
   * connection, or on the next one while the socket is down.
   */
  joinChat(chatId: string): Promise<JoinAck> {
    let room = this.chatRooms.get(chatId);
    if (!room) {
      room = { views: 0, join: new RoomJoin() };
      this.chatRooms.set(chatId, room);
      if (this.socket?.connected) void this.joinChatRoom(chatId, room, this.connection);
    }
    room.views++;
    return room.join.acked;
  }

  /**
   * The ack of a joined chat's room on the current connection (pending while its join is in
   * flight or the socket is down); after `reconnected$` it tells whether the rejoin held.
   * Undefined for a chat the console has not joined.
   */
  chatJoin(chatId: string): Promise<JoinAck> | undefined {
    return this.chatRooms.get(chatId)?.join.acked;
  }

  leaveChat(chatId: string): void {
    const room = this.chatRooms.get(chatId);
    if (!room) return;
    if (room.views > 1) {
      room.views--;
      return;
    }
    this.chatRooms.delete(chatId);
    if (this.socket?.connected) void this.emit('unsubscribe', { chat_id: chatId });
  }

  sendMessage(payload: {
    chat_id: string;
    content: string;
    client_id: string;
    private?: boolean;
  }): Promise<Ack<{ message: SupportMessage }>> {
    return this.emit('send_message', payload);
  }

  /** Tells the user's side the agent is typing (or stopped); nothing is stored. */
  sendTyping(chatId: string, typing: boolean): Promise<Ack> {
    return this.emit('typing', { chat_id: chatId, typing });
  }

  /** The agent's away switch: answers the presence the team now sees for them. */
  setPresence(status: 'online' | 'away'): Promise<Ack<{ status: PresenceStatus }>> {
    return this.emit('set_presence', { status });
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

  /** Joins every room the console wants on a new connection; resolves once each has answered. */
  private joinRooms(connection: number): Promise<unknown> {
    const joins: Promise<void>[] = [];
    if (this.adminRoom) joins.push(this.joinAdmin(this.adminRoom, connection));
    for (const [chatId, room] of this.chatRooms) {
      joins.push(this.joinChatRoom(chatId, room, connection));
    }
    return Promise.all(joins);
  }

  private async joinAdmin(join: RoomJoin, connection: number): Promise<void> {
    const ack = await this.emit('subscribe_admin', {});
    if (connection === this.connection && this.adminRoom === join) join.answer(ack);
  }

  private async joinChatRoom(chatId: string, room: ChatRoom, connection: number): Promise<void> {
    const ack = await this.emit('subscribe', { chat_id: chatId });
    // A failed join (no answer in time, or refused) stays failed until the next connection,
    // which tries again; the view decides what to show meanwhile.
    if (connection === this.connection && this.chatRooms.get(chatId) === room) {
      room.join.answer(ack);
    }
  }

  /** The server forgot this connection's rooms: answered joins start over on the next one. */
  private forgetJoins(): void {
    this.connection++;
    if (this.adminRoom?.settled) this.adminRoom = new RoomJoin();
    for (const room of this.chatRooms.values()) {
      if (room.join.settled) room.join = new RoomJoin();
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
