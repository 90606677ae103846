import { defineConfig } from 'vitest/config';

/** `npm run test:cluster`: three `custodian serve` processes on one PostgreSQL (built first; see docs/scaling.md). */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
