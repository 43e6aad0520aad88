import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appLayout } from './support/app-layout';
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
    app = appLayout(root, 'support-chat-image-');
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
