import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', '*/test/**/*.test.ts'],
    // onnxruntime-node and real sockets behave best in child processes, not worker threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every `helen` a test spawns runs the sources under test. Left to bin/helen.mjs ("auto"), a
    // bundle built before an edit made it print a stale-bundle note on stderr, which tests that
    // check stderr exactly read as a failure. test/build.test.ts tests the bundles on its own.
    env: { HELEN_RUN_FROM: process.env.HELEN_RUN_FROM ?? 'src' },
  },
});
