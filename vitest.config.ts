import { defineConfig } from 'vitest/config';

// One run for the whole repository. Database tests get a PostgreSQL server from the global setup
// (embedded, or TEST_DATABASE_URL); *.redis.test.ts need TEST_REDIS_URL and run in .ci/run.
export default defineConfig({
  test: {
    include: [
      'apps/orchestrator/src/**/*.test.ts',
      'apps/dev-idp/src/**/*.test.ts',
      'apps/shell/app/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'modules/*/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', ...(process.env.TEST_REDIS_URL ? [] : ['**/*.redis.test.ts'])],
    globalSetup: ['packages/test-utils/src/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
