import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { consoleDist, widgetDemoPage, widgetDist } from '../paths';

const placeholder = (what: string, build: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Support Chat</title></head>
<body><h1>Support Chat</h1><p>The ${what} has not been built yet. Run <code>${build}</code> and reload.</p></body></html>`;

/**
 * One process serves the console at /admin/, the element's bundle at /widget/ and, in demo
 * mode, a host page at /. Each falls back to a short page saying how to build it.
 */
export function mountStaticAssets(app: NestExpressApplication, config: Pick<AppConfig, 'allowedOrigins' | 'demoMode'>): void {
  const allowed = config.allowedOrigins;
  app.use('/widget', (req: Request, res: Response, next: NextFunction) => {
    // Host pages of other origins load the bundle as a module, which needs CORS.
    const origin = req.headers.origin;
    if (origin && (allowed === '*' || allowed.includes(origin))) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    next();
  });
  // Mounted whether or not a build exists yet: a build made while the server runs is served.
  app.use('/widget', express.static(widgetDist, { maxAge: '5m', index: false, fallthrough: true }));
  app.use('/widget', (_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('Not built: run npm run build');
  });

  app.use('/admin', express.static(consoleDist, { index: false, maxAge: '1h' }));
  // Deep links such as /admin/chats/<id> load the console, which routes on the client.
  app.use('/admin', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const index = join(consoleDist, 'index.html');
    if (existsSync(index)) {
      res.setHeader('Cache-Control', 'no-cache');
      return res.sendFile(index);
    }
    res.type('html').send(placeholder('agents’ console', 'npm run build'));
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    if (!config.demoMode) return res.redirect(302, '/admin/');
    if (existsSync(widgetDemoPage)) {
      res.setHeader('Cache-Control', 'no-cache');
      return res.sendFile(widgetDemoPage);
    }
    res.type('html').send(placeholder('demo page', 'npm run build'));
  });
}
