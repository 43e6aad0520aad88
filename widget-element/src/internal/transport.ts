import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  AvailabilityEvent,
  ClientToServerEvents,
  MessagesReadEvent,
  NewMessageEvent,
  ServerToClientEvents,
  SupportMessage,
  RatingRequestedEvent,
  TypingEvent,
} from './types.js';

export interface TransportHandlers {
  connect(): void;
  disconnect(): void;
  /** The server refused the token at the handshake; the transport stops retrying. */
  unauthorized(): void;
  newMessage(event: NewMessageEvent): void;
  messagesRead(event: MessagesReadEvent): void;
  /** The team's availability: sent on connecting and whenever it changes. */
  availability(event: AvailabilityEvent): void;
  typing(event: TypingEvent): void;
  /** An agent archived the chat: ask for a rating. */
  ratingRequested(event: RatingRequestedEvent): void;
}

/** What the chat session needs from the realtime channel; a fake one stands in for unit tests. */
export interface Transport {
  readonly connected: boolean;
  /** Rejects when the ack does not come in time or the connection is down. */
  subscribe(chatId: string): Promise<Ack>;
  send(payload: { chat_id: string; content: string; client_id: string }): Promise<Ack<{ message: SupportMessage }>>;
  /** Fire and forget: a lost signal lapses by itself on the other side. */
  typing(payload: { chat_id: string; typing: boolean }): void;
  close(): void;
}

export type TransportFactory = (server: string, token: string, handlers: TransportHandlers) => Transport;

const ACK_TIMEOUT_MS = 10_000;

class NotConnectedError extends Error {
  constructor() {
    super('not connected');
  }
}

/** The Socket.IO transport on the contract's `/support` namespace. */
export const socketTransport: TransportFactory = (server, token, handlers) => {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${server}/support`, {
    auth: { token },
    // Each element gets its own connection: two widgets or two tokens must never share one.
    forceNew: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });

  socket.on('connect', () => handlers.connect());
  socket.on('disconnect', () => {
    // Socket.IO would replay buffered emits after reconnecting; the outbox already resends with
    // its client_id, so a replay would only be a second copy on the wire.
    socket.sendBuffer = [];
    handlers.disconnect();
  });
  socket.on('connect_error', (error: Error) => {
    if (error.message === 'unauthorized') handlers.unauthorized();
  });
  socket.on('new_message', (event) => handlers.newMessage(event));
  socket.on('messages_read', (event) => handlers.messagesRead(event));
  socket.on('availability', (event) => handlers.availability(event));
  socket.on('typing', (event) => handlers.typing(event));
  socket.on('rating_requested', (event) => handlers.ratingRequested(event));

  return {
    get connected() {
      return socket.connected;
    },
    subscribe(chatId) {
      if (!socket.connected) return Promise.reject(new NotConnectedError());
      return socket.timeout(ACK_TIMEOUT_MS).emitWithAck('subscribe', { chat_id: chatId });
    },
    send(payload) {
      if (!socket.connected) return Promise.reject(new NotConnectedError());
      return socket.timeout(ACK_TIMEOUT_MS).emitWithAck('send_message', payload);
    },
    typing(payload) {
      if (socket.connected) socket.emit('typing', payload, () => undefined);
    },
    close() {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
};
