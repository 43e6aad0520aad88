import { copyFileSync, cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory laid out like an installation (the image's /app, or a checkout with its builds in
 * place): package files, scripts, the dependencies and the server's build linked, and stand-ins
 * for the front ends' builds (their content is not the point). No sources, so nothing is rebuilt.
 */
export function appLayout(root: string, prefix: string): string {
  const app = mkdtempSync(join(tmpdir(), prefix));
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(app, file));
  cpSync(join(root, 'scripts'), join(app, 'scripts'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
  symlinkSync(join(root, 'dist'), join(app, 'dist'));
  mkdirSync(join(app, 'admin-ui/dist/admin-ui/browser'), { recursive: true });
  writeFileSync(join(app, 'admin-ui/dist/admin-ui/browser/index.html'), '<!doctype html><title>console</title>');
  mkdirSync(join(app, 'widget-element/dist'), { recursive: true });
  writeFileSync(join(app, 'widget-element/dist/support-chat.iife.js'), '');
  return app;
}
