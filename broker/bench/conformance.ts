/**
 * Cost of the MQTT 3.1.1 conformance checks (src/protocol/conformance.ts, delivery.ts): N QoS 0 and N QoS 1
 * messages, one publisher and one subscriber (mqtt.js, same process), through our broker with
 * the checks on and off, alternating rounds; prints the median msg/s and µs/msg per case, then
 * the cost of checkPacket() alone on a PUBLISH. Not a gate; numbers for notes.
 *   npx tsx broker/bench/conformance.ts [messages] [rounds]
 */
import mqtt from 'mqtt';
import { createBroker } from '../src/broker';
import { checkPacket } from '../src/protocol/conformance';
import { grantedQos } from '../src/protocol/delivery';

const N = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 5);

async function run(checks: boolean, qos: 0 | 1): Promise<number> {
  const broker = createBroker({ port: 0, host: '127.0.0.1', conformanceChecks: checks });
  const { tcpPort } = await broker.start();
  const url = `mqtt://127.0.0.1:${tcpPort}`;
  const sub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const topic = `bench/conformance/${qos}`;
  let received = 0;
  const done = new Promise<void>((resolve) => sub.on('message', () => { if (++received === N) resolve(); }));
  await sub.subscribeAsync(topic, { qos });
  const payload = Buffer.alloc(64);
  const t0 = performance.now();
  // Windows of 100 in flight, so QoS 0 does not just fill the socket buffer.
  for (let i = 0; i < N; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, N - i) }, () => pub.publishAsync(topic, payload, { qos })));
  }
  await done;
  const ms = performance.now() - t0;
  await Promise.all([sub, pub].map((c) => c.endAsync()));
  await broker.stop();
  return N / (ms / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await run(true, 0); // warm-up
for (const qos of [0, 1] as const) {
  const on: number[] = [];
  const off: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await run(false, qos));
    on.push(await run(true, qos));
  }
  const [a, b] = [median(off), median(on)];
  console.log(`qos${qos}: checks off ${Math.round(a)} msg/s (${(1e6 / a).toFixed(1)} µs/msg)  ` +
    `checks on ${Math.round(b)} msg/s (${(1e6 / b).toFixed(1)} µs/msg)  ` +
    `difference ${(((1e6 / b) - (1e6 / a))).toFixed(2)} µs/msg (${(((a - b) / a) * 100).toFixed(1)} % of throughput; ` +
    `per-round off ${off.map(Math.round).join('/')}, on ${on.map(Math.round).join('/')})`);
}

// The check alone, on a decoded PUBLISH as mqtt-packet hands it over.
const packet = { cmd: 'publish', length: 100, qos: 1, dup: false, messageId: 7, topic: 'helen/v1/devices/dev1/predict' };
const raw = Buffer.alloc(0);
let sink = 0;
const M = 5_000_000;
for (let i = 0; i < M; i++) if (checkPacket(packet, raw)) sink++;
const t0 = process.hrtime.bigint();
for (let i = 0; i < M; i++) if (checkPacket(packet, raw)) sink++;
const ns = Number(process.hrtime.bigint() - t0) / M;
console.log(`checkPacket(PUBLISH) alone: ${ns.toFixed(1)} ns/packet${sink ? ' (unexpected refusal)' : ''}`);

// The delivery fix's walk (src/protocol/delivery.ts) for a subscriber with three filters.
const subscriptions = { 'helen/v1/devices/dev1/predictions': { qos: 1 }, 'helen/v1/workers/+/status': { qos: 1 }, 'helen/v1/models/#': { qos: 1 } };
let granted = 0;
for (let i = 0; i < M; i++) granted += grantedQos(subscriptions, 'helen/v1/devices/dev1/predictions') ?? 0;
const t1 = process.hrtime.bigint();
for (let i = 0; i < M; i++) granted += grantedQos(subscriptions, 'helen/v1/devices/dev1/predictions') ?? 0;
const nsGranted = Number(process.hrtime.bigint() - t1) / M;
console.log(`grantedQos(3 subscriptions) alone: ${nsGranted.toFixed(1)} ns/delivery${granted === 2 * M ? '' : ' (unexpected result)'}`);
