// Whether a part's build is older than its sources: `npm start` rebuilds such a part, so a
// `git pull` never leaves yesterday's server, console or element running.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const IGNORED = new Set(['node_modules', 'dist', '.angular', 'coverage']);

/** The newest modification time among files under `paths` (files or folders); 0 when none exist. */
export function newestMtime(root, paths) {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      return;
    }
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (!IGNORED.has(entry.name)) visit(join(path, entry.name));
    }
  };
  for (const p of paths) {
    const full = join(root, p);
    if (existsSync(full)) visit(full);
  }
  return newest;
}

/**
 * 'missing' when there is no build, 'stale' when a source is newer than it, else 'fresh'.
 * `sources[0]` is the part's source folder: an installation without it (a container image)
 * has nothing to compare, and its build is fresh.
 */
export function buildState(root, { output, sources }) {
  const built = join(root, output);
  if (!existsSync(built)) return 'missing';
  if (!existsSync(join(root, sources[0]))) return 'fresh';
  return newestMtime(root, sources) > statSync(built).mtimeMs ? 'stale' : 'fresh';
}
