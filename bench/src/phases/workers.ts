/**
 * One worker against two on the shared subscription: its own broker, saturated f16 load from the
 * requester process, then a second worker joins and the same load runs again. Also the
 * worker's batch-size histogram during the one-worker run (what the batching policy did).
 * Workers run with their defaults; only the id and the metrics port are set.
 */
import { startBrokerAndWorker, startWorker, type Service, type WorkerService } from '../procs';
import type { WorkersResult } from '../results';
import { runRequesterProcess } from './mqtt';

export interface WorkersOptions {
  /** Measured seconds per run. */
  seconds: number;
  /** Outstanding requests (default 64). */
  concurrency?: number;
  /** Discarded seconds before each run (default 1). */
  warmupSeconds?: number;
}

type Buckets = Map<string, number>;

/** Cumulative `<name>_bucket{le="..."}` counts from Prometheus text, in exposition order. */
export function parseHistogramBuckets(text: string, name: string): Buckets {
  const buckets: Buckets = new Map();
  const line = new RegExp(`^${name}_bucket\\{(?:[^}]*,)?le="([^"]+)"[^}]*\\}\\s+(\\S+)`);
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (m) buckets.set(m[1] as string, (buckets.get(m[1] as string) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/** Per-bucket (not cumulative) counts added between two scrapes. */
export function bucketDelta(before: Buckets, after: Buckets): { le: string; count: number }[] {
  let previous = 0;
  return [...after].map(([le, cumulative]) => {
    const sinceStart = cumulative - (before.get(le) ?? 0);
    const count = sinceStart - previous;
    previous = sinceStart;
    return { le, count };
  });
}

const BATCH_SIZE = 'helen_worker_batch_size';

async function scrape(worker: WorkerService): Promise<string> {
  const res = await fetch(worker.metricsUrl, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${worker.metricsUrl}: HTTP ${res.status}`);
  return res.text();
}

async function received(worker: WorkerService): Promise<number> {
  const m = /^helen_worker_messages_received_total\s+(\S+)/m.exec(await scrape(worker));
  return Number(m?.[1] ?? NaN);
}

export async function measureWorkers(opts: WorkersOptions): Promise<{ results: WorkersResult[]; batchSizes: { le: string; count: number }[] }> {
  const concurrency = opts.concurrency ?? 64;
  const services: Service[] = [];
  try {
    const { broker, worker: first } = await startBrokerAndWorker(services, 'bench-w1');
    const load = () => runRequesterProcess({
      url: broker.url, encoding: 'f16', concurrency, seconds: opts.seconds, warmupSeconds: opts.warmupSeconds ?? 1, deviceId: 'bench-workers',
    });
    const result = (workers: number, r: Awaited<ReturnType<typeof load>>): WorkersResult => {
      if (r.errors + r.timeouts > 0) throw new Error(`${workers} worker(s): ${r.errors} error replies, ${r.timeouts} timeouts`);
      return { workers, concurrency, requestsPerSec: r.requests / r.durationSec, latency: r.latenciesMs };
    };

    const before = parseHistogramBuckets(await scrape(first), BATCH_SIZE);
    const one = await load();
    const batchSizes = bucketDelta(before, parseHistogramBuckets(await scrape(first), BATCH_SIZE));
    const results = [result(1, one)];

    const second = await startWorker(broker.url, 'bench-w2');
    services.push(second);
    const secondBefore = await received(second);
    const two = await load();
    // Two workers that were really one (the second never subscribed) must not pass as a figure.
    if (!((await received(second)) > secondBefore)) throw new Error('the second worker received no requests: shared subscription not balancing');
    results.push(result(2, two));
    return { results, batchSizes };
  } finally {
    // Workers first (they drain and say offline), then the broker.
    for (const s of services.reverse()) await s.stop();
  }
}
