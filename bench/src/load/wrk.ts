/**
 * wrk as the HTTP load generator: its own process (so it never shares an event loop or a core's
 * scheduling quantum with the server under test), POSTing one fixed body. The companion
 * wrk-report.lua prints the run as one JSON line, which is all this module parses.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Latency } from '../results';

const REPORT_SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));
/** What wrk-report.lua puts in front of its JSON line. */
export const REPORT_MARKER = 'WRK_REPORT_JSON ';

export interface WrkOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** wrk threads (default 1: one core for the load generator, the other for the server side). */
  threads?: number;
  /** A request not answered in this time counts as a timeout error (default 5 s). */
  timeoutSec?: number;
}

export interface WrkErrors {
  connect: number;
  read: number;
  write: number;
  timeout: number;
  /** Answers whose status is not 2xx (wrk's own "status" error counts only > 399). */
  non2xx: number;
}

export interface WrkRun {
  /** Completed responses, whatever their status. */
  requests: number;
  durationSec: number;
  requestsPerSec: number;
  /** Non-2xx answers plus socket errors and timeouts (the HttpResult meaning). */
  errors: number;
  errorDetail: WrkErrors;
  /** Milliseconds; n is the number of completed responses. */
  latency: Latency;
  /** Latency (ms) at fixed percentiles, ascending p, for the distribution chart. */
  distribution: { p: number; ms: number }[];
}

/** The JSON line wrk-report.lua prints (microseconds; null where the histogram was empty). */
interface WrkReport {
  requests: number;
  duration_us: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  non2xx: number;
  latency_us: { p50: number | null; p99: number | null; p999: number | null; mean: number | null; max: number | null };
  distribution: { p: number; us: number | null }[];
}

let wrkPresent: boolean | undefined;

/** True when a `wrk` binary is on PATH. */
export function haveWrk(): boolean {
  wrkPresent ??= spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return wrkPresent;
}

const ms = (us: number | null): number => (us === null ? NaN : us / 1000);

/** Turns wrk-report.lua's output into a WrkRun; throws if the marker line is missing or malformed. */
export function parseWrkOutput(stdout: string): WrkRun {
  const line = stdout.split('\n').find((l) => l.startsWith(REPORT_MARKER));
  if (line === undefined) throw new Error(`wrk printed no ${REPORT_MARKER.trim()} line:\n${stdout.slice(-2000)}`);
  const report = JSON.parse(line.slice(REPORT_MARKER.length)) as WrkReport;
  if (typeof report.requests !== 'number' || typeof report.duration_us !== 'number') {
    throw new Error(`wrk report lacks requests/duration: ${line}`);
  }
  const { connect, read, write, timeout } = report.errors;
  const errorDetail: WrkErrors = { connect, read, write, timeout, non2xx: report.non2xx };
  const durationSec = report.duration_us / 1e6;
  const l = report.latency_us;
  return {
    requests: report.requests,
    durationSec,
    requestsPerSec: durationSec > 0 ? report.requests / durationSec : 0,
    // errors.status is left out: those answers are already among the non-2xx ones.
    errors: connect + read + write + timeout + report.non2xx,
    errorDetail,
    latency: { n: report.requests, p50: ms(l.p50), p99: ms(l.p99), p999: ms(l.p999), mean: ms(l.mean), max: ms(l.max) },
    distribution: report.distribution.map((d) => ({ p: d.p, ms: ms(d.us) })),
  };
}

/** The wrk command line for one run (exported for the report's "how it was measured"). */
export function wrkArgs(opts: WrkOptions, bodyFile: string): string[] {
  // wrk refuses fewer connections than threads; concurrency 1 is -t1 -c1.
  const threads = Math.max(1, Math.min(opts.threads ?? 1, opts.connections));
  return [
    `-t${threads}`, `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', `${opts.timeoutSec ?? 5}s`,
    '-s', REPORT_SCRIPT, opts.url, '--', bodyFile,
  ];
}

/** One closed-loop wrk run: `connections` connections POSTing `body` for `seconds`. */
export async function runWrk(opts: WrkOptions): Promise<WrkRun> {
  if (!Number.isInteger(opts.connections) || opts.connections < 1) throw new Error(`connections must be >= 1, got ${opts.connections}`);
  const dir = mkdtempSync(join(tmpdir(), 'helen-wrk-'));
  const bodyFile = join(dir, 'body.json');
  writeFileSync(bodyFile, opts.body);
  try {
    const { code, stdout, stderr } = await run('wrk', wrkArgs(opts, bodyFile), (opts.seconds + (opts.timeoutSec ?? 5) + 30) * 1000);
    if (code !== 0) throw new Error(`wrk exited with ${code}:\n${stderr}${stdout}`.slice(-2000));
    return parseWrkOutput(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a command to completion, killing it if it outlives `limitMs` (wrk stuck on a dead server). */
function run(command: string, args: string[], limitMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
