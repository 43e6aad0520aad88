import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage } from 'node:http';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config';
import { ShutdownCoordinator } from '../lifecycle/shutdown.service';
import { clusterAdapter } from './cluster-adapter';
import { answerPollAfterRest, FairWebSocketServer } from './inbound-pace';

export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * The Socket.IO server as this product needs it: origins checked on both transports, frames
 * capped, and broadcasts shared through Redis so every instance reaches its own clients.
 */
export class SupportIoAdapter extends IoAdapter {
  private readonly redisClients: Redis[] = [];

  constructor(
    private readonly app: INestApplicationContext,
    private readonly config: Pick<AppConfig, 'allowedOrigins' | 'redisUrl' | 'redisPrefix' | 'socketAdapter'>,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const allowed = this.config.allowedOrigins;
    const originOk = (origin: string | undefined): boolean =>
      // Browsers always send Origin on a WebSocket handshake and on cross-site requests;
      // its absence means a same-origin poll or a non-browser client, neither a hijack.
      origin === undefined || allowed === '*' || allowed.includes(origin);
    const server: Server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: MAX_FRAME_BYTES,
      wsEngine: FairWebSocketServer,
      cors: { origin: allowed === '*' ? true : allowed, credentials: false },
      allowRequest: (req: IncomingMessage, done: (err: string | null | undefined, ok: boolean) => void) =>
        done(null, originOk(req.headers.origin)),
    } as ServerOptions);
    const { factory, clients } = clusterAdapter(this.config.socketAdapter, this.config.redisUrl, this.config.redisPrefix);
    this.redisClients.push(...clients);
    server.adapter(factory);
    server.engine.use(answerPollAfterRest);
    this.app.get(ShutdownCoordinator).attachSocketServer(server);
    return server;
  }

  /**
   * The support gateway binds its handlers itself, as shared functions (see SupportGateway);
   * Nest would otherwise build observables for every socket even with no handler to feed.
   */
  override bindMessageHandlers(...args: Parameters<IoAdapter['bindMessageHandlers']>): void {
    if (args[1].length) super.bindMessageHandlers(...args);
  }

  /** Nothing here listens for Nest's disconnect hook; a listener per socket would be kept for nothing. */
  override bindClientDisconnect(): void {}

  override async close(server: Server): Promise<void> {
    await super.close(server);
    // A round trip first: the pub/sub adapter's close sends UNSUBSCRIBEs it does not await, and
    // quitting before their replies rejects them unhandled.
    await Promise.all(
      this.redisClients.splice(0).map((c) =>
        c
          .ping()
          .then(() => c.quit())
          .catch(() => c.disconnect()),
      ),
    );
  }
}
