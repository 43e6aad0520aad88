// Runs an npm step in each front-end project that exists. The console and the element keep
// their own package.json and lockfile: Angular pins a TypeScript the backend's tools refuse.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const projects = ['widget-element', 'admin-ui'];
const step = process.argv[2];
const steps = {
  install: (dir) => (existsSync(join(dir, 'package-lock.json')) ? ['ci'] : ['install']),
  build: () => ['run', 'build'],
  test: () => ['test'],
};
if (!steps[step]) {
  console.error(`usage: subprojects.mjs ${Object.keys(steps).join('|')}`);
  process.exit(2);
}
for (const name of projects) {
  const dir = join(root, name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  if (step !== 'install' && !existsSync(join(dir, 'node_modules'))) {
    run(dir, steps.install(dir));
  }
  run(dir, steps[step](dir));
}

function run(dir, args) {
  console.log(`\n> ${dir.slice(root.length)}: npm ${args.join(' ')}`);
  const res = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
