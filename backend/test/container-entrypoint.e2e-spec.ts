import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFreshBuild, testServer, waitFor } from './support/instances';

const root = join(__dirname, '..', '..');

/**
 * The container's start-up and stop without a container engine: docker/entrypoint.sh in a
 * directory laid out like the image's /app, with the Dockerfile's environment, then a SIGTERM
 * to the process the engine would signal.
 */
describe('docker/entrypoint.sh (e2e)', () => {
  const database = `support_chat_image_${randomBytes(5).toString('hex')}`;
  let app: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    ensureFreshBuild();
    app = mkdtempSync(join(tmpdir(), 'support-chat-image-'));
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(app, file));
    cpSync(join(root, 'scripts'), join(app, 'scripts'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
    symlinkSync(join(root, 'dist'), join(app, 'dist'));
    // The front ends' builds, as the build stage copies them (their content is not the point).
    mkdirSync(join(app, 'admin-ui/dist/admin-ui/browser'), { recursive: true });
    writeFileSync(join(app, 'admin-ui/dist/admin-ui/browser/index.html'), '<!doctype html><title>console</title>');
    mkdirSync(join(app, 'widget-element/dist'), { recursive: true });
    writeFileSync(join(app, 'widget-element/dist/support-chat.iife.js'), '');
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(app, { recursive: true, force: true });
    await testServer.dropDatabase(database);
    await testServer.dropRedisKeys('redis://127.0.0.1:6379', `test-${database}`);
  });

  it('migrates, serves, and drains on SIGTERM sent to npm', async () => {
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    const scriptShell = /npm_config_script_shell=(\S+)/.exec(dockerfile)?.[1];
    expect(scriptShell).toBeDefined();
    const port = await testServer.freePort();
    child = spawn('sh', [join(root, 'docker/entrypoint.sh')], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        npm_config_script_shell: scriptShell,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        REDIS_PREFIX: `test-${database}`,
        WIDGET_JWT_SECRET: randomBytes(24).toString('hex'),
        ADMIN_JWT_SECRET: randomBytes(24).toString('hex'),
      },
    });
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));

    await waitFor(
      'the server to be ready',
      () =>
        fetch(`http://127.0.0.1:${port}/api/health/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
    );
    expect(output).toMatch(/"message":"applied migration InitialSchema/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"SIGTERM: shutdown complete"');
  }, 90_000);
});
