/**
 * The /predict load phase: the original client's JSON body POSTed by wrk at each concurrency,
 * against the facade or the baseline alike, so both are measured by the same generator and body.
 */
import { runWrk } from '../load/wrk';
import type { HttpResult } from '../results';
import { benchWindow, originalJsonBody } from '../window';

export interface HttpPhaseOptions {
  concurrencies: number[];
  seconds: number;
  /** One discarded run at the highest concurrency first (JIT, pools, caches), default 2 s; 0 skips it. */
  warmupSeconds?: number;
  /** wrk threads per run (default 1). */
  threads?: number;
}

export interface HttpDistribution {
  concurrency: number;
  points: { p: number; ms: number }[];
}

export interface HttpPhaseResult {
  results: HttpResult[];
  distributions: HttpDistribution[];
}

/**
 * Fails fast, with the answer in the message, when the endpoint does not predict: wrk would
 * otherwise report thousands of fast 4xx/5xx as a great throughput.
 */
export async function checkPredict(predictUrl: string, body: string): Promise<void> {
  const res = await fetch(predictUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  let prediction: unknown;
  try {
    prediction = (JSON.parse(text) as { prediction?: unknown }).prediction;
  } catch {
    prediction = undefined;
  }
  if (res.status !== 200 || prediction === undefined) {
    throw new Error(`POST ${predictUrl} answered ${res.status} without a prediction: ${text.slice(0, 500)}`);
  }
}

export async function measureHttp(target: HttpResult['target'], url: string, opts: HttpPhaseOptions): Promise<HttpPhaseResult> {
  const predictUrl = `${url.replace(/\/+$/, '')}/predict`;
  const body = originalJsonBody(benchWindow());
  await checkPredict(predictUrl, body);
  const warmupSeconds = opts.warmupSeconds ?? 2;
  if (warmupSeconds > 0 && opts.concurrencies.length > 0) {
    await runWrk({ url: predictUrl, body, connections: Math.max(...opts.concurrencies), seconds: warmupSeconds, threads: opts.threads });
  }
  const results: HttpResult[] = [];
  const distributions: HttpDistribution[] = [];
  for (const concurrency of opts.concurrencies) {
    const run = await runWrk({ url: predictUrl, body, connections: concurrency, seconds: opts.seconds, threads: opts.threads });
    results.push({ target, concurrency, latency: run.latency, requestsPerSec: run.requestsPerSec, errors: run.errors, durationSec: run.durationSec });
    distributions.push({ concurrency, points: run.distribution });
  }
  return { results, distributions };
}

/** Successful answers per second of one run: fast error answers must not count as throughput. */
export function goodputPerSec(result: HttpResult): number {
  return result.durationSec > 0 ? Math.max(0, result.requestsPerSec - result.errors / result.durationSec) : 0;
}

/**
 * The saturated throughput: the run with the most successful answers per second (undefined when
 * there are no runs). Read its requestsPerSec, and errors to see whether any were lost.
 */
export function maxThroughput(results: readonly HttpResult[]): HttpResult | undefined {
  let best: HttpResult | undefined;
  for (const r of results) if (best === undefined || goodputPerSec(r) > goodputPerSec(best)) best = r;
  return best;
}
