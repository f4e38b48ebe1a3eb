/**
 * The CI smoke of `npm run bench` (issue 15 item 4): the quick run must complete and write its
 * report. It asserts that every phase produced figures, never a bound on a time.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { haveBaseline } from '../src/baseline';
import { haveWrk } from '../src/load/wrk';
import { REPO_ROOT } from '../src/procs';
import type { BenchResults } from '../src/results';

const run = promisify(execFile);
let out = '';
afterAll(async () => { if (out) await rm(out, { recursive: true, force: true }); });

it('npm run bench -- --quick completes and writes its report', async () => {
  out = await mkdtemp(join(tmpdir(), 'helen-bench-smoke-'));
  await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/src/main.ts'), '--quick', '--out', out], { cwd: REPO_ROOT, timeout: 280_000 });
  const results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as BenchResults;
  expect(results.meta.quick).toBe(true);
  expect(results.floor.map((f) => f.intraOpThreads)).toEqual([1, 2]);
  expect(results.mqtt).toHaveLength(9);
  expect(results.mqtt.every((m) => m.requestsPerSec > 0 && m.errors === 0)).toBe(true);
  expect(results.workers.map((w) => w.workers)).toEqual([1, 2]);
  expect(results.memory.map((m) => m.process)).toEqual(expect.arrayContaining(['broker', 'worker', 'facade', 'edge']));
  // wrk and the Debian Python stack are installed by .ci/run; without them the report says why.
  if (haveWrk()) expect(results.http.filter((h) => h.target === 'facade').map((h) => h.concurrency)).toEqual([1, 16, 32, 64]);
  if (haveWrk() && haveBaseline()) expect(results.http.filter((h) => h.target === 'baseline')).toHaveLength(4);
  else expect(results.notes.join('\n')).toMatch(/not measured/);
  const report = await readFile(join(out, 'latest.md'), 'utf8');
  expect(report).toContain('## Targets');
  for (const chart of ['latency.svg', 'throughput.svg']) expect(await readFile(join(out, chart), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>$/);
}, 300_000);
