import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { SupportChat, SupportMessage } from '../src/contracts/wire';
import { consoleDist, projectRoot, widgetDist } from '../src/paths';
import { testServer } from './support/instances';
import { startNginx, type Nginx } from './support/nginx';
import { rawRequest, type RawResponse } from './support/raw-http';
import { emitAck, startTestApp, type TestApp } from './support/test-app';

const YEAR = 'public, max-age=31536000, immutable';
const decode: Record<string, (b: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync, identity: (b) => b };
const twinSuffix: Record<string, string> = { br: '.br', gzip: '.gz', identity: '' };

/** What a response decodes to, after checking its coding and that its length is what it said. */
function decoded(res: RawResponse, coding: 'br' | 'gzip' | 'identity'): Buffer {
  expect(res.headers['content-encoding']).toBe(coding === 'identity' ? undefined : coding);
  if (res.headers['content-length'] !== undefined) expect(Number(res.headers['content-length'])).toBe(res.body.length);
  return decode[coding](res.body);
}

const varies = (res: RawResponse) =>
  String(res.headers.vary ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase());

describe('Bytes on the wire: precompressed front ends, compressed API, cache lifetimes (e2e)', () => {
  let t: TestApp;
  const widgetFile = (name: string) => readFileSync(join(widgetDist, name));
  const consoleFile = (name: string) => readFileSync(join(consoleDist, name));

  beforeAll(async () => {
    for (const built of [join(widgetDist, 'support-chat.iife.js'), join(consoleDist, 'index.html')]) {
      if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
    }
    // The twins of whatever the front ends' own builds wrote last (a stat walk when fresh).
    execFileSync(process.execPath, [join(projectRoot, 'scripts', 'precompress.mjs')], { stdio: 'ignore' });
    t = await startTestApp();
  }, 120_000);

  afterAll(() => t?.close());

  describe('the element', () => {
    it.each([
      ['br, gzip, deflate', 'br'],
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['identity', 'identity'],
      ['br;q=0, gzip;q=0', 'identity'],
    ] as const)('Accept-Encoding %j gets %s, the build’s own twin, which decodes to the bundle', async (accept, coding) => {
      const res = await rawRequest(`${t.url}/widget/support-chat.iife.js`, { 'accept-encoding': accept });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(varies(res)).toContain('accept-encoding');
      expect(res.body.equals(widgetFile(`support-chat.iife.js${twinSuffix[coding]}`))).toBe(true);
      expect(decoded(res, coding).equals(widgetFile('support-chat.iife.js'))).toBe(true);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
    });

    it('sends brotli well under the 30 KB budget where it used to send 86 KB', async () => {
      const res = await rawRequest(`${t.url}/widget/support-chat.iife.js`, { 'accept-encoding': 'br, gzip' });
      expect(res.body.length).toBeLessThan(30_000);
      expect(res.body.length).toBeLessThan(widgetFile('support-chat.iife.js').length / 3);
    });

    it('keeps one ETag per coding, each revalidating to 304 only for its own coding', async () => {
      const url = `${t.url}/widget/support-chat.js`;
      const [br, gz, plain] = await Promise.all(['br', 'gzip', 'identity'].map((a) => rawRequest(url, { 'accept-encoding': a })));
      expect(new Set([br, gz, plain].map((r) => r.headers.etag)).size).toBe(3);
      expect((await rawRequest(url, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) })).status).toBe(304);
      expect((await rawRequest(url, { 'accept-encoding': 'br', 'if-none-match': String(gz.headers.etag) })).status).toBe(200);
    });

    it('answers HEAD with the twin’s length, ranges on the plain file and sends a twin whole', async () => {
      const url = `${t.url}/widget/support-chat.iife.js`;
      const head = await rawRequest(url, { 'accept-encoding': 'br' }, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers['content-encoding']).toBe('br');
      expect(Number(head.headers['content-length'])).toBe(statSync(join(widgetDist, 'support-chat.iife.js.br')).size);
      expect(head.body.length).toBe(0);

      const range = await rawRequest(url, { range: 'bytes=0-99' });
      expect(range.status).toBe(206);
      expect(range.body.equals(widgetFile('support-chat.iife.js').subarray(0, 100))).toBe(true);
      const whole = await rawRequest(url, { range: 'bytes=0-99', 'accept-encoding': 'br' });
      expect(whole.status).toBe(200);
      expect(decoded(whole, 'br').equals(widgetFile('support-chat.iife.js'))).toBe(true);
    });

    it('names versioned URLs in /widget/manifest.json that are cached for a year', async () => {
      const manifest = await t.http('/widget/manifest.json');
      expect(manifest.status).toBe(200);
      const { version, module, script } = manifest.body as { version: string; module: string; script: string };
      expect(version).toMatch(/^[0-9a-f]{12}$/);
      expect(module).toBe(`/widget/v/${version}/support-chat.js`);
      expect(script).toBe(`/widget/v/${version}/support-chat.iife.js`);

      for (const [path, file] of [
        [script, 'support-chat.iife.js'],
        [module, 'support-chat.js'],
      ]) {
        const res = await rawRequest(t.url + path, { 'accept-encoding': 'br, gzip' });
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe(YEAR);
        expect(res.headers['content-type']).toMatch(/^text\/javascript/);
        expect(varies(res)).toContain('accept-encoding');
        expect(decoded(res, 'br').equals(widgetFile(file))).toBe(true);
      }
      // The ES module's source map resolves beside it.
      expect((await rawRequest(`${t.url}/widget/v/${version}/support-chat.js.map`)).status).toBe(200);
      const plainManifest = await rawRequest(`${t.url}/widget/manifest.json`);
      expect(plainManifest.headers['cache-control']).toBe('no-cache');
    });

    it('redirects an earlier version’s URL to the current one rather than breaking the page', async () => {
      const { version } = (await t.http('/widget/manifest.json')).body as { version: string };
      const res = await rawRequest(`${t.url}/widget/v/000000000000/support-chat.iife.js`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/widget/v/${version}/support-chat.iife.js`);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect((await rawRequest(`${t.url}/widget/v/${version}/not-there.js`)).status).toBe(404);
      expect((await rawRequest(`${t.url}/widget/v/${version}/types`)).status).toBe(404);
    });

    it('lets allowed origins load it, varying on both Origin and Accept-Encoding', async () => {
      const res = await rawRequest(`${t.url}/widget/support-chat.js`, { origin: 'http://allowed.test', 'accept-encoding': 'gzip' });
      expect(res.headers['access-control-allow-origin']).toBe('http://allowed.test');
      expect(varies(res)).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));
      expect(res.headers['content-encoding']).toBe('gzip');
    });
  });

  describe('the console', () => {
    const index = () => consoleFile('index.html').toString();
    const mainScript = () => /src="(main-[A-Z0-9]{8}\.js)"/.exec(index())?.[1] as string;

    it('sends index.html compressed and revalidated on every load, at /admin/ and at deep links', async () => {
      for (const path of ['/admin/', '/admin/chats/7f8c7e8e-6a65-4c3a-9d0b-3f3c1f1b2a10']) {
        const res = await rawRequest(t.url + path, { 'accept-encoding': 'br, gzip' });
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(decoded(res, 'br').toString()).toBe(index());
      }
      const bare = await rawRequest(`${t.url}/admin`);
      expect(bare.status).toBe(301);
      expect(bare.headers.location).toBe('/admin/');
    });

    it('caches the hashed scripts and styles for a year, and the favicon for an hour', async () => {
      const style = /href="(styles-[A-Z0-9]{8}\.css)"/.exec(index())?.[1];
      expect(mainScript()).toBeDefined();
      expect(style).toBeDefined();
      for (const [name, type] of [
        [mainScript(), /^text\/javascript/],
        [style as string, /^text\/css/],
      ] as const) {
        const res = await rawRequest(`${t.url}/admin/${name}`, { 'accept-encoding': 'gzip' });
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe(YEAR);
        expect(res.headers['content-type']).toMatch(type);
        expect(decoded(res, 'gzip').equals(consoleFile(name))).toBe(true);
      }
      const icon = await rawRequest(`${t.url}/admin/favicon.ico`, { 'accept-encoding': 'br' });
      expect(icon.headers['cache-control']).toBe('public, max-age=3600');
      expect(decoded(icon, 'br').equals(consoleFile('favicon.ico'))).toBe(true);
    });

    it('answers a script a deploy removed with 404, not with the console’s page', async () => {
      const res = await rawRequest(`${t.url}/admin/chunk-GONEGONE.js`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).not.toMatch(/html/);
    });
  });

  describe('the API', () => {
    let token: string;
    beforeAll(async () => {
      token = t.userToken();
      const words = Array.from({ length: 600 }, (_, i) => `word${(i * 7919) % 1000}`).join(' ');
      const sent = await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: words } });
      expect(sent.status).toBe(201);
    });

    it.each(['br', 'gzip'] as const)('compresses a large JSON answer with %s', async (coding) => {
      const res = await rawRequest(`${t.url}/api/support_chat`, { authorization: `Bearer ${token}`, 'accept-encoding': coding });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(varies(res)).toContain('accept-encoding');
      const body = JSON.parse(decoded(res, coding).toString()) as { messages: SupportMessage[] };
      expect(body.messages[0].content).toMatch(/^word0 word919/);
      expect(res.body.length).toBeLessThan(decode[coding](res.body).length / 2);
    });

    it('sends it as it is to a client that accepts no coding', async () => {
      const res = await rawRequest(`${t.url}/api/support_chat`, { authorization: `Bearer ${token}`, 'accept-encoding': 'identity' });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(1024);
      expect(JSON.parse(decoded(res, 'identity').toString()).messages).toHaveLength(1);
    });

    it('leaves a small answer uncompressed', async () => {
      const res = await rawRequest(`${t.url}/api/health`, { 'accept-encoding': 'br, gzip' });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeLessThan(1024);
      expect(decoded(res, 'identity').toString()).toMatch(/^\{/);
    });
  });

  describe('Socket.IO', () => {
    it('connects and acknowledges over polling and over WebSocket', async () => {
      const token = t.userToken();
      const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
      for (const transports of [['polling'], ['websocket']] as const) {
        const socket = await t.connect(token, { transports: [...transports] });
        expect(await emitAck(socket, 'send_message', { chat_id: chatId, content: `over ${transports[0]}` })).toMatchObject({ ok: true });
        socket.disconnect();
      }
    });

    it('answers its own polling requests, which the API’s compression never touches', async () => {
      const res = await rawRequest(`${t.url}/socket.io/?EIO=4&transport=polling`, { 'accept-encoding': 'br, gzip' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.toString()).toMatch(/^0\{"sid":/);
    });
  });

  describe('behind nginx with docker/nginx.conf', () => {
    let nginx: Nginx;
    beforeAll(async () => {
      const port = Number(new URL(t.url).port);
      nginx = await startNginx([port, port], await testServer.freePort());
    }, 60_000);
    afterAll(() => nginx?.stop());

    it('passes the app’s brotli through untouched, with its Vary and its caching', async () => {
      const { script } = (await t.http('/widget/manifest.json')).body as { script: string };
      const res = await rawRequest(nginx.url + script, { 'accept-encoding': 'br, gzip' });
      expect(res.status).toBe(200);
      expect(res.body.equals(widgetFile('support-chat.iife.js.br'))).toBe(true);
      expect(decoded(res, 'br').equals(widgetFile('support-chat.iife.js'))).toBe(true);
      expect(varies(res)).toContain('accept-encoding');
      expect(res.headers['cache-control']).toBe(YEAR);
    });

    it('passes the API’s gzip through without compressing it again', async () => {
      const token = t.userToken();
      await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: 'through the proxy '.repeat(100) } });
      const res = await rawRequest(`${nginx.url}/api/support_chat`, { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' });
      expect(res.status).toBe(200);
      expect(varies(res)).toContain('accept-encoding');
      expect(JSON.parse(decoded(res, 'gzip').toString()).messages[0].content).toMatch(/^through the proxy/);
    });

    it('leaves what the app sent uncompressed as it is', async () => {
      const res = await rawRequest(`${nginx.url}/admin/chunk-GONEGONE.js`, { 'accept-encoding': 'gzip' });
      expect(res.status).toBe(404);
      expect(res.headers['content-encoding']).toBeUndefined();
      const small = await rawRequest(`${nginx.url}/api/health`, { 'accept-encoding': 'gzip' });
      expect(small.headers['content-encoding']).toBeUndefined();
    });
  });
});
