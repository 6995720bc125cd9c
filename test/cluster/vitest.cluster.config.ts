// The cluster tier on its own: npx vitest run --config test/cluster/vitest.cluster.config.ts
// (npm run test:cluster builds the binaries first). Test files run one after the other: each
// starts its own control plane, and the machine has 2 cores.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.cluster.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
