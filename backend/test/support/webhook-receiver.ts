import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { WebhookPayload } from '../../src/contracts/wire';

export interface Received {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  payload: WebhookPayload;
}
export type Reply = { status: number; headers?: Record<string, string> };

/** A real HTTP receiver on 127.0.0.1: answers each path's scripted replies in order, then 200. */
export async function startReceiver() {
  const seen: Received[] = [];
  const scripts = new Map<string, Reply[]>();
  const news = new EventEmitter();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      seen.push({ path, at: Date.now(), headers: req.headers, body, payload: JSON.parse(body) as WebhookPayload });
      const reply = scripts.get(path)?.shift() ?? { status: 200 };
      res.writeHead(reply.status, reply.headers).end('ok');
      news.emit('request');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    at: (path: string) => seen.filter((r) => r.path === path),
    script: (path: string, replies: Reply[]) => scripts.set(path, [...replies]),
    /** Resolves with the path's requests once `done` holds for them (checked on every arrival). */
    until(path: string, done: (rs: Received[]) => boolean, ms = 20_000): Promise<Received[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done(this.at(path))) return;
          clearTimeout(timer);
          news.off('request', check);
          resolve(this.at(path));
        };
        const timer = setTimeout(() => {
          news.off('request', check);
          reject(new Error(`${path}: ${this.at(path).length} request(s), condition not met within ${ms} ms`));
        }, ms);
        news.on('request', check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Standard Webhooks verification, written from the specification (not the product's signer). */
export function verifies(secret: string, r: Received): boolean[] {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`;
  const expected = createHmac('sha256', key).update(signed).digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .map((part) => part === `v1,${expected}`);
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
