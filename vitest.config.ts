import { defineConfig } from 'vitest/config';

// Model tests are CPU-heavy on a 2-core machine: run files one at a time, with generous timeouts.
export default defineConfig({
  test: {
    include: ['{proto,server,storefront-app,widget}/tests/**/*.test.ts', 'tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
