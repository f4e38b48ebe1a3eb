/**
 * MQTT figures through a real aedes broker (in this process) and the real worker (its own
 * process, `helen worker`), once per process layout (HELEN_WORKER_INFERENCE_THREAD):
 *   1. round trip at concurrency 1 (p50/p99);
 *   2. closed-loop throughput at concurrency 32 (requests/s, p50/p99);
 *   3. responsiveness under that load: round trip of an invalid request (answered without
 *      inference) probed every 20 ms while the 32 requesters keep the model busy.
 *   [BENCH_QOS=1] [BENCH_LAYOUTS=main,worker-thread] npx tsx inference-worker/bench/mqtt.ts [seconds-per-phase]
 */
import { createBroker } from '@helen/broker';
import mqtt from 'mqtt';
import { createTopics, decodeReply, encodeRequestBinary, type FeatureSequence } from '@helen/schemas';
import { spawnWorkerProcess } from '../src/testing';
import { ms, summary } from './stats';

const seconds = Number(process.argv[2] ?? 5);
// Request QoS (BENCH_QOS=1 is what the HTTP facade sends). Bench-only knob, not a service setting.
const qos = (Number(process.env.BENCH_QOS ?? 0) === 1 ? 1 : 0) as 0 | 1;
const topics = createTopics();
const F = 84;
const T = 30;
const seq: FeatureSequence = { frames: T, featureDim: F, data: new Float32Array(T * F).map(() => Math.random()) };

const broker = createBroker({ port: 0, host: '127.0.0.1' });
const { tcpPort } = await broker.start();
const url = `mqtt://127.0.0.1:${tcpPort}`;

async function measure(layout: 'main' | 'worker-thread'): Promise<void> {
  const proc = spawnWorkerProcess({ HELEN_MQTT_URL: url, HELEN_WORKER_ID: `bench-${layout}`, HELEN_WORKER_INFERENCE_THREAD: layout, HELEN_LOG_LEVEL: 'info' });
  await proc.ready;
  const client = await mqtt.connectAsync(url, { protocolVersion: 4 });
  // The requester's own Nagle delay would otherwise hide the worker's figures at QoS 1.
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  const replyTo = topics.apiReplies('bench');
  const waiting = new Map<string, (err: boolean) => void>();
  client.on('message', (_t, payload) => {
    const reply = decodeReply(payload);
    waiting.get(reply.id)?.('error' in reply);
    waiting.delete(reply.id);
  });
  await client.subscribeAsync(replyTo, { qos: 1 });
  let n = 0;
  const request = (): Promise<number> => {
    const id = `r${n++}`;
    const body = encodeRequestBinary({ id, reply_to: replyTo, deadline: Date.now() + 10_000 }, seq, 'f16');
    const t0 = performance.now();
    return new Promise<number>((resolve) => {
      waiting.set(id, () => resolve(performance.now() - t0));
      client.publish(topics.predict('bench'), body, { qos });
    });
  };
  // Probes carry their own id in the payload; the worker answers them without inference.
  const probe = (): Promise<number> => {
    const id = `p${n++}`;
    const t0 = performance.now();
    return new Promise<number>((resolve) => {
      waiting.set(id, () => resolve(performance.now() - t0));
      client.publish(topics.predict('bench'), JSON.stringify({ v: 1, id, reply_to: replyTo, deadline: Date.now() + 10_000, sequence: [[1]] }), { qos: 0 });
    });
  };

  for (let i = 0; i < 50; i++) await request();
  const c1: number[] = [];
  const end1 = performance.now() + seconds * 1000;
  while (performance.now() < end1) c1.push(await request());

  const c32: number[] = [];
  const probes: number[] = [];
  const end2 = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const loops = Array.from({ length: 32 }, async () => {
    while (performance.now() < end2) c32.push(await request());
  });
  const prober = (async () => {
    while (performance.now() < end2) {
      probes.push(await probe());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await Promise.all([...loops, prober]);
  const elapsed = (performance.now() - t0) / 1000;

  const s1 = summary(c1);
  const s32 = summary(c32);
  const sp = summary(probes);
  console.log(`${layout.padEnd(13)} c=1  round trip: p50 ${ms(s1.p50)}  p99 ${ms(s1.p99)}  (${s1.n} requests)`);
  console.log(`${layout.padEnd(13)} c=32 throughput: ${(c32.length / elapsed).toFixed(0)} req/s  p50 ${ms(s32.p50)}  p99 ${ms(s32.p99)}`);
  console.log(`${layout.padEnd(13)} c=32 invalid-request probe (no inference): p50 ${ms(sp.p50)}  p99 ${ms(sp.p99)}  (${sp.n} probes)`);
  await client.endAsync();
  const code = await proc.stop('SIGTERM');
  if (code !== 0) console.log(`worker exit code ${code}`);
}

console.log(`aedes in-process on ${url}; worker: own process; T=${T} f16 binary requests, QoS ${qos}; ${seconds} s per phase`);
const layouts = (process.env.BENCH_LAYOUTS ?? 'main,worker-thread').split(',') as ('main' | 'worker-thread')[];
for (const layout of layouts) await measure(layout);
await broker.stop();
