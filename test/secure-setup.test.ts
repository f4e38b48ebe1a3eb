/**
 * The documented secure setup (README "Secure setup"), as processes: a users file made with
 * `helen broker users add`, the shipped ACL, a TLS listener with a throwaway CA, then `helen
 * broker`, `helen worker` and `helen api` connecting over mqtts:// with their own users, and
 * an edge device (the edge's own MQTT link and predictor) asking for predictions as `pi1`.
 * Also what must not work: a wrong password, and one device reading another's predictions.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttLink, MqttPredictor } from '@helen/edge-publisher';
import { freePort, mqttClientSettings } from '@helen/runtime';
import { makeCa, makeCert, haveOpenssl, postJson, request, waitFor } from '@helen/runtime/testing';

const HELEN = fileURLToPath(new URL('../bin/helen.mjs', import.meta.url));
const PASSWORDS: Record<string, string> = { pi1: 'pi1-pass-1', pi2: 'pi2-pass-2', w1: 'worker-pass', api: 'facade-pass' };

function addUser(usersFile: string, name: string, role: string): void {
  const out = spawnSync(process.execPath, [HELEN, 'broker', 'users', 'add', name, '--role', role, '--file', usersFile], {
    input: `${PASSWORDS[name]}\n`, encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`users add ${name}: ${out.stderr}`);
}

if (!haveOpenssl) console.warn('openssl not installed: skipping the secure setup test');

describe.skipIf(!haveOpenssl)('secure setup: users file + ACL + TLS, the whole path', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  let mqttsUrl: string;
  let httpUrl: string;
  const logs: string[] = [];

  function start(command: string, env: Record<string, string>): void {
    const child = spawn(process.execPath, [HELEN, command], { env: { ...process.env, HELEN_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => logs.push(`${command}: ${d.toString()}`));
    child.stderr?.on('data', (d: Buffer) => logs.push(`${command} (stderr): ${d.toString()}`));
    children.push(child);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'helen-secure-'));
    makeCa(dir, 'ca');
    makeCert(dir, 'ca', 'broker');
    const usersFile = join(dir, 'users');
    addUser(usersFile, 'pi1', 'device');
    addUser(usersFile, 'pi2', 'device');
    addUser(usersFile, 'w1', 'worker');
    addUser(usersFile, 'api', 'api');
    const [plainPort, tlsPort, httpPort] = [await freePort(), await freePort(), await freePort()];
    mqttsUrl = `mqtts://127.0.0.1:${tlsPort}`;
    httpUrl = `http://127.0.0.1:${httpPort}`;
    start('broker', {
      HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_PORT: String(plainPort), HELEN_MQTT_WS_PORT: 'off',
      HELEN_MQTT_TLS_PORT: String(tlsPort), HELEN_BROKER_TLS_CERT_FILE: join(dir, 'broker.pem'), HELEN_BROKER_TLS_KEY_FILE: join(dir, 'broker.key'),
      HELEN_BROKER_USERS_FILE: usersFile, HELEN_BROKER_ALLOW_ANONYMOUS: 'false',
    });
    const client = { HELEN_MQTT_URL: mqttsUrl, HELEN_MQTT_CA_FILE: join(dir, 'ca.pem') };
    start('worker', { ...client, HELEN_WORKER_ID: 'w1', HELEN_MQTT_USERNAME: 'w1', HELEN_MQTT_PASSWORD: PASSWORDS.w1 as string, HELEN_WORKER_INFERENCE_THREAD: 'main' });
    start('api', { ...client, HELEN_HTTP_HOST: '127.0.0.1', HELEN_HTTP_PORT: String(httpPort), HELEN_MQTT_USERNAME: 'api', HELEN_MQTT_PASSWORD: PASSWORDS.api as string });
    await waitFor('the facade answering /health over the secure broker', async () => {
      const res = await request(`${httpUrl}/health`).catch(() => undefined);
      return res?.status === 200 ? res : undefined;
    }, 60_000, 200).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${logs.join('')}`);
    });
  }, 90_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the facade answers /predict through the TLS broker with its own user', async () => {
    const res = await postJson(`${httpUrl}/predict`, { sequence: Array.from({ length: 30 }, () => Array(84).fill(0.5)), mask: Array(30).fill([1, 1]) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ worker: 'w1' });
  });

  it('a device gets its predictions over mqtts:// as itself', async () => {
    const log = pino({ level: 'silent' });
    const link = new MqttLink({
      settings: mqttClientSettings.with({ url: mqttsUrl, caFile: join(dir, 'ca.pem'), username: 'pi1', password: PASSWORDS.pi1 }),
      topicPrefix: 'helen/v1', deviceId: 'pi1',
    }, log);
    const predictor = new MqttPredictor(link, { deviceId: 'pi1', encoding: 'f16', maxInFlight: 4, timeoutMs: 5000 }, log);
    link.start();
    try {
      await link.waitForMetadata(10_000);
      await waitFor('a worker online', () => (link.workersOnline ? true : undefined), 10_000);
      const data = new Float32Array(30 * 84).fill(0.5);
      const outcome = await predictor.predict({ frames: 30, featureDim: 84, data, mask: new Float32Array(60).fill(1) }, Date.now());
      expect(outcome.kind).toBe('result');
    } finally {
      await link.stop();
    }
  });

  it('refuses a wrong password, and one device reading another device\'s predictions', async () => {
    const ca = join(dir, 'ca.pem');
    const tls = { ca: readFileSync(ca), reconnectPeriod: 0 };
    await expect(mqtt.connectAsync(mqttsUrl, { ...tls, username: 'pi1', password: 'wrong' })).rejects.toThrow(/Bad username or password|Not authorized/);
    const pi2 = await mqtt.connectAsync(mqttsUrl, { ...tls, clientId: 'pi2-spy', username: 'pi2', password: PASSWORDS.pi2 });
    try {
      await expect(pi2.subscribeAsync('helen/v1/devices/pi1/predictions', { qos: 0 })).rejects.toThrow();
      const own = await pi2.subscribeAsync('helen/v1/devices/pi2/predictions', { qos: 0 });
      expect(own[0]?.qos).toBe(0);
    } finally {
      await pi2.endAsync();
    }
  });
});
