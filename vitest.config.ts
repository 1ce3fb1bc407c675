import { defineConfig } from 'vitest/config';

// One run for the whole repository. Database tests get a PostgreSQL server from the global setup
// (embedded, or TEST_DATABASE_URL). Suites that need a server we can't embed run when asked, in
// .ci/run, and fail (never skip) if it isn't there: *.redis.test.ts with TEST_REDIS_URL,
// *.haproxy.test.ts with TEST_HAPROXY=1 (Debian's haproxy), *.keycloak.test.ts with TEST_KEYCLOAK=1 (they start a real Keycloak), *.synapse.test.ts with
// TEST_SYNAPSE=1 (each starts a throw-away Synapse from PyPI, scripts/synapse.mjs).
export default defineConfig({
  test: {
    include: [
      'apps/orchestrator/src/**/*.test.ts',
      'apps/dev-idp/src/**/*.test.ts',
      'apps/shell/app/**/*.test.ts',
      'apps/shell/lib/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'modules/*/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    exclude: [
      '**/node_modules/**',
      ...(process.env.TEST_REDIS_URL ? [] : ['**/*.redis.test.ts']),
      ...(process.env.TEST_HAPROXY === '1' ? [] : ['**/*.haproxy.test.ts']),
      ...(process.env.TEST_KEYCLOAK === '1' ? [] : ['**/*.keycloak.test.ts']),
      ...(process.env.TEST_SYNAPSE === '1' ? [] : ['**/*.synapse.test.ts']),
    ],
    globalSetup: ['packages/test-utils/src/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
