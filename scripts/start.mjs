// `npm start`: builds what has no build or an older one than its sources, then runs the server,
// passing signals through so a SIGTERM from an orchestrator shuts it down gracefully.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildState } from './build-state.mjs';

const root = new URL('..', import.meta.url).pathname;
const onlyBuild = process.argv.includes('--only-build');

const parts = [
  {
    name: 'server',
    output: 'dist/backend/main.js',
    sources: ['backend/src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    build: ['npm', ['run', 'build:backend']],
  },
  {
    name: 'element',
    project: 'widget-element',
    output: 'widget-element/dist/support-chat.iife.js',
    sources: ['widget-element/src', 'widget-element/vite.config.ts', 'widget-element/package-lock.json'],
  },
  {
    name: 'console',
    project: 'admin-ui',
    output: 'admin-ui/dist/admin-ui/browser/index.html',
    sources: ['admin-ui/src', 'admin-ui/public', 'admin-ui/angular.json', 'admin-ui/package-lock.json'],
  },
];
for (const part of parts) {
  const state = buildState(root, part);
  if (state === 'fresh') continue;
  console.log(`> the ${part.name}'s build is ${state === 'missing' ? 'missing' : 'older than its sources'}: building it`);
  if (part.project) {
    const dir = join(root, part.project);
    if (!existsSync(join(dir, 'package.json'))) continue;
    if (!existsSync(join(dir, 'node_modules'))) run('npm', ['ci', '--no-audit', '--no-fund'], dir);
    run('npm', ['run', 'build'], dir);
  } else {
    run(...part.build, root);
  }
}
// Brotli and gzip twins of the front ends' files; only a stat walk when they are up to date.
run(process.execPath, [join(root, 'scripts/precompress.mjs')], root);
if (onlyBuild) process.exit(0);

const server = spawn(process.execPath, [join(root, 'dist/backend/main.js')], { stdio: 'inherit' });
let stopping = false;
const stop = (signal) => {
  if (stopping && signal === 'SIGTERM') return;
  stopping = true;
  server.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// Whatever stops `npm start` stops the server. npm passes a SIGTERM to the shell that runs this
// script, and a shell such as dash dies of it without passing it on: this process is then
// adopted by another parent. Seeing that, it stops the server as if signalled.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 200).unref();

function run(cmd, args, cwd) {
  console.log(`> ${cmd} ${args.join(' ')}  (${cwd === root ? '.' : cwd.slice(root.length)})`);
  const res = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
