/**
 * Rough throughput of a shared subscription vs a normal one, on our aedes broker and on
 * Mosquitto (when installed): one publisher, two subscribers. Not a gate; numbers for notes.
 *   npx tsx broker/bench/shared.ts [messages]
 */
import mqtt from 'mqtt';
import { brokerKinds, startTestBroker } from '../src/testing';

const N = Number(process.argv[2] ?? 20000);

async function run(url: string, mode: 'shared' | 'normal', qos: 0 | 1): Promise<number> {
  const topic = `bench/${mode}/${qos}`;
  const filter = mode === 'shared' ? `$share/g/${topic}` : topic;
  const subs = await Promise.all([0, 1].map(() => mqtt.connectAsync(url, { reconnectPeriod: 0 })));
  const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const expected = mode === 'shared' ? N : 2 * N;
  let received = 0;
  const done = new Promise<void>((resolve) => {
    for (const s of subs) s.on('message', () => { if (++received === expected) resolve(); });
  });
  for (const s of subs) await s.subscribeAsync(filter, { qos });
  const t0 = performance.now();
  const payload = Buffer.alloc(64);
  // Windows of 100 in flight, so QoS 0 does not just fill the socket buffer.
  for (let i = 0; i < N; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, N - i) }, () => pub.publishAsync(topic, payload, { qos })));
  }
  await done;
  const ms = performance.now() - t0;
  await Promise.all([...subs, pub].map((c) => c.endAsync()));
  return Math.round(N / (ms / 1000));
}

for (const kind of brokerKinds()) {
  const broker = await startTestBroker(kind);
  for (const qos of [0, 1] as const) {
    const normal = await run(broker.url, 'normal', qos);
    const shared = await run(broker.url, 'shared', qos);
    console.log(`${kind} qos${qos}: published msg/s normal(2 subscribers) ${normal}  shared(2 members) ${shared}`);
  }
  await broker.stop();
}
