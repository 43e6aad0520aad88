import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './instances';

const EXAMPLE = join(__dirname, '..', '..', '..', 'docker', 'nginx.conf');
const BINARIES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'];

export interface Nginx {
  url: string;
  readonly output: string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx, in the foreground, with docker/nginx.conf as shipped except for its
 * addresses: the two upstreams become the given loopback ports and it listens on `port`.
 * Everything it writes (pid, logs, temp files) stays in a temporary directory.
 */
export async function startNginx(upstreamPorts: [number, number], port: number): Promise<Nginx> {
  const binary = BINARIES.find((b) => existsSync(b));
  if (!binary) throw new Error('nginx is not installed: apt-get install -y nginx (.ci/run does it)');
  const dir = mkdtempSync(join(tmpdir(), 'support-chat-nginx-'));
  const site = replaceOnce(
    replaceOnce(
      replaceOnce(readFileSync(EXAMPLE, 'utf8'), 'server app1:3000', `server 127.0.0.1:${upstreamPorts[0]}`),
      'server app2:3000',
      `server 127.0.0.1:${upstreamPorts[1]}`,
    ),
    'listen 80;',
    `listen 127.0.0.1:${port};`,
  );
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  );
  let output = '';
  const child: ChildProcess = spawn(binary, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('nginx to answer', async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${output}${readLog(dir)}`);
      return fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    get output() {
      return output + readLog(dir);
    },
    async stop() {
      // Only the master we started, by its PID; it takes its worker with it.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function replaceOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`docker/nginx.conf should contain "${from}" exactly once`);
  return parts.join(to);
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
