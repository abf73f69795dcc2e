#!/usr/bin/env node
// `npm run bench [name…]`: runs each benchmark in bench/*.ts (or the named ones) one after
// another in its own process, so none measures while another runs. Each prints its own table
// of figures and ratios against the alternatives it ran in the same process.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const all = readdirSync('bench').filter((name) => name.endsWith('.ts')).map((name) => name.slice(0, -3)).sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length ? wanted : all) {
  console.log(`\n## bench/${name}.ts\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.error(`bench/${name}.ts exited with ${run.status ?? run.signal}`);
  }
}
process.exit(failed ? 1 : 0);
