import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appLayout } from './support/app-layout';
import { ensureFreshBuild, testServer, waitFor } from './support/instances';

const root = join(__dirname, '..', '..');

interface BuildStateModule {
  buildState(root: string, part: { output: string; sources: string[] }): 'missing' | 'stale' | 'fresh';
}
const { buildState } = require(join(root, 'scripts', 'build-state.mjs')) as BuildStateModule;

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('npm start (e2e)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'support-chat-start-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds a part whose sources are newer than its build, and only then', () => {
    const part = { output: 'dist/main.js', sources: ['src', 'tsconfig.json'] };
    expect(buildState(dir, part)).toBe('missing');
    mkdirSync(join(dir, 'src/deep'), { recursive: true });
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'src/deep/a.ts'), '');
    writeFileSync(join(dir, 'dist/main.js'), '');
    const at = (file: string, seconds: number) => utimesSync(join(dir, file), seconds, seconds);
    at('src/deep/a.ts', 1_000);
    at('dist/main.js', 2_000);
    expect(buildState(dir, part)).toBe('fresh');
    // A `git pull` brings a newer source file, deep in the tree.
    at('src/deep/a.ts', 3_000);
    expect(buildState(dir, part)).toBe('stale');
    at('dist/main.js', 4_000);
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    at('tsconfig.json', 5_000);
    expect(buildState(dir, part)).toBe('stale');
    // An installation without its source folder (an image) has nothing to compare.
    expect(buildState(dir, { output: 'dist/main.js', sources: ['nowhere', 'tsconfig.json'] })).toBe('fresh');
  });

  describe('stopped on a plain machine', () => {
    const database = `support_chat_start_${randomBytes(5).toString('hex')}`;
    let app: string;
    let npm: ChildProcess | undefined;
    let output = '';

    beforeAll(() => {
      ensureFreshBuild();
      // An installation with its builds in place (npm start builds only what is missing or stale).
      app = appLayout(root, 'support-chat-npm-start-');
    }, 180_000);

    afterAll(async () => {
      if (npm && npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
      rmSync(app, { recursive: true, force: true });
      await testServer.dropDatabase(database);
      await testServer.dropRedisKeys('redis://127.0.0.1:6379', `test-${database}`);
    });

    it('frees the port when the npm start process gets SIGTERM, as a supervisor sends it', async () => {
      const port = await testServer.freePort();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        REDIS_PREFIX: `test-${database}`,
        LOG_LEVEL: 'info',
      };
      // npm's own default script shell (sh), as on a plain machine.
      npm = spawn('npm', ['start'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env });
      const collect = (chunk: Buffer) => (output += chunk.toString());
      npm.stdout?.on('data', collect);
      npm.stderr?.on('data', collect);
      await waitFor(
        'the server to be ready',
        () =>
          fetch(`http://127.0.0.1:${port}/api/health/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        60_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; npm start said:\n${output.slice(-2000)}`);
      });
      npm.kill('SIGTERM');
      await waitFor('the port to be freed', async () => !(await portOpen(port)), 30_000);
      await waitFor('the drain to finish', () => output.includes('SIGTERM: shutdown complete'), 15_000);
    }, 120_000);
  });
});
