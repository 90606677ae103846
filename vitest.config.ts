import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * `npm test`: the suite in two groups. Most files wait on PostgreSQL, PGlite or child processes, so they run two or more
 * at a time even on a 2-core machine; the browser tests (*.e2e.test.ts) then run one at a time, after the rest, because
 * a headless Chromium driving a form under a busy machine misses its timing.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          // Long suites with their own commands: npm run test:faults, npm run test:fuzz, npm run test:cluster.
          exclude: [...configDefaults.exclude, 'test/faults/**', 'test/fuzz/**', 'test/cluster/**', '**/*.e2e.test.ts'],
          maxWorkers: Math.max(2, availableParallelism() - 1),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/**/*.e2e.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
