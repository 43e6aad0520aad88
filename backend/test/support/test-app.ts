import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes, randomUUID } from 'node:crypto';
import { sign, type SignOptions } from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../../src/app.factory';
import { DEV_WIDGET_SECRET, loadConfig, type AppConfig } from '../../src/config/app-config';
import type { LoginResult } from '../../src/auth/auth.service';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../src/contracts/wire';
import { testServer } from './instances';

export const PG = 'postgres://postgres@127.0.0.1:5432';
export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  url: string;
  database: string;
  userToken(claims?: Partial<{ sub: string; email: string; name: string; return_url: string }>, opts?: SignOptions & { secret?: string }): string;
  adminToken(): Promise<string>;
  // The body is whatever the server answered; each test asserts the shape it expects of it.
  http<T = unknown>(path: string, init?: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T; text: string }>;
  connect(token: string | undefined, opts?: { extraHeaders?: Record<string, string>; transports?: ('websocket' | 'polling')[] }): Promise<TestSocket>;
  close(): Promise<void>;
}

/** The real server (Postgres, Redis, HTTP, Socket.IO) on a random port with a database of its own. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const fresh = `support_chat_e2e_${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: `${PG}/${fresh}`,
    REDIS_PREFIX: `e2e-${fresh}`,
    ALLOWED_ORIGINS: 'http://allowed.test',
    PUBLIC_URL: 'http://127.0.0.1:0',
    ...env,
  });
  Logger.overrideLogger(false);
  // A caller may name the database (servers sharing one); close() drops whichever was used.
  const database = decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1));
  const app = await createApp(config, false);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const sockets: TestSocket[] = [];
  let adminToken: string | undefined;

  const http: TestApp['http'] = async <T,>(path: string, init: Parameters<TestApp['http']>[1] = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    }
    const res = await fetch(url + path, { method: init.method ?? 'GET', headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // The caller names the shape it expects; the tests then assert it.
    return { status: res.status, body: parsed as T, text };
  };

  return {
    app,
    config,
    url,
    database,
    http,
    userToken(claims = {}, opts = {}) {
      const { secret = DEV_WIDGET_SECRET, ...signOpts } = opts;
      const sub = claims.sub ?? `user-${randomUUID()}`;
      const { sub: _drop, ...rest } = { email: `${sub}@example.com`, ...claims };
      return sign(rest, secret, { algorithm: 'HS256', audience: 'support-widget', subject: sub, expiresIn: '1h', ...signOpts });
    },
    async adminToken() {
      if (!adminToken) {
        const res = await http<LoginResult>('/api/auth/login', { method: 'POST', body: { email: 'admin@example.com', password: 'admin' } });
        adminToken = res.body.access_token;
      }
      return adminToken;
    },
    async connect(token, opts = {}) {
      const socket: TestSocket = io(`${url}/support`, {
        auth: token === undefined ? {} : { token },
        transports: opts.transports ?? ['websocket'],
        extraHeaders: opts.extraHeaders,
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      });
      return socket;
    },
    async close() {
      sockets.forEach((s) => s.disconnect());
      await app.close();
      await testServer.dropDatabase(database);
      await testServer.dropRedisKeys(config.redisUrl, config.redisPrefix);
    },
  };
}

/** Emits with an ack and resolves with the server's answer. */
export function emitAck<T extends object = object>(socket: TestSocket, event: string, payload: unknown): Promise<Ack<T>> {
  return new Promise((resolve) => (socket.emit as (...args: unknown[]) => void)(event, payload, resolve));
}

/** The next `event` that satisfies `match`, or a rejection after `ms`. */
export function nextEvent<T>(socket: TestSocket, event: string, match: (payload: T) => boolean = () => true, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event as never, handler as never);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const handler = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event as never, handler as never);
      resolve(payload);
    };
    socket.on(event as never, handler as never);
  });
}

/** Collects every `event` a socket receives, to assert later that something never arrived. */
export function record<T>(socket: TestSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event as never, ((payload: T) => seen.push(payload)) as never);
  return seen;
}

