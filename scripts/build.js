#!/usr/bin/env node
// `npm run build`: compiles the runtime (runtime/dist/) and then the generator (dist/generator/),
// incrementally, and removes compiled files whose source is gone (tsc leaves them behind when a
// source moves), so a packed tarball never ships a module that no longer exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const TSC = 'node_modules/typescript/bin/tsc';
// The express-session entry compiles in a program of its own (see its tsconfig); it writes into
// runtime/dist too, so the orphan check runs once the runtime's two programs are done.
const PROJECTS = [
  { config: 'runtime/tsconfig.build.json' },
  { config: 'runtime/tsconfig.build.express-session.json', out: 'runtime/dist', source: 'runtime' },
  { config: 'tsconfig.build.json', out: 'dist/generator', source: 'generator' },
];

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

for (const project of PROJECTS) {
  const run = spawnSync(process.execPath, [TSC, '-p', project.config], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  if (!project.out || !existsSync(project.out)) continue;
  for (const file of files(project.out)) {
    const stem = relative(project.out, file).replace(/(\.d)?\.(js|ts)(\.map)?$/, '');
    if (stem === relative(project.out, file)) continue; // not a compiled file (build info)
    if (!existsSync(join(project.source, `${stem}.ts`))) rmSync(file);
  }
}
