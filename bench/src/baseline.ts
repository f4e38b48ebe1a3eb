/**
 * The baseline under test: the original design (Flask + PyTorch under gunicorn, 2 sync workers,
 * bench/baseline/) started as its own process tree, so its latency, throughput, RSS and CPU time
 * are measured the same way as our services'.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHealth } from '@helen/runtime';
import { spawnService } from './procs';

/** Debian's interpreter, which has python3-torch/flask/onnx; the `python3` first on PATH may be another. */
export const BASELINE_PYTHON = process.env.HELEN_BASELINE_PYTHON ?? '/usr/bin/python3';
const GUNICORN_CONF = fileURLToPath(new URL('../baseline/gunicorn.conf.py', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export interface Baseline {
  readonly url: string;
  /** gunicorn's master and its live workers (the workers are what serve and hold the models). */
  pids(): number[];
  stop(): Promise<void>;
}

let available: boolean | undefined;

/** Whether the baseline can run here: the interpreter exists and imports flask, torch, onnx and gunicorn. */
export function haveBaseline(): boolean {
  if (available === undefined) {
    available = existsSync(BASELINE_PYTHON)
      && spawnSync(BASELINE_PYTHON, ['-c', 'import flask, torch, onnx, numpy, gunicorn'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
  }
  return available;
}

/** What is missing, for the note a caller prints when it skips the baseline. */
export const BASELINE_REQUIREMENTS = `${BASELINE_PYTHON} with flask, torch, onnx, numpy and gunicorn (apt-get install python3-flask python3-torch python3-onnx gunicorn libopenblas0-openmp)`;

/** Child pids of `pid`, from every thread's children list (Linux /proc). */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/**
 * /health answers once one worker has loaded its model; a load run should start with all of them
 * loaded. Concurrent /health requests reach every idle sync worker, and each answers with its pid.
 */
async function allWorkersAnswer(url: string, masterPid: number, workers: number, until: number, cancelled: () => boolean): Promise<boolean> {
  const seen = new Set<number>();
  while (!cancelled() && Date.now() < until) {
    const answers = await Promise.all(Array.from({ length: workers * 2 }, async () => {
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
        return res.ok ? ((await res.json()) as { pid?: number }).pid : undefined;
      } catch {
        return undefined;
      }
    }));
    for (const pid of answers) if (typeof pid === 'number') seen.add(pid);
    const live = childPids(masterPid);
    if (live.length >= workers && live.every((pid) => seen.has(pid))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** gunicorn with the baseline app on a free loopback port, once /health answers 200 (each worker has loaded its model). */
export async function startBaseline(opts: { workers?: number } = {}): Promise<Baseline> {
  const workers = opts.workers ?? 2;
  const port = await freePort();
  const service = spawnService('baseline', BASELINE_PYTHON, ['-m', 'gunicorn', '-c', GUNICORN_CONF], {
    HELEN_BASELINE_BIND: `127.0.0.1:${port}`,
    HELEN_BASELINE_WORKERS: String(workers),
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  service.child.once('exit', () => (exited = true));
  const until = Date.now() + READY_TIMEOUT_MS;
  const healthy = await waitForHealth(`${url}/health`, READY_TIMEOUT_MS, () => exited);
  if (!healthy || !(await allWorkersAnswer(url, service.pid, workers, until, () => exited))) {
    // SIGKILL gives the master no time to stop its workers: kill them first.
    for (const pid of childPids(service.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await service.stop('SIGKILL');
    throw new Error(`baseline did not become ready at ${url}/health:\n${service.output.join('').slice(-2000)}`);
  }
  return {
    url,
    pids: () => [service.pid, ...childPids(service.pid)],
    async stop() {
      // SIGTERM is gunicorn's graceful shutdown: the master stops its workers before it exits.
      await service.stop('SIGTERM');
    },
  };
}
