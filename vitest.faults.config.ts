import { defineConfig } from 'vitest/config';

/** `npm run test:faults`: real server processes killed, starved of disk, cut off from PostgreSQL; one file at a time. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
