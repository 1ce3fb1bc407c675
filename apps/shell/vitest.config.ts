import { defineConfig } from 'vitest/config';

// `npm test -w @afenda/shell`. The root vitest.config.ts runs the same files in the whole-repo run;
// database tests get their PostgreSQL server from the shared global setup.
export default defineConfig({
  test: {
    include: ['app/**/*.test.ts', 'lib/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(process.env.TEST_REDIS_URL ? [] : ['**/*.redis.test.ts'])],
    globalSetup: ['../../packages/test-utils/src/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
