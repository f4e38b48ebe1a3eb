/**
 * Per-hop timings from each prediction's trace (capture, publish, worker_received,
 * inference_ms, replied, received), summarized as percentiles for the log and /metrics.json,
 * and handed to listeners (the Prometheus histograms of metrics.ts) as they arrive.
 * uplink and downlink compare the Pi's clock with the worker's, so they carry the clock
 * offset between the machines; round_trip (publish -> received) is measured on one clock.
 */
import type { Trace } from '@helen/schemas';

export const HOPS = ['edge_ms', 'uplink_ms', 'worker_queue_ms', 'inference_ms', 'downlink_ms', 'round_trip_ms', 'capture_to_result_ms', 'result_to_event_ms'] as const;
export type Hop = (typeof HOPS)[number];

export interface HopSummary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function hopsOf(trace: Trace): Partial<Record<Hop, number>> {
  const { capture, publish, worker_received: wr, inference_ms: inf, replied, received } = trace;
  const out: Partial<Record<Hop, number>> = {};
  const set = (k: Hop, v: number | undefined) => { if (v !== undefined && Number.isFinite(v)) out[k] = v; };
  if (publish !== undefined && capture !== undefined) set('edge_ms', publish - capture);
  if (wr !== undefined && publish !== undefined) set('uplink_ms', wr - publish);
  if (replied !== undefined && wr !== undefined) set('worker_queue_ms', replied - wr - (inf ?? 0));
  set('inference_ms', inf);
  if (received !== undefined && replied !== undefined) set('downlink_ms', received - replied);
  if (received !== undefined && publish !== undefined) set('round_trip_ms', received - publish);
  if (received !== undefined && capture !== undefined) set('capture_to_result_ms', received - capture);
  return out;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

export class HopTimings {
  private readonly samples = new Map<Hop, number[]>();
  private readonly listeners: ((hop: Hop, ms: number) => void)[] = [];

  constructor(private readonly keep = 2000) {}

  /** Called with every sample as it is added. */
  onSample(fn: (hop: Hop, ms: number) => void): void {
    this.listeners.push(fn);
  }

  add(hop: Hop, ms: number): void {
    for (const l of this.listeners) l(hop, ms);
    let arr = this.samples.get(hop);
    if (!arr) this.samples.set(hop, (arr = []));
    arr.push(ms);
    if (arr.length > this.keep) arr.shift();
  }

  addTrace(trace: Trace): void {
    for (const [hop, ms] of Object.entries(hopsOf(trace))) this.add(hop as Hop, ms);
  }

  summary(): Partial<Record<Hop, HopSummary>> {
    const out: Partial<Record<Hop, HopSummary>> = {};
    for (const hop of HOPS) {
      const arr = this.samples.get(hop);
      if (!arr || arr.length === 0) continue;
      const sorted = [...arr].sort((a, b) => a - b);
      const r = (v: number) => Math.round(v * 100) / 100;
      out[hop] = { n: arr.length, p50: r(percentile(sorted, 0.5)), p95: r(percentile(sorted, 0.95)), max: r(sorted[sorted.length - 1] as number) };
    }
    return out;
  }

  clear(): void {
    this.samples.clear();
  }
}
