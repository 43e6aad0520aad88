// The size budget: what a host page downloads for the classic script, Lit and socket.io-client
// included. Prints the figure on every build and test run and fails above the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// 30 KB read strictly: decimal kilobytes, default gzip level (what servers send).
const BUDGET_BYTES = 30_000;
const file = new URL('../dist/support-chat.iife.js', import.meta.url);
const gzip = gzipSync(readFileSync(file)).length;
const kb = (n) => `${(n / 1000).toFixed(2)} KB`;
const line = `support-chat.iife.js: ${kb(gzip)} gzip (budget ${kb(BUDGET_BYTES)})`;
if (gzip > BUDGET_BYTES) {
  console.error(`${line}: OVER BUDGET by ${kb(gzip - BUDGET_BYTES)}`);
  process.exit(1);
}
console.log(`${line}: ok`);
