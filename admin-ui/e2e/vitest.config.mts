import { defineConfig } from 'vitest/config';

// The console against the real server in a real Chromium; separate from `ng test`, which runs
// the component specs in jsdom.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    reporters: ['default'],
  },
});
