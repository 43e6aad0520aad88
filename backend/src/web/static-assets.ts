import type { NestExpressApplication } from '@nestjs/platform-express';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import type { AppConfig } from '../config/app-config';
import { consoleDist, widgetDemoPage, widgetDist } from '../paths';
import { BuildVersion, isVersionedFile } from './build-version';
import { IMMUTABLE, sendFile, serveFiles } from './precompressed-files';

/** The element's plain URLs: host pages pick up a new build within minutes, revalidating by ETag. */
const WIDGET_PLAIN = 'public, max-age=300';
/** The console's files whose names do not change with their content (favicon.ico). */
const CONSOLE_UNHASHED = 'public, max-age=3600';
/** Angular names each built script and style after its content: main-PXW47YZ5.js. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
/** What a stale console tab asks for after a deploy removed it: not a route to answer with HTML. */
const ASSET_NAME = /\.(?:m?js|css|map)$/;

const placeholder = (what: string, build: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Support Chat</title></head>
<body><h1>Support Chat</h1><p>The ${what} has not been built yet. Run <code>${build}</code> and reload.</p></body></html>`;

const notBuilt = (_req: Request, res: Response) => {
  res.status(404).type('text/plain').send('Not built: run npm run build');
};

/**
 * One process serves the console at /admin/, the element's bundle at /widget/ and, in demo
 * mode, a host page at /. Each falls back to a short page saying how to build it. Builds made
 * while the server runs are served, with the brotli and gzip twins `npm run build` writes.
 */
export function mountStaticAssets(app: NestExpressApplication, config: Pick<AppConfig, 'allowedOrigins' | 'demoMode'>): void {
  app.use('/widget', widgetRoutes(config.allowedOrigins));

  app.use('/admin', (req: Request, res: Response, next: NextFunction) => {
    // The console's relative URLs resolve against /admin/, never /admin.
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && req.path === '/' && !req.originalUrl.split('?')[0].endsWith('/')) {
      const query = req.originalUrl.slice(req.originalUrl.split('?')[0].length);
      return res.redirect(301, `${req.baseUrl}/${query}`);
    }
    next();
  });
  app.use(
    '/admin',
    serveFiles(consoleDist, (path) => (path === 'index.html' ? 'no-cache' : HASHED_NAME.test(path) ? IMMUTABLE : CONSOLE_UNHASHED)),
  );
  // Deep links such as /admin/chats/<id> load the console, which routes on the client.
  app.use('/admin', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (ASSET_NAME.test(req.path)) return res.status(404).type('text/plain').send('Not found');
    const fallback = (err?: unknown) => (err ? next(err) : res.type('html').send(placeholder('agents’ console', 'npm run build')));
    sendFile(req, res, fallback, consoleDist, 'index.html', 'no-cache').catch(next);
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

/**
 * The element at a plain URL (`/widget/support-chat.js`, short-lived) and at a versioned one
 * (`/widget/v/<hash>/support-chat.js`, cached for a year), which `/widget/manifest.json` names.
 */
function widgetRoutes(allowed: AppConfig['allowedOrigins']): Router {
  const router = Router();
  const version = new BuildVersion(widgetDist);

  router.use((req, res, next) => {
    // Host pages of other origins load the bundle as a module, which needs CORS.
    const origin = req.headers.origin;
    if (origin && (allowed === '*' || allowed.includes(origin))) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.vary('Origin');
    }
    next();
  });

  router.get('/manifest.json', async (req, res, next) => {
    const current = await version.current();
    if (!current) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.json({
      version: current,
      module: `${req.baseUrl}/v/${current}/support-chat.js`,
      script: `${req.baseUrl}/v/${current}/support-chat.iife.js`,
    });
  });

  router.get('/v/:version/:file', async (req, res, next) => {
    const { file } = req.params as { version: string; file: string };
    const current = await version.current();
    if (!current || !isVersionedFile(file)) return next();
    if (req.params.version !== current) {
      // A page that pinned an older build keeps working after an upgrade, on the new one.
      res.setHeader('Cache-Control', 'no-cache');
      return res.redirect(302, `${req.baseUrl}/v/${current}/${file}`);
    }
    await sendFile(req, res, next, widgetDist, file, IMMUTABLE);
  });

  // Mounted whether or not a build exists yet: a build made while the server runs is served.
  router.use(serveFiles(widgetDist, () => WIDGET_PLAIN));
  router.use(notBuilt);
  return router;
}
