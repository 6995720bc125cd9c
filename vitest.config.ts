import { defineConfig } from 'vitest/config';

// Tiers are separate projects so each can be run on its own (npm run test:unit, ...).
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts', './test/chaos/fuzz/fuzz-summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Faults, bad input and attackers (issue #11): fuzzing and hostile requests against the real adapters.
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
