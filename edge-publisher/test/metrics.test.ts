/**
 * The edge's Prometheus metrics: what each snapshot field and hop sample becomes, and the UI
 * server's GET /metrics (Prometheus text) next to GET /metrics.json (the JSON summary).
 * The whole edge with a real broker and worker is scraped in test/metrics-dashboard.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EdgeMetrics, type EdgeSnapshot } from '../src/metrics';
import type { PipelineCounters } from '../src/pipeline/pipeline';
import { HopTimings } from '../src/pipeline/timings';
import { UiServer } from '../src/ui/server';
import { silent } from './helpers';

/** The value of one sample of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const counters: PipelineCounters = {
  frames: 300, badFrames: 2, gatedFrames: 40, requests: 250, results: 240, superseded: 3, timeouts: 4, unavailable: 2, errors: 1, events: 2, suppressed: 1,
};

function snapshot(over: Partial<EdgeSnapshot> = {}): EdgeSnapshot {
  return {
    counters, mqttConnected: true, workersOnline: 2, fallbackActive: false, served: { cloud: 230, edge: 10, http: 0 },
    switchesToFallback: 1, switchesToCloud: 1, sseClients: 1, ...over,
  };
}

describe('edge Prometheus metrics', () => {
  let ui: UiServer | undefined;
  afterEach(async () => {
    await ui?.stop();
    ui = undefined;
  });

  it('turns the pipeline counters and the link and router state into counters and gauges', async () => {
    let current = snapshot();
    const m = new EdgeMetrics(() => current);
    let text = await m.text();
    expect(sample(text, 'helen_edge_frames_total')).toBe(300);
    expect(sample(text, 'helen_edge_frames_skipped_total', 'reason="gated"')).toBe(40);
    expect(sample(text, 'helen_edge_windows_sent_total')).toBe(250);
    expect(sample(text, 'helen_edge_replies_total', 'outcome="ok"')).toBe(240);
    expect(sample(text, 'helen_edge_replies_total', 'outcome="timeout"')).toBe(4);
    expect(sample(text, 'helen_edge_served_total', 'path="edge"')).toBe(10);
    expect(sample(text, 'helen_edge_fallback_switches_total', 'to="edge"')).toBe(1);
    expect(sample(text, 'helen_edge_gestures_suppressed_total')).toBe(1);
    expect(sample(text, 'helen_edge_mqtt_connected')).toBe(1);
    expect(sample(text, 'helen_edge_workers_online')).toBe(2);
    expect(sample(text, 'helen_edge_fallback_active')).toBe(0);

    // Before start (no pipeline) and in HTTP mode everything reads as zero, never as an error.
    current = snapshot({ counters: undefined, served: undefined, mqttConnected: false, workersOnline: null, fallbackActive: true });
    text = await m.text();
    expect(sample(text, 'helen_edge_frames_total')).toBe(0);
    expect(sample(text, 'helen_edge_served_total', 'path="cloud"')).toBe(0);
    expect(sample(text, 'helen_edge_mqtt_connected')).toBe(0);
    expect(sample(text, 'helen_edge_workers_online')).toBe(0);
    expect(sample(text, 'helen_edge_fallback_active')).toBe(1);
  });

  it('observes one-clock hops from the timings, leaves out uplink/downlink, and counts gestures by label', async () => {
    const m = new EdgeMetrics(() => snapshot());
    const timings = new HopTimings();
    timings.onSample((hop, ms) => m.observeHop(hop, ms));
    // Pi clock 100 ms behind the worker's: uplink looks like +105 ms, downlink like -95 ms.
    timings.addTrace({ capture: 1000, publish: 1004, worker_received: 1109, inference_ms: 2, replied: 1112, received: 1017 });
    m.knowGestures(['Inicio', 'Reloj']);
    m.gestureFired('Inicio');
    const text = await m.text();
    expect(sample(text, 'helen_edge_hop_duration_seconds_count', 'hop="round_trip"')).toBe(1);
    expect(sample(text, 'helen_edge_hop_duration_seconds_sum', 'hop="round_trip"')).toBeCloseTo(0.013, 6);
    expect(sample(text, 'helen_edge_hop_duration_seconds_sum', 'hop="edge"')).toBeCloseTo(0.004, 6);
    expect(sample(text, 'helen_edge_hop_duration_seconds_sum', 'hop="inference"')).toBeCloseTo(0.002, 6);
    expect(sample(text, 'helen_edge_hop_duration_seconds_count', 'hop="capture_to_result"')).toBe(1);
    // Declared (at zero) before any event reaches them.
    expect(sample(text, 'helen_edge_hop_duration_seconds_count', 'hop="result_to_event"')).toBe(0);
    expect(text).not.toMatch(/hop="(uplink|downlink)"/);
    expect(timings.summary().downlink_ms?.p50).toBe(-95); // still in the JSON summary
    expect(sample(text, 'helen_edge_gestures_total', 'gesture="Inicio"')).toBe(1);
    expect(sample(text, 'helen_edge_gestures_total', 'gesture="Reloj"')).toBe(0);
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
  });

  it('serves Prometheus text on /metrics and the JSON summary on /metrics.json', async () => {
    const m = new EdgeMetrics(() => snapshot());
    ui = new UiServer({ host: '127.0.0.1', port: 0, metrics: () => ({ counters }), prometheus: m }, silent);
    await ui.start();
    const prom = await fetch(`${ui.url}/metrics`);
    expect(prom.status).toBe(200);
    expect(prom.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(await prom.text(), 'helen_edge_windows_sent_total')).toBe(250);
    const json = await fetch(`${ui.url}/metrics.json`);
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ counters });
  });

  it('has no /metrics route when no Prometheus registry is given', async () => {
    ui = new UiServer({ host: '127.0.0.1', port: 0 }, silent);
    await ui.start();
    expect((await fetch(`${ui.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${ui.url}/metrics.json`)).json()).toEqual({});
  });
});
