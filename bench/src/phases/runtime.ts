/**
 * What running the TypeScript through tsx costs against the compiled bundles (`npm run build`):
 * start-up (spawn to MQTT port open) and idle RSS of `helen broker`, started alternately from
 * the sources (HELEN_RUN_FROM=src) and from dist/ (HELEN_RUN_FROM=dist).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForTcp } from '@helen/runtime';
import { REPO_ROOT, rssMb, spawnHelen } from '../procs';
import type { RuntimeResult } from '../results';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startOnce(runFrom: 'src' | 'dist'): Promise<{ startMs: number; rssMb: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const broker = spawnHelen(`broker (${runFrom})`, 'broker', {
    HELEN_RUN_FROM: runFrom, HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_PORT: String(port), HELEN_MQTT_WS_PORT: 'off', HELEN_BROKER_ALLOW_ANONYMOUS: 'true',
  });
  try {
    if (!(await waitForTcp(port, 30_000, () => broker.child.exitCode !== null))) throw new Error(`broker (${runFrom}) did not start:\n${broker.output.join('')}`);
    const startMs = performance.now() - t0;
    await sleep(2000);
    return { startMs, rssMb: rssMb(broker.pid) };
  } finally {
    await broker.stop();
  }
}

/** undefined when dist/ has no bundles (run `npm run build` first). */
export async function measureRuntime(rounds: number): Promise<RuntimeResult[] | undefined> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'broker.cjs'))) return undefined;
  const runs: Record<'src' | 'dist', { startMs: number; rssMb: number }[]> = { src: [], dist: [] };
  for (let i = 0; i < rounds; i++) {
    for (const runFrom of ['src', 'dist'] as const) runs[runFrom].push(await startOnce(runFrom));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
  return (['src', 'dist'] as const).map((runFrom) => ({
    runFrom, rounds, startMs: median(runs[runFrom].map((r) => r.startMs)), rssMb: median(runs[runFrom].map((r) => r.rssMb)),
  }));
}
