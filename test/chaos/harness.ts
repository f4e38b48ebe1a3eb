/**
 * Load with faults (issue 14): for `durationMs`, simulated devices publish MQTT requests and
 * HTTP clients call /predict while one worker is killed (SIGKILL) and restarted twice, a
 * second worker joins and the broker is killed and restarted once; a real edge (synthetic
 * source) runs beside them. Loopback only, bounded in count and time, stops by itself.
 * The report accounts for every request (exactly one outcome each), duplicates, HTTP requests
 * left open, whether the edge and the facade came back after the broker restart, and the
 * longest gap without a successful answer.
 */
import mqtt from 'mqtt';
import { freePort, waitForHealth } from '@helen/runtime';
import { createTopics } from '@helen/schemas';
import { Ledger } from './ledger';
import { startDevices, startHttpLoad } from './load';
import { helenPart, listening, mosquittoPart, type Part } from './processes';

export interface ChaosOptions {
  broker: 'aedes' | 'mosquitto';
  durationMs: number;
  devices: number;
  deviceRatePerSec: number;
  httpConcurrency: number;
  /** Deadline of every request (HELEN_API_TIMEOUT_MS of the facade, and the devices' deadline). */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosReport {
  broker: string;
  durationMs: number;
  events: { atMs: number; what: string }[];
  devices: { sent: number; outcomes: Record<string, number>; duplicates: number; late: number; strangers: number };
  http: { sent: number; outcomes: Record<string, number> };
  longestGapMs: number;
  longestGapStartsAtMs: number;
  edgeRequestsAfterBrokerRestart: number;
  checks: Check[];
  ok: boolean;
}

const topics = createTopics('helen/v1');
const EDGE_ID = 'chaos-edge';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const port = await freePort();
  const httpPort = await freePort();
  const mqttUrl = `mqtt://127.0.0.1:${port}`;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const common = { HELEN_MQTT_URL: mqttUrl, HELEN_LOG_LEVEL: 'warn' };

  // The observer: worker statuses, model metadata and the edge's requests, across restarts.
  const status = new Map<string, { state: string; at: number }>();
  let metadata: { seq_len: number; feature_dim: number } | undefined;
  const edgeRequestTimes: number[] = [];

