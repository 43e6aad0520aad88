// `npm start`: builds whatever has no build yet, then runs the server in this process's place,
// passing signals through so a SIGTERM from an orchestrator shuts it down gracefully.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const onlyBuild = process.argv.includes('--only-build');

const parts = [
  { output: 'dist/backend/main.js', build: ['npm', ['run', 'build:backend']] },
  { project: 'widget-element', output: 'widget-element/dist/support-chat.iife.js' },
  { project: 'admin-ui', output: 'admin-ui/dist/admin-ui/browser/index.html' },
];
for (const part of parts) {
  if (existsSync(join(root, part.output))) continue;
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
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function run(cmd, args, cwd) {
  console.log(`> ${cmd} ${args.join(' ')}  (${cwd === root ? '.' : cwd.slice(root.length)})`);
  const res = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
