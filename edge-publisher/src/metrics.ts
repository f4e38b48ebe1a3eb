/**
 * The edge's Prometheus metrics, in its own registry, served as `GET /metrics` by the built-in
 * UI server (its JSON summary moved to `GET /metrics.json`). Sources:
 * - per-hop timings, observed as each prediction's trace is summarized (pipeline/timings.ts);
 * - gestures fired, by label, as they fire;
 * - the pipeline's counters, the router's and the MQTT link's state, read at scrape time, so
 *   the frame path pays nothing for them.
 * Names follow the broker's: `helen_edge_*`, seconds, `_total` counters; prom-client's default
 * process metrics without a prefix (`process_*`, `nodejs_*`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PipelineCounters } from './pipeline/pipeline';
import type { Hop } from './pipeline/timings';
import type { ServedBy } from './predict/types';

/** What the edge tells its metrics at scrape time; absent parts (before start, HTTP mode) count as zero. */
export interface EdgeSnapshot {
  readonly counters: PipelineCounters | undefined;
  readonly mqttConnected: boolean;
  readonly workersOnline: number | null;
  readonly fallbackActive: boolean;
  readonly served: Readonly<Record<ServedBy, number>> | undefined;
  readonly switchesToFallback: number;
  readonly switchesToCloud: number;
  readonly sseClients: number;
}

/**
 * The hops measured on one clock, as `hop` label values. uplink_ms and downlink_ms compare the
 * Pi's clock with the worker's and can go negative with the clocks' offset, which a histogram
 * cannot hold; they stay in /metrics.json.
 */
const HOP_LABELS: Partial<Record<Hop, string>> = {
  edge_ms: 'edge',
  worker_queue_ms: 'worker_queue',
  inference_ms: 'inference',
  round_trip_ms: 'round_trip',
  capture_to_result_ms: 'capture_to_result',
  result_to_event_ms: 'result_to_event',
};

/** A hop is ~1 ms (inference) to a few hundred ms (capture to result on a loaded Pi); timeouts at 1 s. */
const HOP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Window outcomes (`replies_total{outcome}`) and where each comes from in the pipeline's counters. */
const OUTCOMES: Record<string, (c: PipelineCounters) => number> = {
  ok: (c) => c.results,
  superseded: (c) => c.superseded,
  timeout: (c) => c.timeouts,
  unavailable: (c) => c.unavailable,
  error: (c) => c.errors,
};

export class EdgeMetrics {
  readonly registry = new Registry();
  private readonly hopSeconds: Histogram<'hop'>;
  private readonly gestures: Counter<'gesture'>;
  private defaultMetrics = false;

  constructor(snapshot: () => EdgeSnapshot) {
    const registers = [this.registry];
    this.hopSeconds = new Histogram({
      name: 'helen_edge_hop_duration_seconds', labelNames: ['hop'], buckets: HOP_BUCKETS, registers,
      help: 'per-hop time of each answered window (edge: capture to publish; worker_queue, inference; round_trip: publish to reply; capture_to_result; result_to_event)',
    });
    for (const hop of Object.values(HOP_LABELS)) this.hopSeconds.zero({ hop });
    this.gestures = new Counter({ name: 'helen_edge_gestures_total', help: 'gesture events fired, by gesture', labelNames: ['gesture'], registers });

    const counter = (name: string, help: string, read: (s: EdgeSnapshot) => number) =>
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read(snapshot())); } });
    const labelled = (name: string, help: string, label: string, values: Record<string, (s: EdgeSnapshot) => number>) =>
      new Counter({
        name, help, labelNames: [label], registers,
        collect() {
          const s = snapshot();
          this.reset();
          for (const [value, read] of Object.entries(values)) this.inc({ [label]: value }, read(s));
        },
      });
    const c = (s: EdgeSnapshot, read: (c: PipelineCounters) => number) => (s.counters ? read(s.counters) : 0);
    counter('helen_edge_frames_total', 'landmark frames received from the source', (s) => c(s, (x) => x.frames));
    labelled('helen_edge_frames_skipped_total', 'frames not used: bad (unreadable landmarks) or gated (no usable hand)', 'reason', {
      bad: (s) => c(s, (x) => x.badFrames),
      gated: (s) => c(s, (x) => x.gatedFrames),
    });
    counter('helen_edge_windows_sent_total', 'feature windows sent for a prediction', (s) => c(s, (x) => x.requests));
    labelled('helen_edge_replies_total', 'windows by outcome: ok (a prediction), superseded, timeout, unavailable, error', 'outcome',
      Object.fromEntries(Object.entries(OUTCOMES).map(([k, read]) => [k, (s: EdgeSnapshot) => c(s, read)])));
    labelled('helen_edge_served_total', 'predictions by the path that answered: cloud (MQTT workers), edge (local model), http (facade)', 'path', {
      cloud: (s) => s.served?.cloud ?? 0,
      edge: (s) => s.served?.edge ?? 0,
      http: (s) => s.served?.http ?? 0,
    });
    counter('helen_edge_gestures_suppressed_total', 'gestures held back by their cooldown', (s) => c(s, (x) => x.suppressed));
    labelled('helen_edge_fallback_switches_total', 'switches of the inference path: to the local model (edge) or back to the cloud', 'to', {
      edge: (s) => s.switchesToFallback,
      cloud: (s) => s.switchesToCloud,
    });
    const gauge = (name: string, help: string, read: (s: EdgeSnapshot) => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read(snapshot())); } });
    gauge('helen_edge_fallback_active', '1 while the local model answers instead of the cloud', (s) => (s.fallbackActive ? 1 : 0));
    gauge('helen_edge_mqtt_connected', '1 while connected to the broker (always 0 in HTTP mode)', (s) => (s.mqttConnected ? 1 : 0));
    gauge('helen_edge_workers_online', 'inference workers online, from their retained status topics (0 before the first connection)', (s) => s.workersOnline ?? 0);
    gauge('helen_edge_sse_clients', 'clients on the UI server\'s /events stream', (s) => s.sseClients);
  }

  /** One hop sample (ms); hops measured across two clocks are left out (see HOP_LABELS). */
  observeHop(hop: Hop, ms: number): void {
    const label = HOP_LABELS[hop];
    // Timestamps in whole ms can make a one-clock hop a fraction below zero.
    if (label !== undefined) this.hopSeconds.observe({ hop: label }, Math.max(0, ms) / 1000);
  }

  /** The model's labels, so every gesture's counter exists (at 0) before it first fires. */
  knowGestures(labels: readonly string[]): void {
    for (const gesture of labels) this.gestures.inc({ gesture }, 0);
  }

  gestureFired(gesture: string): void {
    this.gestures.inc({ gesture });
  }

  /** The content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text; the process metrics join at the first scrape (an unscraped edge installs no observers). */
  text(): Promise<string> {
    if (!this.defaultMetrics) {
      this.defaultMetrics = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return this.registry.metrics();
  }
}
