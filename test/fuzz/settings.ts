/**
 * One seed and the run counts of the fuzz suites. The CI tests use the small counts (the
 * whole folder well under a minute on two cores); `report.ts` runs the same properties with
 * `--runs N` and `--seed S`. A failure found with another seed becomes a regression test
 * that names that seed (see regressions.test.ts).
 */
export const FUZZ_SEED = 20261126;

/** Runs per property in CI. */
export const CI_RUNS = {
  codec: 400,
  intake: 300,
  liveWorker: 60,
  facade: 60,
  edgeHub: 250,
  recording: 200,
  broker: 40,
} as const;

export type FuzzTarget = keyof typeof CI_RUNS;
