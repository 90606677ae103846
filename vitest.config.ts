import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Long suites with their own commands: npm run test:faults, npm run test:fuzz, npm run test:cluster.
    exclude: [...configDefaults.exclude, 'test/faults/**', 'test/fuzz/**', 'test/cluster/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
