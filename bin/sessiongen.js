#!/usr/bin/env node
// sessiongen's command line (compiled: `npm run build` writes dist/, `npm pack` and `npm ci` run it).
import { main } from '../dist/generator/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
