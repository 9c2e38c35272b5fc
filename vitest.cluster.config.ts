import { defineConfig } from 'vitest/config';

// `npm run test:cluster` (scripts/test-cluster.sh): the node-loss tests of test/cluster on the
// cluster stack (CLUSTER=1: three NATS nodes, ZooKeeper, two ClickHouse replicas), with the same
// global set-up as the integration project, which reads the cluster profile's settings.
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/http-client.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
