import express from 'express';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { fileBelow, serveFiles } from './precompressed-files';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

describe('serveFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'precompressed-'));
  const script = Buffer.from(`export const words = ${JSON.stringify('lorem ipsum dolor sit amet '.repeat(200))};\n`);
  let server: Server;
  let base: string;

  // Twins written after their file, as the build writes them; `stale` predates its file.
  const write = (name: string, data: Buffer, mtime: number) => {
    writeFileSync(join(dir, name), data);
    utimesSync(join(dir, name), mtime, mtime);
  };
  const t0 = Math.floor(Date.now() / 1000) - 100;

  beforeAll(async () => {
    write('app.js', script, t0);
    write('app.js.br', brotliCompressSync(script), t0 + 1);
    write('app.js.gz', gzipSync(script), t0 + 1);
    write('plain.css', Buffer.from('body{margin:0}'.repeat(100)), t0);
    write('stale.js', script, t0 + 10);
    write('stale.js.br', brotliCompressSync(Buffer.from('an earlier build')), t0);
    write('.secret.js', script, t0);
    const app = express();
    app.use('/files', serveFiles(dir, () => 'public, max-age=60'));
    app.use((_req, res) => res.status(404).send('none'));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  // fetch would decompress; the bytes as sent are the point here.
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<Raw>((resolve, reject) => {
      const req = request(base + path, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  it('sends the brotli twin to a client that accepts it, labelled as the script it decodes to', async () => {
    const res = await get('/files/app.js', { 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(brotliDecompressSync(res.body).equals(script)).toBe(true);
  });

  it('gives each coding its own ETag and answers a revalidation of each with 304', async () => {
    const br = await get('/files/app.js', { 'accept-encoding': 'br' });
    const gz = await get('/files/app.js', { 'accept-encoding': 'gzip' });
    const plain = await get('/files/app.js');
    const tags = [br, gz, plain].map((r) => r.headers.etag);
    expect(new Set(tags).size).toBe(3);
    expect((await get('/files/app.js', { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) })).status).toBe(304);
    // The gzip body's tag does not validate a brotli response.
    expect((await get('/files/app.js', { 'accept-encoding': 'br', 'if-none-match': String(gz.headers.etag) })).status).toBe(200);
  });

  it('sends the file itself when the twin is older than the file', async () => {
    const res = await get('/files/stale.js', { 'accept-encoding': 'br' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.equals(script)).toBe(true);
  });

  it('sends the file itself, without Vary, when it has no twins', async () => {
    const res = await get('/files/plain.css', { 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/^text\/css/);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
  });

  it('answers a range of the plain file and sends compressed twins whole', async () => {
    const plain = await get('/files/app.js', { range: 'bytes=0-9' });
    expect(plain.status).toBe(206);
    expect(plain.body.equals(script.subarray(0, 10))).toBe(true);
    const br = await get('/files/app.js', { range: 'bytes=0-9', 'accept-encoding': 'br' });
    expect(br.status).toBe(200);
    expect(br.headers['accept-ranges']).toBeUndefined();
    expect(brotliDecompressSync(br.body).equals(script)).toBe(true);
  });

  it('answers HEAD with the twin’s length and no body', async () => {
    const res = await get('/files/app.js', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'])).toBe(gzipSync(script).length);
    expect(res.body.length).toBe(0);
  });

  it('serves no dotfile, nothing outside its folder and no directory', async () => {
    for (const path of ['/files/.secret.js', '/files/%2e%2e/package.json', '/files/../app.js', '/files/', '/files/missing.js']) {
      expect((await get(path)).status).toBe(404);
    }
  });
});

describe('fileBelow', () => {
  it.each([
    ['/main-ABC.js', 'main-ABC.js'],
    ['/media/font.woff2', 'media/font.woff2'],
    ['//a//b.js', 'a/b.js'],
    ['/', null],
    ['/dir/', null],
    ['/../etc/passwd', null],
    ['/%2e%2e/x', null],
    ['/a/%00.js', null],
    ['/a\\..\\b', null],
    ['/%E0%A4%A', null],
  ])('%s → %s', (path, expected) => expect(fileBelow(path)).toBe(expected));
});
