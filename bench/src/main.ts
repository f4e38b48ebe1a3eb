/**
 * `npm run bench`: one harness, one run, every figure side by side, including the original
 * design (Flask + PyTorch under gunicorn) measured in the same minutes on the same machine.
 *
 *   npm run bench                      full run (~6 min), writes reports/bench/latest.{json,md} + SVGs,
 *                                      then regenerates the README's benchmark block
 *   npm run bench -- --quick --out DIR short phases (the CI smoke): completes and writes its report,
 *                                      never touches README.md
 *   --skip floor,mqtt,http,baseline,workers,memory,runtime   leave phases out (noted in the report)
 *   --profile DIR                      every helen service writes a V8 CPU profile to DIR/<service>/
 *
 * Loopback only. Services run as their own processes (`helen broker|worker|api|edge`, gunicorn,
 * wrk, the MQTT requester), so each one's RSS and CPU time is its own.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_METADATA_PATH } from '@helen/model-runtime';
import { decideServiceRuntime, profiling, REPO_ROOT } from './procs';
import type { BenchResults } from './results';
import { runPhases, type PhasePlan } from './run-phases';
import { writeReport } from './report/write';
import { updateReadme } from './report/readme';

const PHASES = ['floor', 'mqtt', 'http', 'baseline', 'workers', 'memory', 'runtime'] as const;
export type PhaseName = (typeof PHASES)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    skip: { type: 'string', default: '' },
    profile: { type: 'string' },
  },
});

const skip = new Set(args.skip.split(',').filter(Boolean));
for (const s of skip) if (!(PHASES as readonly string[]).includes(s)) throw new Error(`--skip ${s}: not a phase (${PHASES.join(', ')})`);
const quick = args.quick;
if (args.profile) profiling.dir = resolve(args.profile);
const outDir = resolve(args.out ?? join(REPO_ROOT, 'reports', 'bench'));

const plan: PhasePlan = quick
  ? { floor: { batch1Runs: 100, secondsPerBatch: 0.3 }, mqttSeconds: 0.7, httpSeconds: 1, workersSeconds: 1, edgeSeconds: 3, devices: 20, runtimeRounds: 1 }
  : { floor: { batch1Runs: 3000, secondsPerBatch: 3 }, mqttSeconds: 5, httpSeconds: 10, workersSeconds: 10, edgeSeconds: 15, devices: 100, runtimeRounds: 3 };

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const started = performance.now();
const results: BenchResults = {
  meta: {
    date: new Date().toISOString(), commit: commit(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? '?',
    modelId: (JSON.parse(readFileSync(DEFAULT_METADATA_PATH, 'utf8')) as { model_id: string }).model_id,
    quick, services: await decideServiceRuntime(), load: [loadavg()[0] ?? NaN, NaN], seconds: NaN,
  },
  floor: [], mqtt: [], http: [], workers: [], batchSizes: [], memory: [], cpu: [], runtime: [], requestSizes: [], curves: [], notes: [],
};
for (const s of skip) results.notes.push(`phase ${s} skipped (--skip)`);

await runPhases(results, plan, (name) => !skip.has(name), (line) => process.stdout.write(`${line}\n`));

results.meta.load[1] = loadavg()[0] ?? NaN;
results.meta.seconds = (performance.now() - started) / 1000;
const written = await writeReport(outDir, results);
process.stdout.write(`report: ${written.join(', ')}\n`);
if (!quick && args.out === undefined) {
  await updateReadme(join(REPO_ROOT, 'README.md'), results);
  process.stdout.write('README.md benchmark block regenerated\n');
}
