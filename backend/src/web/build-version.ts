import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** The files a versioned URL serves, and so the ones its version is a hash of. */
const VERSIONED = new Set(['.js', '.mjs', '.css', '.map', '.json']);

export function isVersionedFile(name: string): boolean {
  return /^[\w][\w.-]*$/.test(name) && VERSIONED.has(extname(name));
}

/**
 * A short content hash of a build's top-level files. The hash is read again only when a name,
 * size or mtime changes, so a build made while the server runs gets a version of its own.
 */
export class BuildVersion {
  private cached?: { signature: string; version: string };

  constructor(private readonly dir: string) {}

  /** null until something is built. */
  async current(): Promise<string | null> {
    try {
      const names = (await readdir(this.dir, { withFileTypes: true }))
        .filter((e) => e.isFile() && isVersionedFile(e.name))
        .map((e) => e.name)
        .sort();
      if (!names.some((n) => n.endsWith('.js'))) return null;
      const stats = await Promise.all(names.map((n) => stat(join(this.dir, n))));
      const signature = names.map((n, i) => `${n}:${stats[i].size}:${stats[i].mtimeMs}`).join('|');
      if (this.cached?.signature === signature) return this.cached.version;
      const hash = createHash('sha256');
      for (const name of names) hash.update(`${name}\0`).update(await readFile(join(this.dir, name)));
      const version = hash.digest('hex').slice(0, 12);
      this.cached = { signature, version };
      return version;
    } catch {
      // A build is replacing files: as if there were none, until it is done.
      return null;
    }
  }
}
