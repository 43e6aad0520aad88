import { Injectable, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { ChatEvents } from '../common/chat-events';
import type { SupportMessage } from '../contracts/wire';

export type SocketKind = 'user' | 'agent';
export type EmailOutcome = 'sent' | 'failed' | 'unsent';
export type QueueCounts = Partial<Record<'waiting' | 'delayed' | 'active' | 'failed' | 'completed' | 'paused', number>>;

const PREFIX = 'support_chat_';
const SOCKET_IO_PATH = '/socket.io/';
const QUEUE_COUNT_TIMEOUT_MS = 1000;

/** Express's matched route, set on the request while it was routed. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
}

/**
 * The Prometheus registry of one server. A registry per application (not prom-client's global
 * one) so several servers in one process (the e2e tests) never clash.
 */
@Injectable()
export class Metrics implements OnModuleInit, OnModuleDestroy, OnApplicationBootstrap {
  readonly registry = new Registry();
  private subscription?: Subscription;
  private socketCounter: () => Record<SocketKind, number> = () => ({ user: 0, agent: 0 });
  private queueCounter?: () => Promise<QueueCounts>;

  private readonly messagesStored = new Counter({
    name: `${PREFIX}messages_stored_total`,
    help: 'Messages stored, by sender',
    labelNames: ['sender'] as const,
    registers: [this.registry],
  });

  private readonly relayLatency = new Histogram({
    name: `${PREFIX}message_relay_seconds`,
    help: 'From the timestamp Postgres gives a message as it is stored to its broadcast by this instance (which Redis relays to the others)',
    labelNames: ['sender'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly httpLatency = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request latency by route template (not raw path, to keep the series few)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly emails = new Counter({
    name: `${PREFIX}emails_total`,
    help: 'Unread-reply emails this instance handed to SMTP (sent), gave up on after the last attempt (failed) or had no SMTP_URL for (unsent)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly events: ChatEvents,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const self = this;
    new Gauge({
      name: `${PREFIX}sockets_connected`,
      help: 'Sockets connected to this instance, by kind',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        const counts = self.socketCounter();
        for (const kind of ['user', 'agent'] as const) this.set({ kind }, counts[kind]);
      },
    });
    new Gauge({
      name: `${PREFIX}queue_jobs`,
      help: 'Email queue jobs by state (shared by every instance)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        if (!self.queueCounter) return;
        // With Redis away the counts would wait for it; a scrape must answer regardless.
        const counts = await Promise.race([self.queueCounter().catch(() => null), sleep(QUEUE_COUNT_TIMEOUT_MS).then(() => null)]);
        if (counts === null) return;
        for (const state of ['waiting', 'delayed', 'active', 'failed'] as const) this.set({ state }, counts[state] ?? 0);
      },
    });
    // Zeros from the start, so a dashboard's rate() has a series before the first event.
    for (const sender of ['user', 'admin']) {
      this.messagesStored.inc({ sender }, 0);
    }
    for (const outcome of ['sent', 'failed', 'unsent']) this.emails.inc({ outcome }, 0);
  }

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => {
      if (event.kind === 'message_created') this.messagesStored.inc({ sender: event.message.sender_type });
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
    server?.on('request', (req: RoutedRequest, res: ServerResponse) => {
      if (req.url?.startsWith(SOCKET_IO_PATH)) return;
      const end = this.httpLatency.startTimer();
      res.once('finish', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
    });
  }

  /** The socket gateway tells how to count its sockets; read at each scrape. */
  countSocketsWith(counter: () => Record<SocketKind, number>): void {
    this.socketCounter = counter;
  }

  countQueueWith(counter: () => Promise<QueueCounts>): void {
    this.queueCounter = counter;
  }

  messageRelayed(message: Pick<SupportMessage, 'sender_type' | 'created_at'>): void {
    const seconds = Math.max(Date.now() - Date.parse(message.created_at), 0) / 1000;
    this.relayLatency.observe({ sender: message.sender_type }, seconds);
  }

  emailFinished(outcome: EmailOutcome): void {
    this.emails.inc({ outcome });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** `/api/admin/chats/:id`, never `/api/admin/chats/6f1c...`: one series per route, not per chat. */
function routeOf(req: RoutedRequest): string {
  const path = req.route?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}`;
  const url = req.url ?? '';
  if (url.startsWith('/admin')) return '/admin/*';
  if (url.startsWith('/widget')) return '/widget/*';
  if (url === '/' || url.startsWith('/?')) return '/';
  return 'unmatched';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
