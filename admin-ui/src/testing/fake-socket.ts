import { computed, signal } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { Ack, ServerToClientEvents, SupportMessage } from '../app/core/api.types';
import { ConnectionStatus, ServerEventPayload } from '../app/core/socket.service';

interface SendPayload {
  chat_id: string;
  content: string;
  client_id: string;
}

/**
 * Stands in for SocketService in component specs: tests push server events with `serverEmits`
 * and read what the console asked for from the recorded arrays.
 */
export class FakeSocketService {
  private readonly subjects = new Map<keyof ServerToClientEvents, Subject<unknown>>();
  private readonly reconnectedSubject = new Subject<void>();
  private readonly unauthorizedSubject = new Subject<void>();

  readonly status = signal<ConnectionStatus>('online');
  readonly connected = computed(() => this.status() === 'online');
  readonly reconnected$ = this.reconnectedSubject.asObservable();
  readonly unauthorized$ = this.unauthorizedSubject.asObservable();

  token: string | null = null;
  disconnects = 0;
  adminRoom = false;
  readonly joined: string[] = [];
  readonly left: string[] = [];
  readonly sent: SendPayload[] = [];
  readonly viewed: string[] = [];
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
      },
    });

  connect(token: string): void {
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

  reconnect(): void {
    this.status.set('online');
    this.reconnectedSubject.next();
  }

  refuseToken(): void {
    this.unauthorizedSubject.next();
  }

  joinAdminRoom(): void {
    this.adminRoom = true;
  }

  joinChat(chatId: string): void {
    this.joined.push(chatId);
  }

  leaveChat(chatId: string): void {
    this.left.push(chatId);
  }

  sendMessage(payload: SendPayload): Promise<Ack<{ message: SupportMessage }>> {
    this.sent.push(payload);
    return this.answerSend(payload);
  }

  markViewed(chatId: string): Promise<Ack<{ updated: number }>> {
    this.viewed.push(chatId);
    return Promise.resolve({ ok: true, updated: 1 });
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