  const broker = o.broker === 'mosquitto'
    ? mosquittoPart(port)
    : helenPart('broker', 'broker', {
      ...common, HELEN_MQTT_PORT: String(port), HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_WS_PORT: 'off',
      HELEN_BROKER_ALLOW_ANONYMOUS: 'true', HELEN_BROKER_METRICS_PORT: 'off',
    }, () => listening(port));
  const workerOnline = async (id: string, since: number): Promise<void> => {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const s = status.get(id);
      if (s?.state === 'online' && s.at >= since) return;
      await sleep(50);
    }
    throw new Error(`worker ${id} did not come online within 60 s`);
  };
  const worker = (id: string): Part => helenPart(id, 'worker', { ...common, HELEN_WORKER_ID: id }, (startedAt) => workerOnline(id, startedAt));
  const w1 = worker('chaos-w1');
  const w2 = worker('chaos-w2');
  const facade = helenPart('api', 'api', { ...common, HELEN_HTTP_PORT: String(httpPort), HELEN_HTTP_HOST: '127.0.0.1', HELEN_API_TIMEOUT_MS: String(o.timeoutMs) },
    async () => { if (!(await waitForHealth(`${httpUrl}/health`, 60_000, () => false))) throw new Error('the facade did not become healthy in 60 s'); });
  const edge = helenPart('edge', 'edge', {
    ...common, HELEN_DEVICE_ID: EDGE_ID, HELEN_EDGE_SOURCE: 'synthetic', HELEN_EDGE_SYNTHETIC_LOOP: 'true',
    HELEN_EDGE_UI_PORT: String(await freePort()), HELEN_EDGE_FALLBACK: 'false', HELEN_EDGE_STATS_INTERVAL: '0',
  }, async () => {
    const until = Date.now() + 60_000;
    while (edgeRequestTimes.length === 0) {
      if (Date.now() > until) throw new Error('the edge sent no request within 60 s');
      await sleep(50);
    }
  });
  const parts = [edge, facade, w1, w2, broker];

  const observer = mqtt.connect(mqttUrl, { reconnectPeriod: 250, connectTimeout: 2000 });
  observer.on('error', () => undefined);
  observer.subscribe([topics.allWorkerStatus(), topics.modelMetadata(), topics.predict(EDGE_ID)], { qos: 0 });
  observer.on('message', (topic, payload) => {
    if (topic === topics.predict(EDGE_ID)) return void edgeRequestTimes.push(Date.now());
    if (topic === topics.modelMetadata()) {
      try { metadata = JSON.parse(payload.toString()) as typeof metadata; } catch { /* not ours to judge */ }
      return;
    }
    const id = topics.parseWorkerStatus(topic);
    if (!id) return;
    let state = 'gone';
    try { state = (JSON.parse(payload.toString()) as { state: string }).state; } catch { /* cleared */ }
    status.set(id, { state, at: Date.now() });
  });

  const events: { atMs: number; what: string }[] = [];
  let t0 = Date.now();
  const note = (what: string) => {
    events.push({ atMs: Date.now() - t0, what });
    o.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
  };

  const deviceLedger = new Ledger();
  const httpLedger = new Ledger();
  let brokerBackAt = Number.POSITIVE_INFINITY;
  let lastFaultEndedAt = Number.POSITIVE_INFINITY;
  try {
    await broker.start();
    await w1.start();
    await facade.start();
    await edge.start();
    while (!metadata) await sleep(50);
    const dims = { seqLen: metadata.seq_len, featureDim: metadata.feature_dim };

    t0 = Date.now();
    note(`load on: ${o.devices} devices x ${o.deviceRatePerSec}/s over MQTT, ${o.httpConcurrency} HTTP clients, broker ${o.broker}`);
    const devices = startDevices(mqttUrl, o.devices, o.deviceRatePerSec, o.timeoutMs, deviceLedger, dims);
    const httpLoad = startHttpLoad(httpUrl, o.httpConcurrency, o.timeoutMs, httpLedger, dims);

    const at = async (fraction: number) => { const wait = t0 + fraction * o.durationMs - Date.now(); if (wait > 0) await sleep(wait); };
    const crash = async (part: Part, downMs: number) => {
      await part.kill('SIGKILL');
      note(`${part.name} killed (SIGKILL)`);
      await sleep(downMs);
      await part.start();
      note(`${part.name} back`);
    };
    await at(0.15);
    await crash(w1, 1000);
    await at(0.35);
    await w2.start();
    note('chaos-w2 joined');
    await at(0.5);
    await crash(broker, 1000);
    brokerBackAt = Date.now();
    await at(0.7);
    await crash(w1, 1000);
    lastFaultEndedAt = Date.now();
    await at(1);
    note('load off; waiting out the last deadlines');
    devices.stopSending();
    await httpLoad.stop();
    await devices.close();
  } finally {
    for (const p of parts) await p.kill('SIGTERM').catch(() => undefined);
    await observer.endAsync(true);
    if ('cleanup' in broker) (broker as { cleanup(): void }).cleanup();
  }

  const end = t0 + o.durationMs;
  const gapDevices = deviceLedger.longestGapMs(t0, end);
  const gapHttp = httpLedger.longestGapMs(t0, end);
  const gap = gapDevices.ms >= gapHttp.ms ? gapDevices : gapHttp;
  const deviceOutcomes = deviceLedger.outcomes();
  const httpOutcomes = httpLedger.outcomes();
  const edgeAfter = edgeRequestTimes.filter((t) => t > brokerBackAt).length;
  const httpAfter = httpLedger.successesSince(brokerBackAt);
  const checks: Check[] = [
    { name: 'every MQTT request has exactly one outcome', ok: deviceLedger.unsettled() === 0 && deviceLedger.strangers === 0,
      detail: `${deviceLedger.total} sent, ${deviceLedger.unsettled()} without outcome, ${deviceLedger.strangers} unknown answers` },
    { name: 'zero duplicate replies', ok: deviceLedger.duplicates === 0, detail: `${deviceLedger.duplicates} duplicates, ${deviceLedger.late} late (after the caller's timeout)` },
    { name: 'every HTTP request answered, none left open', ok: httpLedger.unsettled() === 0 && !httpOutcomes['left-open'],
      detail: `${httpLedger.total} sent, ${httpOutcomes['left-open'] ?? 0} left open` },
    { name: 'no HTTP request failed while it had deadline left (no early 503)', ok: !httpOutcomes['http:503-early'],
      detail: `${httpOutcomes['http:503-early'] ?? 0} early 503, ${httpOutcomes['http:503'] ?? 0} at the deadline` },
    { name: 'the facade reconnected after the broker restart', ok: httpAfter > 0, detail: `${httpAfter} answers after the restart` },
    { name: 'the edge reconnected after the broker restart', ok: edgeAfter > 0, detail: `${edgeAfter} edge requests after the restart` },
    { name: 'answers resumed after the last fault', ok: deviceLedger.successesSince(lastFaultEndedAt) > 0 && httpLedger.successesSince(lastFaultEndedAt) > 0,
      detail: `${deviceLedger.successesSince(lastFaultEndedAt)} MQTT and ${httpLedger.successesSince(lastFaultEndedAt)} HTTP answers after it` },
  ];
  return {
    broker: o.broker,
    durationMs: o.durationMs,
    events,
    devices: { sent: deviceLedger.total, outcomes: deviceOutcomes, duplicates: deviceLedger.duplicates, late: deviceLedger.late, strangers: deviceLedger.strangers },
    http: { sent: httpLedger.total, outcomes: httpOutcomes },
    longestGapMs: gap.ms,
    longestGapStartsAtMs: gap.startsAt - t0,
    edgeRequestsAfterBrokerRestart: edgeAfter,
    checks,
    ok: checks.every((c) => c.ok),
  };
}
