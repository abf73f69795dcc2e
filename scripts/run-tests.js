#!/usr/bin/env node
// Runs the vitest suites and ends with the totals from vitest's JSON report as one line,
// `N passed, N failed`, so a run with no tests is visible. Exits with vitest's status.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const report = '.test-results/vitest.json';
mkdirSync('.test-results', { recursive: true });
rmSync(report, { force: true });
const run = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (!existsSync(report)) {
  console.log('0 passed, 0 failed');
  console.error('vitest wrote no report: the run did not complete');
  process.exit(run.status || 1);
}
const totals = JSON.parse(readFileSync(report, 'utf8'));
const skipped = totals.numPendingTests + totals.numTodoTests;
console.log(`${totals.numPassedTests} passed, ${totals.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status ?? 1);
