import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as IoServer } from 'socket.io';
import { AppConfigService } from '../config/app-config.service';

/** An Engine.IO connection: one per client, whatever namespaces it joined. */
interface EngineConnection {
  close(): void;
}

const SOCKET_IO_PATH = '/socket.io/';
const POLL_MS = 20;

/**
 * What a SIGTERM needs to leave nothing half done: counts of in-flight HTTP requests and
 * socket events (an event is in flight until its ack is sent), and the drain that waits for
 * them before any socket is closed.
 */
@Injectable()
export class ShutdownCoordinator implements OnApplicationBootstrap {
  private readonly logger = new Logger('Shutdown');
  private engine: { clients: Record<string, EngineConnection> } | null = null;
  private httpInFlight = 0;
  private socketEventsInFlight = 0;
  private draining = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfigService,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  onApplicationBootstrap(): void {
    const server = this.httpServer();
    server?.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // Long polls are sockets, drained with them; counting them would hold the drain open.
      if (req.url?.startsWith(SOCKET_IO_PATH)) return;
      this.httpInFlight++;
      res.once('close', () => this.httpInFlight--);
    });
  }

  /** Called by the socket adapter for its server: turns away newcomers while draining. */
  attachSocketServer(server: IoServer): void {
    // Engine.IO keeps its open connections in `clients`: the drain closes those, and nothing
    // is kept per connection here.
    this.engine = server.engine as unknown as { clients: Record<string, EngineConnection> };
    server.engine.on('connection', (conn: EngineConnection) => {
      if (this.draining) conn.close();
    });
  }

  /**
   * A socket event is in flight from its handler's start until its ack is sent; the gateway
   * reports both ends, so a drain waits for every answer a client is owed.
   */
  socketEventStarted(): void {
    this.socketEventsInFlight++;
  }

  socketEventFinished(): void {
    this.socketEventsInFlight--;
  }

  /**
   * Stops taking new work, lets what is in flight finish (bounded by SHUTDOWN_TIMEOUT_MS),
   * then closes this instance's sockets so their clients reconnect to another instance.
   */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const started = Date.now();
    const deadline = started + this.config.get('shutdownTimeoutMs');
    const server = this.httpServer();
    const closed = new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    this.logger.log('SIGTERM: no longer accepting connections; finishing in-flight requests and acks');

    while ((this.httpInFlight > 0 || this.socketEventsInFlight > 0) && Date.now() < deadline) {
      await sleep(POLL_MS);
    }
    if (this.httpInFlight > 0 || this.socketEventsInFlight > 0) {
      this.logger.warn(`drain timed out with ${this.httpInFlight} requests and ${this.socketEventsInFlight} acks in flight`);
    }
    // Only this instance's connections (io.disconnectSockets() would reach every instance
    // through Redis), and by closing transports: clients treat a Socket.IO disconnect as
    // final but reconnect after a transport close. Buffered acks are flushed first.
    const connections = Object.values(this.engine?.clients ?? {});
    for (const conn of connections) conn.close();
    server?.closeIdleConnections();
    const left = Math.max(deadline - Date.now(), 0);
    const timedOut = await Promise.race([closed.then(() => false), sleep(left).then(() => true)]);
    if (timedOut) server?.closeAllConnections();
    this.logger.log(`drained in ${Date.now() - started} ms; closed ${connections.length} sockets`);
  }

  private httpServer(): HttpServer | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
