/**
 * Cost of the limits (packet-size parser hook, queued-bytes write check, admission) and of
 * TLS: one publisher, one subscriber, 64-byte QoS 0 messages, on our broker with the default
 * limits vs all limits off, over mqtt:// and mqtts://. Not a gate; numbers for notes.
 *   npx tsx broker/bench/limits.ts [messages] [rounds]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createBroker } from '../src/broker';
import type { BrokerLimits } from '../src/limits';

const N = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 3);
const OFF: BrokerLimits = { maxPacketBytes: 0, maxConnections: 0, connectionRatePerSec: 0, connectionBurst: 1, maxKeepaliveS: 0, maxQueuedBytes: 0, maxRetained: 0 };

const dir = mkdtempSync(join(tmpdir(), 'helen-bench-tls-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
  '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });

async function run(url: string, opts: mqtt.IClientOptions): Promise<number> {
  const sub = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
  const pub = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
  let received = 0;
  const done = new Promise<void>((resolve) => sub.on('message', () => { if (++received === N) resolve(); }));
  await sub.subscribeAsync('bench/limits');
  const payload = Buffer.alloc(64);
  const t0 = performance.now();
  for (let i = 0; i < N; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, N - i) }, () => pub.publishAsync('bench/limits', payload)));
  }
  await done;
  const ms = performance.now() - t0;
  await Promise.all([sub.endAsync(), pub.endAsync()]);
  return Math.round(N / (ms / 1000));
}

for (const [name, limits] of [['limits off', OFF], ['default limits', undefined], ['limits off', OFF], ['default limits', undefined]] as const) {
  const broker = createBroker({ port: 0, host: '127.0.0.1', limits, conformanceChecks: false, sysIntervalMs: 0,
    tls: { port: 0, certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), watchIntervalMs: 0 } });
  const { tcpPort, tlsPort } = await broker.start();
  const tcp: number[] = [];
  const tls: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    tcp.push(await run(`mqtt://127.0.0.1:${tcpPort}`, {}));
    tls.push(await run(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(join(dir, 'cert.pem')) }));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${name.padEnd(15)} mqtt:// ${median(tcp)} msg/s   mqtts:// ${median(tls)} msg/s   (median of ${ROUNDS})`);
  await broker.stop();
}
rmSync(dir, { recursive: true, force: true });
