/**
 * The fast unit tests that exercise the core units Stryker mutates (stryker.config.mjs), and
 * nothing else: every mutant runs these (only the ones covering it, per test), so the slow
 * integration suite stays out. `@helen/*` is resolved to this tree's sources rather than
 * through node_modules: in Stryker's sandbox the workspace symlinks still point at the
 * unmutated originals, and a test importing a mutated unit through its package name would
 * otherwise never see the mutant.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export const MUTATION_TESTS = [
  'inference-worker/test/batch-queue*.test.ts',
  'inference-worker/test/scheduler.test.ts',
  'inference-worker/test/intake*.test.ts',
  'inference-worker/test/deadlines.test.ts',
  'runtime/test/pending*.test.ts',
  'edge-publisher/test/decision/*.test.ts',
  'schemas/test/codec/*.test.ts',
  'features/test/*.test.ts',
  // Shared subscriptions: the unit test (an aedes stand-in) and the integration tests on a real
  // aedes broker and clients (Mosquitto runs cover no mutant), seconds each.
  'broker/test/shared-subscriptions*.test.ts',
  'broker/test/broker.test.ts',
];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@helen\/([a-z-]+)\/testing$/, replacement: `${root}$1/src/testing.ts` },
      { find: /^@helen\/([a-z-]+)$/, replacement: `${root}$1/src/index.ts` },
    ],
  },
  test: {
    include: MUTATION_TESTS,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
