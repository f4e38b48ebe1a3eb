// Mutation testing of the core units (issue 14, item 8): `npm run mutation`. Not in CI: see
// README ("Mutation testing") for the run time. Each mutant runs only the fast unit tests of
// vitest.mutation.config.ts that cover it (coverageAnalysis perTest).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'inference-worker/src/batch-queue.ts',
    'inference-worker/src/scheduler.ts',
    'inference-worker/src/intake.ts',
    'inference-worker/src/requests.ts',
    'runtime/src/mqtt/pending.ts',
    'edge-publisher/src/decision/*.ts',
    'schemas/src/codec/*.ts',
    '!schemas/src/codec/index.ts',
    'features/src/*.ts',
    '!features/src/index.ts',
    'broker/src/shared-subscriptions.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // The machine is shared; a slow mutant is a timeout, not a survivor.
  timeoutMS: 5_000,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Never copy another run's sandbox or the Python tooling into the sandbox.
  ignorePatterns: ['reports', '.tmp', '.stryker-tmp*', 'models/data', 'models/python', '**/__pycache__', '/deploy'],
  thresholds: { high: 90, low: 80, break: 80 },
  cleanTempDir: true,
};
