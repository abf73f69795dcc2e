import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// `sessiongen:source` resolves `@sessiongen/runtime` and its subpaths to the TypeScript sources in
// runtime/, so the suites test the code as written; the consumer suites test the packed build.
const conditions = ['sessiongen:source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/services/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
