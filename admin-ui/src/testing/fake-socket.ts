import { computed, signal } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { Ack, PresenceStatus, ServerToClientEvents, SupportMessage } from '../app/core/api.types';
import {
  ConnectionStatus,
  JoinAck,
  ServerEventPayload,
  SocketService,
} from '../app/core/socket.service';

interface SendPayload {
  chat_id: string;
  content: string;
  client_id: string;
  private?: boolean;
}

/**
 * Every public member of the real service but Angular's destroy hook (which would make Angular
 * treat the fake as an undecorated service): a change to its API breaks the fake's compile.
 */
type SocketServiceApi = Omit<Pick<SocketService, keyof SocketService>, 'ngOnDestroy'>;

const ADMIN_ROOM = 'admin';

/** One room's join, answered at once or held until the test answers it. */
class Join {
  readonly acked: Promise<JoinAck>;
  answered = false;
  private settle!: (ack: JoinAck) => void;

  constructor() {
    this.acked = new Promise((resolve) => (this.settle = resolve));
  }

  answer(ack: JoinAck): void {
    if (this.answered) return;
    this.answered = true;
    this.settle(ack);
  }
}

/**
 * Stands in for SocketService in component specs: tests push server events with `serverEmits`
 * and read what the console asked for from the recorded arrays. Joins are answered `{ok: true}`
 * at once unless `holdJoins` is set; then `answerJoin` plays the server's late ack.
 */
export class FakeSocketService implements SocketServiceApi {
  private readonly subjects = new Map<keyof ServerToClientEvents, Subject<unknown>>();
  private readonly reconnectedSubject = new Subject<void>();
  private readonly unauthorizedSubject = new Subject<void>();
  private readonly joins = new Map<string, Join>();
  private readonly views = new Map<string, number>();

  readonly status = signal<ConnectionStatus>('online');
  readonly connected = computed(() => this.status() === 'online');
  readonly reconnected$ = this.reconnectedSubject.asObservable();
  readonly unauthorized$ = this.unauthorizedSubject.asObservable();

  token: string | null = null;
  disconnects = 0;
  adminRoom = false;
  /** While true, joins wait for `answerJoin`, like a server that has not answered yet. */
  holdJoins = false;
  readonly joined: string[] = [];
  readonly left: string[] = [];
  readonly sent: SendPayload[] = [];
  readonly viewed: string[] = [];
  /** Every `typing` the console sent, in order. */
  readonly typing: { chat_id: string; typing: boolean }[] = [];
  /** Every away switch the console sent, in order. */
  readonly presence: ('online' | 'away')[] = [];
  /** How the fake server answers send_message; replace per test. */
  answerSend: (payload: SendPayload) => Promise<Ack<{ message: SupportMessage }>> = (payload) =>
    Promise.resolve({
      ok: true,
      message: {
        id: `srv-${this.sent.length}`,
        chat_id: payload.chat_id,
        content: payload.content,
        sender_type: 'admin',
        read_at: null,
        created_at: new Date().toISOString(),
        client_id: payload.client_id,
        sender_name: 'Agent',
        admin_id: 'agent-1',
        private: payload.private ?? false,
      },
    });

  connect(token: string): void {
    this.token = token;
  }

  setToken(token: string): void {
    this.token = token;
  }

  disconnect(): void {
    this.disconnects++;
  }

  on<K extends keyof ServerToClientEvents>(event: K): Observable<ServerEventPayload<K>> {
    return this.subject(event).asObservable() as Observable<ServerEventPayload<K>>;
  }

  serverEmits<K extends keyof ServerToClientEvents>(
    event: K,
    payload: ServerEventPayload<K>,
  ): void {
    this.subject(event).next(payload);
  }

  /**
   * The connection came back: every room is joined again, and once each join is answered
   * (see `holdJoins`) `reconnected$` fires. Resolves after it has.
   */
  async reconnect(): Promise<void> {
    this.status.set('online');
    const rejoins = [...this.joins.keys()].map((room) => this.startJoin(room).acked);
    await Promise.all(rejoins);
    this.reconnectedSubject.next();
  }

  /** Plays the server's ack of a held join ('admin' for the agents' room). */
  answerJoin(room: string, ack: JoinAck = { ok: true }): void {
    const join = this.joins.get(room);
    if (!join || join.answered) throw new Error(`no join of ${room} is waiting for an answer`);
    join.answer(ack);
  }

  /** Whether a join of that room waits for its ack. */
  joinPending(room: string): boolean {
    const join = this.joins.get(room);
    return !!join && !join.answered;
  }

  refuseToken(): void {
    this.unauthorizedSubject.next();
  }

  joinAdminRoom(): Promise<JoinAck> {
    this.adminRoom = true;
    return (this.joins.get(ADMIN_ROOM) ?? this.startJoin(ADMIN_ROOM)).acked;
  }

  joinChat(chatId: string): Promise<JoinAck> {
    this.joined.push(chatId);
    this.views.set(chatId, (this.views.get(chatId) ?? 0) + 1);
    return (this.joins.get(chatId) ?? this.startJoin(chatId)).acked;
  }

  chatJoin(chatId: string): Promise<JoinAck> | undefined {
    return this.views.has(chatId) ? this.joins.get(chatId)?.acked : undefined;
  }

  leaveChat(chatId: string): void {
    this.left.push(chatId);
    const views = (this.views.get(chatId) ?? 0) - 1;
    if (views > 0) {
      this.views.set(chatId, views);
      return;
    }
    this.views.delete(chatId);
    this.joins.delete(chatId);
  }

  sendMessage(payload: SendPayload): Promise<Ack<{ message: SupportMessage }>> {
    this.sent.push(payload);
    return this.answerSend(payload);
  }

  sendTyping(chatId: string, typing: boolean): Promise<Ack> {
    this.typing.push({ chat_id: chatId, typing });
    return Promise.resolve({ ok: true });
  }

  setPresence(status: 'online' | 'away'): Promise<Ack<{ status: PresenceStatus }>> {
    this.presence.push(status);
    return Promise.resolve({ ok: true, status });
  }

  markViewed(chatId: string): Promise<Ack<{ updated: number }>> {
    this.viewed.push(chatId);
    return Promise.resolve({ ok: true, updated: 1 });
  }

  private startJoin(room: string): Join {
    const join = new Join();
    this.joins.set(room, join);
    if (!this.holdJoins) join.answer({ ok: true });
    return join;
  }

  private subject(event: keyof ServerToClientEvents): Subject<unknown> {
    let subject = this.subjects.get(event);
    if (!subject) {
      subject = new Subject<unknown>();
      this.subjects.set(event, subject);
    }
    return subject;
  }
}
