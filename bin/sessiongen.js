#!/usr/bin/env node
// sessiongen's command line: runs the TypeScript generator through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../generator/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
