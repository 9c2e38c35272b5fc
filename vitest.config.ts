import { defineConfig } from 'vitest/config';

// Two projects. `unit`: no services, runnable alone (`npm run test:unit`). `integration`: real
// Postgres, PgBouncer, Redis, NATS and ClickHouse (scripts/services.sh), the API in workerd; a
// test needs them when it lives under test/ (but not test/unit/) or scripts/, or is named
// *.integration.test.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['functions/**/*.test.ts', 'worker-ingest/**/*.test.ts', 'shared/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['scripts/**/*.test.ts', '{worker-ingest,shared}/**/*.integration.test.ts', 'test/**/*.test.ts'],
          // test/cluster runs on the cluster stack: `npm run test:cluster` (vitest.cluster.config.ts).
          exclude: ['test/unit/**', 'test/cluster/**', '**/node_modules/**'],
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/http-client.ts'],
          // One database, one cache and one stream are shared: files run one after another.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
