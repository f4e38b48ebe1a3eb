/**
 * Memory over time (issue 14): the broker, one worker, the facade and a synthetic edge under a
 * steady load (MQTT devices + HTTP clients) for `--minutes` (default 10), printing each
 * process's resident memory every `--every` seconds (default 30). Growth after warm-up must be
 * flat. Not in CI.
 *   npx tsx test/chaos/soak.ts [--minutes 10] [--every 30] [--rate 20] [--http 4]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { freePort, waitForHealth } from '@helen/runtime';
import { createTopics } from '@helen/schemas';
import { Ledger } from './ledger';
import { startDevices, startHttpLoad } from './load';
import { helenPart, listening } from './processes';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    every: { type: 'string', default: '30' },
    rate: { type: 'string', default: '20' },
    http: { type: 'string', default: '4' },
  },
});
const minutes = Number(values.minutes);
const everyMs = Number(values.every) * 1000;
const topics = createTopics('helen/v1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a pid in MB, from /proc (Linux). */
function rssMb(pid: number | undefined): string {
  if (pid === undefined) return '-';
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? (Number(kb) / 1024).toFixed(1) : '?';
}

const port = await freePort();
const httpPort = await freePort();
const mqttUrl = `mqtt://127.0.0.1:${port}`;
const httpUrl = `http://127.0.0.1:${httpPort}`;
const common = { HELEN_MQTT_URL: mqttUrl, HELEN_LOG_LEVEL: 'warn' };
const broker = helenPart('broker', 'broker', { ...common, HELEN_MQTT_PORT: String(port), HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_WS_PORT: 'off', HELEN_BROKER_ALLOW_ANONYMOUS: 'true' }, () => listening(port));
const worker = helenPart('worker', 'worker', { ...common, HELEN_WORKER_ID: 'soak-w1' }, async () => undefined);
const facade = helenPart('api', 'api', { ...common, HELEN_HTTP_PORT: String(httpPort), HELEN_HTTP_HOST: '127.0.0.1' },
  async () => { if (!(await waitForHealth(`${httpUrl}/health`, 120_000, () => false))) throw new Error('the facade did not become healthy'); });
const edge = helenPart('edge', 'edge', {
  ...common, HELEN_DEVICE_ID: 'soak-edge', HELEN_EDGE_SOURCE: 'synthetic', HELEN_EDGE_SYNTHETIC_LOOP: 'true',
  HELEN_EDGE_UI_PORT: String(await freePort()), HELEN_EDGE_STATS_INTERVAL: '0',
}, async () => undefined);
const parts = [broker, worker, facade, edge];

let metadata: { seq_len: number; feature_dim: number } | undefined;
const observer = mqtt.connect(mqttUrl, { reconnectPeriod: 250 });
observer.on('error', () => undefined);
try {
  await broker.start();
  observer.subscribe(topics.modelMetadata());
  observer.on('message', (_t, payload) => { metadata = JSON.parse(payload.toString()) as typeof metadata; });
  await worker.start();
  await facade.start();
  while (!metadata) await sleep(50);
  await edge.start();
  const devices = new Ledger();
  const http = new Ledger();
  const dims = { seqLen: metadata.seq_len, featureDim: metadata.feature_dim };
  const fleet = startDevices(mqttUrl, 2, Number(values.rate), 3000, devices, dims);
  const load = startHttpLoad(httpUrl, Number(values.http), 3000, http, dims);
  console.log(`soak: ${minutes} min, 2 devices x ${values.rate}/s over MQTT, ${values.http} HTTP clients, synthetic edge; RSS in MB every ${values.every} s`);
  console.log('| t (s) | broker | worker | facade | edge | MQTT answered | HTTP answered |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const t0 = Date.now();
  for (let t = 0; t <= minutes * 60_000; t += everyMs) {
    await sleep(Math.max(0, t0 + t - Date.now()));
    const o = devices.outcomes();
    const h = http.outcomes();
    console.log(`| ${Math.round((Date.now() - t0) / 1000)} | ${parts.map((p) => rssMb(p.pid)).join(' | ')} | ${o.reply ?? 0} | ${h['http:200'] ?? 0} |`);
  }
  fleet.stopSending();
  await load.stop();
  await fleet.close();
  console.log(`outcomes: MQTT ${JSON.stringify(devices.outcomes())}, HTTP ${JSON.stringify(http.outcomes())}`);
} finally {
  for (const p of parts.reverse()) await p.kill('SIGTERM');
  await observer.endAsync(true);
}
