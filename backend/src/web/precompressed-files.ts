import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { chooseEncoding, ENCODINGS, type Encoding } from './accept-encoding';

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * A request path as a file path below a root, or null for what is never served as a file:
 * an undecodable path, a directory, a dotfile, or a way out of the root (`..` starts with a dot).
 */
export function fileBelow(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.endsWith('/')) return null;
  const segments = decoded.split('/').filter(Boolean);
  if (segments.length === 0 || segments.some((s) => s.startsWith('.'))) return null;
  return segments.join('/');
}

/** Serves files below `root`, each with the Cache-Control `cacheControl` gives for its path. */
export function serveFiles(root: string, cacheControl: (path: string) => string): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = fileBelow(req.path);
    if (path === null) return next();
    sendFile(req, res, next, root, path, cacheControl(path)).catch(next);
  };
}

/**
 * Sends `root/path`, or its `.br` / `.gz` twin written at build time when the client accepts
 * it; `next()` when the file does not exist. A twin older than its file is left over from an
 * earlier build (the element's build does not empty its folder) and is never sent; without
 * twins the file goes as it is.
 */
export async function sendFile(req: Request, res: Response, next: NextFunction, root: string, path: string, cacheControl: string): Promise<void> {
  const file = join(root, path);
  const source = await fileStat(file);
  if (!source) return next();
  const fresh = await Promise.all(
    ENCODINGS.map(async ({ encoding, suffix }) => {
      const twin = await fileStat(file + suffix);
      return twin && twin.mtimeMs >= source.mtimeMs ? encoding : null;
    }),
  );
  const available = fresh.filter((e): e is Encoding => e !== null);
  const encoding = chooseEncoding(req.headers['accept-encoding'], available);
  if (available.length > 0) res.vary('Accept-Encoding');

  // Labelled by what the bytes decode to, not by the .br/.gz name they are read from.
  res.type(extname(path));
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Last-Modified', source.mtime.toUTCString());
  // Weak, since each twin decodes to the same content; the coding in it keeps caches from
  // answering a brotli request with a revalidated gzip body or the reverse.
  res.setHeader('ETag', `W/"${source.size.toString(16)}-${Math.floor(source.mtimeMs).toString(16)}${encoding ? `-${encoding}` : ''}"`);
  if (encoding) res.setHeader('Content-Encoding', encoding);
  const suffix = ENCODINGS.find((e) => e.encoding === encoding)?.suffix ?? '';

  res.sendFile(
    path + suffix,
    // A byte range of a compressed twin is one nobody asks for and few clients can use: the
    // twins go whole, the plain file keeps its ranges.
    { root, cacheControl: false, lastModified: false, acceptRanges: encoding === null },
    (err?: NodeJS.ErrnoException & { status?: number }) => {
      if (!err || res.headersSent) return;
      // Gone between the stat and the read: a build is replacing it.
      if (err.code === 'ENOENT' || err.status === 404) return next();
      next(err);
    },
  );
}

async function fileStat(path: string): Promise<Stats | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}
