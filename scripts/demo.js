#!/usr/bin/env node
// `npm run demo`: generates from schema/ when needed, then serves the demo app.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, ['bin/sessiongen.js', 'generate'], { cwd: root, stdio: 'inherit' });
register();
process.chdir(root);
const { startDemo } = await import('../examples/demo/server.ts');
const demo = await startDemo();
console.log(`sessiongen demo on http://localhost:${demo.port} (store: ${demo.store}${process.env.SESSION_COMPAT ? `, layout: ${process.env.SESSION_COMPAT}` : ''}, resolver: ${process.env.SESSION_RESOLVER ?? 'cookie'})`);
const stop = () => void demo.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
