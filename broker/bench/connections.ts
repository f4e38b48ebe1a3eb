/**
 * Many simultaneous authenticated connections on one broker process: `helen broker` with a
 * users file (scrypt) and the shipped ACL, N mqtt.js clients from this process, each logging in
 * as one of 10 device users with its own client id and subscribing to its own predictions.
 * Prints the broker's resident memory idle and with every client connected, the time to get
 * them all in (every CONNECT pays one scrypt check), and the broker's CPU time.
 *
 *   npx tsx broker/bench/connections.ts [connections=1000] [parallel=50]
 *
 * The per-address connection rate limit is turned off here (every client comes from 127.0.0.1).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort, waitForTcp } from '@helen/runtime';
import { hashPassword, writeUsersFile } from '../src/auth/users-file';

const total = Number(process.argv[2] ?? 1000);
const parallel = Number(process.argv[3] ?? 50);
const USERS = 10;
const HELEN = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
}

const dir = mkdtempSync(join(tmpdir(), 'helen-conn-bench-'));
const usersFile = join(dir, 'users');
const names = Array.from({ length: USERS }, (_, i) => `bench-pi-${i}`);
writeUsersFile(usersFile, await Promise.all(names.map(async (name) => ({ name, role: 'device' as const, hash: await hashPassword(`pw-${name}`) }))));
const port = await freePort();
const broker = spawn(process.execPath, [HELEN, 'broker'], {
  env: {
    ...process.env, HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_PORT: String(port), HELEN_MQTT_WS_PORT: 'off',
    HELEN_BROKER_USERS_FILE: usersFile, HELEN_BROKER_CONNECTION_RATE: '0', HELEN_LOG_LEVEL: 'warn', HELEN_BROKER_SYS_INTERVAL: '0',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const clients: MqttClient[] = [];
try {
  if (!(await waitForTcp(port, 30_000, () => false))) throw new Error('broker did not start');
  await new Promise((r) => setTimeout(r, 1000));
  const pid = broker.pid as number;
  const idle = { rssMb: rssMb(pid), cpuS: cpuSeconds(pid) };
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  async function connectOne(i: number): Promise<void> {
    const name = names[i % USERS] as string;
    try {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: `bench-${i}`, username: name, password: `pw-${name}`, reconnectPeriod: 0, keepalive: 60, connectTimeout: 60_000,
      });
      await c.subscribeAsync(`helen/v1/devices/${name}/predictions`, { qos: 0 });
      clients.push(c);
    } catch {
      failed++;
    }
  }
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < total) await connectOne(next++);
  }));
  const connectS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 3000));
  const held = { rssMb: rssMb(pid), cpuS: cpuSeconds(pid) };
  console.log(JSON.stringify({
    connections: clients.length, failed, parallel, connectSeconds: Math.round(connectS * 10) / 10,
    connectsPerSecond: Math.round(clients.length / connectS), brokerRssIdleMb: idle.rssMb, brokerRssHeldMb: held.rssMb,
    brokerCpuSecondsForConnects: Math.round((held.cpuS - idle.cpuS) * 100) / 100,
  }));
} finally {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  broker.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
