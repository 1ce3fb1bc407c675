#!/usr/bin/env node
// `npm test`: the whole suite in one Vitest run (an embedded PostgreSQL unless TEST_DATABASE_URL
// is set), then one plain summary line ("N passed, N failed") that CI readers understand.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const out = '.data/test-results.json';
mkdirSync('.data', { recursive: true });
rmSync(out, { force: true });
const result = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
let summary = 'tests: no results were written';
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`;
  if (r.numTotalTests === 0) {
    console.error('no test ran');
    process.exitCode = 1;
  }
} catch {
  process.exitCode = 1;
}
console.log(summary);
process.exitCode ||= result.status ?? 1;
