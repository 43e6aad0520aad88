// Bytes on the wire: what a browser sending `Accept-Encoding: br, gzip` downloads for the element
// and for the console's first load (index.html, its scripts and styles and the modules they
// import statically; lazy routes and the favicon are not counted), against the same files sent
// as gzip only and uncompressed. Bodies only, as Content-Length counts them; loopback only.
// Writes bench/results/wire-weight.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startServer } from '../scripts/test-server.mjs';

const root = new URL('..', import.meta.url).pathname;
// Decimal kilobytes, as the element's own size budget reads them.
const TARGETS = { element: 30_000, console: 150_000 };
const CODINGS = { br: 'br, gzip', gzip: 'gzip', identity: 'identity' };

for (const built of ['dist/backend/main.js', 'widget-element/dist/support-chat.iife.js', 'admin-ui/dist/admin-ui/browser/index.html']) {
  if (!existsSync(join(root, built))) {
    console.error(`${built} is missing: run npm run build first`);
    process.exit(1);
  }
}
// Whatever the last front-end build left without twins gets them, as npm start would do.
execFileSync(process.execPath, [join(root, 'scripts/precompress.mjs')], { stdio: 'ignore' });

const server = await startServer();
try {
  const element = [await measure('/widget/support-chat.iife.js'), await measure('/widget/support-chat.js')];
  const firstLoad = await consoleFirstLoad();
  const consoleFiles = await Promise.all(firstLoad.map((path) => measure(path)));
  const sum = (files) => Object.fromEntries(Object.keys(CODINGS).map((c) => [c, files.reduce((n, f) => n + f[c], 0)]));

  const results = {
    date: new Date().toISOString(),
    accept_encoding: CODINGS.br,
    element: { files: element, counted: element[0].path, bytes: element[0].br, target: TARGETS.element, met: element[0].br <= TARGETS.element },
    console: { files: consoleFiles, total: sum(consoleFiles), target: TARGETS.console, met: sum(consoleFiles).br <= TARGETS.console },
  };

  console.log('bytes on the wire (body), as sent for Accept-Encoding: br, gzip | gzip | none');
  table('element', element);
  table('console, first load', [...consoleFiles, { path: 'total', ...results.console.total }]);
  for (const [name, r, bytes] of [
    ['element (classic script)', results.element, results.element.bytes],
    ['console first load', results.console, results.console.total.br],
  ]) {
    console.log(`${name}: ${kb(bytes)} (target ≤ ${kb(r.target)}): ${r.met ? 'met' : 'MISSED'}`);
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/wire-weight.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results/wire-weight.json');
} finally {
  await server.stop();
}

/** One file's body length for each Accept-Encoding, checking the server said which coding it used. */
async function measure(path) {
  const out = { path };
  for (const [coding, accept] of Object.entries(CODINGS)) {
    const res = await get(path, accept);
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    const sent = res.headers['content-encoding'] ?? 'identity';
    out[coding] = res.body.length;
    out[`${coding}_encoding`] = sent;
  }
  return out;
}

/**
 * What the console's index.html makes a browser fetch before the first screen: its scripts,
 * stylesheets and module preloads, and every module those import statically.
 */
async function consoleFirstLoad() {
  const base = new URL('/admin/', server.url);
  const html = (await get(base.pathname, 'identity')).body.toString();
  const queue = [];
  for (const [, tag, attrs] of html.matchAll(/<(script|link)\b([^>]*)>/gi)) {
    const attr = Object.fromEntries([...attrs.matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)].map(([, k, v]) => [k.toLowerCase(), v]));
    if (tag.toLowerCase() === 'script' && attr.src) queue.push(new URL(attr.src, base));
    if (tag.toLowerCase() === 'link' && ['stylesheet', 'modulepreload'].includes(attr.rel) && attr.href) queue.push(new URL(attr.href, base));
  }
  const seen = new Set([base.pathname]);
  const files = [base.pathname];
  while (queue.length) {
    const url = queue.shift();
    if (url.origin !== base.origin || seen.has(url.pathname)) continue;
    seen.add(url.pathname);
    files.push(url.pathname);
    if (!/\.m?js$/.test(url.pathname)) continue;
    const code = (await get(url.pathname, 'identity')).body.toString();
    // `import x from "./a.js"` and `import "./a.js"`, not `import("./a.js")`, which is lazy.
    for (const [, spec] of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+\.m?js)["']/g)) queue.push(new URL(spec, url));
  }
  return files;
}

function get(path, acceptEncoding) {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.url), { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function table(title, rows) {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map((r) => r.path.length));
  console.log(`  ${'file'.padEnd(width)}  ${'br'.padStart(10)}  ${'gzip'.padStart(10)}  ${'none'.padStart(10)}`);
  for (const r of rows) {
    console.log(`  ${r.path.padEnd(width)}  ${kb(r.br).padStart(10)}  ${kb(r.gzip).padStart(10)}  ${kb(r.identity).padStart(10)}`);
  }
  console.log('');
}

function kb(n) {
  return `${(n / 1000).toFixed(1)} KB`;
}
