import { defineConfig } from 'vitest/config';

/** `npm run test:fuzz`: generated and hand-written hostile requests, security headers, CORS, cookies, CSRF, TLS. */
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts', 'test/security.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
