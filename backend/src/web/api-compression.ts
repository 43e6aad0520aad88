import compression from 'compression';
import type { RequestHandler } from 'express';

/**
 * The API's responses, compressed on the fly (brotli when accepted, else gzip) once they pass
 * 1 KB; below that the saving does not pay for the work. Brotli stays at the package's quality
 * 4, which costs about what gzip does per request; quality 11 is for files compressed once at
 * build time. Meant for /api only: Socket.IO answers its own requests before Express sees them,
 * and /metrics is scraped on a private network.
 */
export function apiCompression(): RequestHandler {
  return compression({ threshold: 1024 });
}
