// Writes a brotli (.br) and a gzip (.gz) twin beside each text file of the element's and the
// console's builds, at the strongest settings: compressed once here, served many times by the
// server, which picks the twin the browser accepts. Run at the end of `npm run build`.
// A twin newer than its file is kept, so running it again after an unchanged build is a stat walk.
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const DIRS = ['widget-element/dist', 'admin-ui/dist/admin-ui/browser'];
const TYPES = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.xml', '.ico']);
// Below this the headers outweigh what compression saves.
const MIN_BYTES = 1024;
const TWINS = [
  {
    suffix: '.br',
    compress: (data) =>
      promisify(brotliCompress)(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
  },
  { suffix: '.gz', compress: (data) => promisify(gzip)(data, { level: constants.Z_BEST_COMPRESSION }) },
];
const isTwin = (name) => TWINS.some((t) => name.endsWith(t.suffix));
const force = process.argv.includes('--force');

for (const dir of DIRS) {
  const abs = join(root, dir);
  const files = await walk(abs).catch((err) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!files) continue;
  const totals = { files: 0, written: 0, raw: 0, br: 0, gz: 0 };
  const names = new Set(files);
  // Twins of files a new build no longer has, or that shrank below the threshold, go.
  for (const file of files.filter(isTwin)) {
    const source = file.slice(0, file.lastIndexOf('.'));
    if (!names.has(source) || !(await worthCompressing(source))) await unlink(file).catch(() => undefined);
  }
  const sources = [];
  for (const file of files) if (!isTwin(file) && (await worthCompressing(file))) sources.push(file);
  // Each file's two twins in parallel (zlib's work runs on libuv's threads), files one by one.
  for (const file of sources) {
    const source = await stat(file);
    totals.files++;
    totals.raw += source.size;
    let data;
    await Promise.all(
      TWINS.map(async ({ suffix, compress }) => {
        const twin = file + suffix;
        const existing = await stat(twin).catch(() => null);
        if (!force && existing && existing.mtimeMs >= source.mtimeMs) {
          totals[suffix.slice(1)] += existing.size;
          return;
        }
        data ??= readFile(file);
        const out = await compress(await data);
        if (out.length >= source.size) {
          // Nothing gained (already compressed data): the server sends the file itself.
          await unlink(twin).catch(() => undefined);
          totals[suffix.slice(1)] += source.size;
          return;
        }
        // Renamed into place, so a running server never sends half a file.
        const tmp = `${twin}.${process.pid}.tmp`;
        try {
          await writeFile(tmp, out);
          await rename(tmp, twin);
        } catch (err) {
          // A read-only install (the container's /app) still starts: that file goes uncompressed.
          if (!['EACCES', 'EPERM', 'EROFS'].includes(err.code)) throw err;
          console.warn(`precompress: cannot write ${twin.slice(root.length)} (${err.code}); it is served uncompressed`);
          totals[suffix.slice(1)] += source.size;
          return;
        }
        totals.written++;
        totals[suffix.slice(1)] += out.length;
      }),
    );
  }
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  console.log(
    `precompress ${dir}: ${totals.files} files, ${kb(totals.raw)} -> br ${kb(totals.br)}, gzip ${kb(totals.gz)}` +
      ` (${totals.written} twins written)`,
  );
}

async function worthCompressing(file) {
  if (!TYPES.has(extname(file))) return false;
  const s = await stat(file).catch(() => null);
  return s !== null && s.isFile() && s.size >= MIN_BYTES;
}

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile() && !entry.name.endsWith('.tmp')) out.push(path);
  }
  return out;
}
