import type { NextFunction, Request, Response } from 'express';

/**
 * Headers every response carries. The console may not be framed by another site (it acts on
 * an agent's behalf, so clickjacking it matters); the element's bundle and the API are made to
 * be used from other origins, which CORS, not these headers, governs.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  if (req.path === '/admin' || req.path.startsWith('/admin/')) {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  }
  next();
}
