import { Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { Identity, UserIdentity } from '../auth/identity';
import { AgentDirectory } from '../auth/agent-directory.service';
import { TokenVerifier } from '../auth/token-verifier.service';
import { ChatsService } from '../chats/chats.service';
import { DomainError } from '../common/domain-error';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../contracts/wire';
import { ShutdownCoordinator } from '../lifecycle/shutdown.service';
import { describeError } from '../logging/log-privacy';
import { Metrics } from '../metrics/metrics.service';
import { ChatBroadcaster } from './chat-broadcaster';
import { PresenceService } from '../presence/presence.service';
import { SetPresencePayload } from '../presence/presence.payload';
import { AGENT_SOCKETS_ROOM, AGENTS_ROOM, agentRoom, chatRoom, USERS_ROOM } from './rooms';
import { TypingPayload } from './typing.payload';
import { ChatRefPayload, MarkReadPayload, parseEmptyPayload, parsePayload, parseSendMessage, type SendMessagePayload } from './socket-payloads';
import { TokenExpiry } from './token-expiry';
import { forgiveRefusals, holdWhileQueueFull, releaseQueue, restAfterRefusal, type PaceState } from './inbound-pace';

interface SocketData extends PaceState {
  identity: Identity;
  /** A user's own chat, once resolved: the first subscribe or send looks it up, later ones reuse it. */
  chatId?: string;
  /** The chat this socket said it is typing in, and when it last said so. */
  typingIn?: string;
  typingAt?: number;
  /** Sends of this socket under way, and those waiting for one of them to finish. */
  sending?: number;
  sendQueue?: (() => void)[];
}

/**
 * One socket's sends run a few at a time and queue behind them in order; a script that emits
 * thousands at once is refused beyond the queue without any work. Without the cap, its refused
 * sends (each checks Postgres for a stored client_id) filled the pool and stalled every other
 * user. An outbox draining after a reconnect stays well inside both numbers.
 */
const SENDS_IN_FLIGHT = 4;
const SENDS_QUEUED = 200;

export type SupportSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type SupportNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

type Handler = (socket: SupportSocket, body: unknown) => Promise<object>;

const TYPING_EVERY_MS = 2000;
type Listener = (this: SupportSocket, body: unknown, ack?: unknown) => void;

/**
 * The socket's inbound side: the handshake, access checks and one handler per client event,
 * each answering through its ack. Fan-out of what changed is the ChatBroadcaster's.
 *
 * Handlers are bound as shared functions (Socket.IO calls a listener with the socket as
 * `this`), not through Nest's per-socket observables: an idle connection then costs the server
 * little more than Socket.IO's own bookkeeping.
 */
@WebSocketGateway({ namespace: '/support' })
export class SupportGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly logger = new Logger(SupportGateway.name);
  private readonly expiry = new TokenExpiry<SupportSocket>();
  private readonly listeners: Record<keyof ClientToServerEvents, Listener>;
  private readonly onDisconnect: (this: SupportSocket) => void;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly chats: ChatsService,
    private readonly broadcaster: ChatBroadcaster,
    private readonly shutdown: ShutdownCoordinator,
    private readonly metrics: Metrics,
    private readonly agents: AgentDirectory,
    private readonly presence: PresenceService,
  ) {
    const listener = (handler: Handler): Listener => {
      const answer = (socket: SupportSocket, body: unknown, ack: unknown) => this.answer(socket, body, ack, handler);
      return function (this: SupportSocket, body: unknown, ack?: unknown) {
        // A client that sends no payload puts its ack first.
        if (typeof body === 'function' && ack === undefined) answer(this, undefined, body);
        else answer(this, body, ack);
      };
    };
    this.listeners = {
      subscribe: listener((socket, body) => this.subscribe(socket, body)),
      unsubscribe: listener((socket, body) => this.unsubscribe(socket, body)),
      subscribe_admin: listener((socket, body) => this.subscribeAdmin(socket, body)),
      // Checked before it queues: a malformed send is answered at once and takes no turn.
      send_message: listener(async (socket, body) => {
        const payload = parseSendMessage(body);
        const reply = await this.inTurn(socket, () => this.sendMessage(socket, payload));
        forgiveRefusals(socket);
        return reply;
      }),
      mark_read: listener((socket, body) => this.markRead(socket, body)),
      set_presence: listener((socket, body) => this.setPresence(socket, body)),
      typing: listener((socket, body) => this.typing(socket, body)),
    };
    const { expiry, logger } = this;
    const stopTyping = (socket: SupportSocket) => this.relayTyping(socket, false);
    this.onDisconnect = function (this: SupportSocket) {
      expiry.forget(this);
      if (this.data.typingIn) stopTyping(this);
      if (this.data.identity?.kind === 'agent') {
        presence.disconnected(this.id).catch((err: unknown) => logger.warn(`presence: ${describeError(err)}`));
      }
    };
  }

  /** The handshake uses the same verification as HTTP; a bad token never gets a socket. */
  afterInit(namespace: SupportNamespace): void {
    this.broadcaster.attach(namespace);
    this.metrics.countSocketsWith(() => {
      const counts = { user: 0, agent: 0 };
      for (const socket of namespace.sockets.values()) if (socket.data.identity) counts[socket.data.identity.kind]++;
      return counts;
    });
    // The request that opened a connection is not needed once the handshake is read (the
    // origin was checked before); Socket.IO would otherwise hold it for the connection's life.
    namespace.server.engine.on('connection', (raw: { request: unknown }) => {
      raw.request = null;
    });
    namespace.use((socket, next) => {
      try {
        socket.data.identity = this.verifier.identify((socket.handshake.auth as { token?: unknown } | undefined)?.token);
        next();
      } catch {
        next(new Error('unauthorized'));
      }
    });
    namespace.on('connection', (socket: SupportSocket) => {
      // A socket outlives nothing its token does not: at expiry it is closed, and the
      // reconnect's handshake asks the client for a fresh token.
      const identity = socket.data.identity;
      this.expiry.track(socket, identity.exp);
      if (identity.kind === 'agent') {
        void socket.join([agentRoom(identity.adminId), AGENT_SOCKETS_ROOM]);
        this.presence
          .connected(socket.id, identity.adminId)
          .catch((err: unknown) => this.logger.warn(`presence: ${describeError(err)}`));
      } else {
        void socket.join(USERS_ROOM);
      }
      socket.on('disconnect', this.onDisconnect);
      for (const [event, fn] of Object.entries(this.listeners)) socket.on(event as keyof ClientToServerEvents, fn as never);
    });
  }

  onModuleDestroy(): void {
    this.expiry.stop();
  }

  private async subscribe(socket: SupportSocket, body: unknown): Promise<object> {
    const { chat_id } = parsePayload(ChatRefPayload, body);
    const identity = socket.data.identity;
    if (identity.kind === 'user') {
      // Someone else's chat and a chat that does not exist look the same from outside.
      if ((await this.ownChat(socket, identity, false)) !== chat_id) throw new DomainError('forbidden');
    } else if (!(await this.chats.exists(chat_id))) {
      throw new DomainError('not_found');
    }
    await socket.join(chatRoom(chat_id));
    // A user hears the team's availability on joining, and again whenever it changes.
    if (identity.kind === 'user') socket.emit('availability', { type: 'availability', status: this.presence.availability });
    return {};
  }

  /**
   * Relayed to the other side of the chat only (a user's to its agents and the agents' list, an
   * agent's to its user),
   * from what the socket already holds: typing never touches Postgres. A socket may relay for a
   * chat it has joined (a user: their own, once subscribed).
   */
  private async typing(socket: SupportSocket, body: unknown): Promise<object> {
    const { chat_id, typing, private: note } = parsePayload(TypingPayload, body);
    const allowed = socket.data.identity.kind === 'user' ? socket.data.chatId === chat_id : socket.rooms.has(chatRoom(chat_id));
    if (!allowed) throw new DomainError('forbidden');
    if (note) return this.relayNoteTyping(socket, chat_id, typing);
    const now = Date.now();
    // "Still typing" at most every 2 s per socket, whatever the client sends; a stop always goes.
    if (typing && socket.data.typingIn === chat_id && now - (socket.data.typingAt ?? 0) < TYPING_EVERY_MS) return {};
    if (typing) {
      socket.data.typingIn = chat_id;
      socket.data.typingAt = now;
    }
    this.relayTyping(socket, typing, chat_id);
    return {};
  }

  private relayTyping(socket: SupportSocket, typing: boolean, chatId = socket.data.typingIn): void {
    if (!chatId) return;
    if (!typing) {
      if (socket.data.typingIn !== chatId) return;
      socket.data.typingIn = undefined;
      socket.data.typingAt = undefined;
    }
    const identity = socket.data.identity;
    const event = {
      type: 'typing' as const,
      chat_id: chatId,
      sender_type: identity.kind === 'user' ? ('user' as const) : ('admin' as const),
      sender_name: identity.kind === 'user' ? identity.name : (this.agents.get(identity.adminId)?.name ?? null),
      typing,
    };
    // A user's typing also reaches the agents' room, for the chat's card in every console's list
    // (a socket in both rooms hears it once); an agent's reaches the user's side only.
    const rooms = identity.kind === 'user' ? [chatRoom(chatId), AGENTS_ROOM] : chatRoom(chatId);
    socket.to(rooms).except(identity.kind === 'user' ? USERS_ROOM : AGENT_SOCKETS_ROOM).emit('typing', event);
  }

  /** Typing a note stays among the chat's agents; a reply the agent was typing stops for the user. */
  private relayNoteTyping(socket: SupportSocket, chatId: string, typing: boolean): object {
    const identity = socket.data.identity;
    if (identity.kind !== 'agent') throw new DomainError('forbidden');
    if (socket.data.typingIn === chatId) this.relayTyping(socket, false);
    const name = this.agents.get(identity.adminId)?.name ?? null;
    socket
      .to(chatRoom(chatId))
      .except(USERS_ROOM)
      .emit('typing', { type: 'typing', chat_id: chatId, sender_type: 'admin', sender_name: name, typing, private: true });
    return {};
  }

  private async setPresence(socket: SupportSocket, body: unknown): Promise<object> {
    const { status } = parsePayload(SetPresencePayload, body);
    const identity = socket.data.identity;
    if (identity.kind !== 'agent') throw new DomainError('forbidden');
    return { status: await this.presence.choose(identity.adminId, status) };
  }

  private async unsubscribe(socket: SupportSocket, body: unknown): Promise<object> {
    const { chat_id } = parsePayload(ChatRefPayload, body);
    await socket.leave(chatRoom(chat_id));
    return {};
  }

  private async subscribeAdmin(socket: SupportSocket, body: unknown): Promise<object> {
    parseEmptyPayload(body);
    if (socket.data.identity.kind !== 'agent') throw new DomainError('forbidden');
    await socket.join(AGENTS_ROOM);
    return {};
  }

  private async sendMessage(socket: SupportSocket, payload: SendMessagePayload): Promise<object> {
    const { chat_id, content, client_id, private: note } = payload;
    const identity = socket.data.identity;
    // Sending ends typing at once on the other side.
    if (socket.data.typingIn === chat_id) this.relayTyping(socket, false);
    // The sender type comes from the token, never from the payload.
    if (identity.kind === 'agent') {
      return { message: await this.chats.sendAsAgent(identity, chat_id, content, client_id, note === true, socket.id) };
    }
    if (note) throw new DomainError('forbidden');
    const own = await this.ownChat(socket, identity, true);
    if (own !== chat_id) throw new DomainError('forbidden');
    try {
      return { message: await this.chats.sendAsUser(identity, content, client_id, own, socket.id) };
    } catch (err) {
      // The chat is gone (the user erased, or retention deleted it): this socket looks the
      // user's chat up again, so the widget can carry on in the new one without reconnecting.
      if (err instanceof DomainError && err.code === 'not_found') delete socket.data.chatId;
      throw err;
    }
  }

  private async inTurn<T>(socket: SupportSocket, work: () => Promise<T>): Promise<T> {
    const data = socket.data;
    if ((data.sending ?? 0) < SENDS_IN_FLIGHT) data.sending = (data.sending ?? 0) + 1;
    else {
      const queue = (data.sendQueue ??= []);
      if (queue.length >= SENDS_QUEUED) {
        holdWhileQueueFull(socket);
        throw new DomainError('rate_limited');
      }
      // The finishing send hands its place over, so the count never goes past the cap.
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = data.sendQueue?.shift();
      if (next) next();
      else if (!--data.sending!) {
        delete data.sending;
        delete data.sendQueue;
      }
      if (!data.sendQueue?.length) releaseQueue(socket);
    }
  }

  private async markRead(socket: SupportSocket, body: unknown): Promise<object> {
    const { chat_id, up_to } = parsePayload(MarkReadPayload, body);
    const identity = socket.data.identity;
    if (identity.kind === 'agent') return { updated: await this.chats.recordView(chat_id) };
    const own = await this.ownChat(socket, identity, false);
    if (own !== chat_id) throw new DomainError('forbidden');
    return { updated: await this.chats.markReadByUser(identity, up_to, own) };
  }

  /** The user's own chat, looked up once per socket (and made, when sending, if need be). */
  private async ownChat(socket: SupportSocket, identity: UserIdentity, create: boolean): Promise<string | null> {
    if (socket.data.chatId) return socket.data.chatId;
    const chatId = await this.chats.userChat(identity, create);
    if (chatId) socket.data.chatId = chatId;
    return chatId;
  }

  /** Every handler answers through its ack, with a code the client can act on. */
  private async answer(socket: SupportSocket, body: unknown, ack: unknown, handler: Handler): Promise<void> {
    this.shutdown.socketEventStarted();
    let reply: Ack;
    try {
      const identity = socket.data.identity;
      // A deactivated agent's sockets are closed at once; this covers an event already on its way.
      if (identity.kind === 'agent') {
        if (!this.agents.get(identity.adminId)?.active) throw new DomainError('unauthorized');
        this.presence.activity(identity.adminId);
      }
      reply = { ok: true, ...(await handler(socket, body)) };
    } catch (err) {
      if (err instanceof DomainError) {
        reply = { ok: false, error: err.code };
        if (err.code === 'rate_limited') restAfterRefusal(socket);
      } else {
        this.logger.error(`socket handler failed: ${describeError(err)}`);
        reply = { ok: false, error: 'internal_error' };
      }
    }
    try {
      if (typeof ack === 'function') (ack as (reply: Ack) => void)(reply);
    } finally {
      this.shutdown.socketEventFinished();
    }
  }
}
