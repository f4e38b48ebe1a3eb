/**
 * Authentication and authorization on the real broker (aedes on an ephemeral port) with real
 * mqtt.js clients and the shipped ACL: CONNACK codes, per-role topic rights, shares, dropped
 * publishes, and the services' own connection pattern (MqttConnection: last will, retained
 * status, checked subscriptions).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type IClientOptions } from 'mqtt';
import { pino } from 'pino';
import { MqttConnection, ServingView, mqttClientSettings } from '@helen/runtime';
import { createTopics } from '@helen/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type HelenBroker } from '../src/broker';
import { loadBrokerAuth } from '../src/auth/index';
import { hashPassword, writeUsersFile, type Role, type ScryptParams } from '../src/auth/users-file';
import { DEFAULT_ACL_FILE } from '../src/config';
import { connectRecorder, settle, subackCodes, type Recorder } from './helpers';

const FAST: ScryptParams = { N: 1024, r: 8, p: 1, keylen: 32 };
const USERS: [string, Role][] = [['pi-a', 'device'], ['pi-b', 'device'], ['worker-1', 'worker'], ['facade', 'api'], ['mon', 'monitor']];
const password = (name: string) => `pw-of-${name}-x9`;
const T = createTopics('helen/v1');

const dir = mkdtempSync(join(tmpdir(), 'helen-auth-'));
const usersFile = join(dir, 'users');
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'debug' }, new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const l of chunk.toString().split('\n')) if (l) logLines.push(JSON.parse(l) as Record<string, unknown>);
    cb();
  },
}));
const rawLog = () => JSON.stringify(logLines);

let broker: HelenBroker;
let url: string;
const clients: mqtt.MqttClient[] = [];
const recorders: Recorder[] = [];

async function startBroker(allowAnonymous: boolean): Promise<{ broker: HelenBroker; url: string }> {
  const hooks = loadBrokerAuth({ usersFile, aclFile: DEFAULT_ACL_FILE, allowAnonymous }, logger);
  const b = createBroker({ port: 0, host: '127.0.0.1', logger, hooks });
  hooks.countWith(b.metrics);
  const { tcpPort } = await b.start();
  return { broker: b, url: `mqtt://127.0.0.1:${tcpPort}` };
}

beforeAll(async () => {
  writeUsersFile(usersFile, await Promise.all(USERS.map(async ([name, role]) => ({ name, role, hash: await hashPassword(password(name), FAST) }))));
  ({ broker, url } = await startBroker(false));
});

afterEach(async () => {
  await Promise.all([...clients.splice(0), ...recorders.splice(0).map((r) => r.client)].map((c) => c.endAsync(true)));
});

afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The CONNACK return code a client gets (0 = accepted). */
function connackCode(target: string, opts: IClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(target, { reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 5000, ...opts });
    const timer = setTimeout(() => { c.end(true); reject(new Error('no CONNACK')); }, 6000);
    // A clean DISCONNECT, so a last will given here is not published.
    c.once('connect', (p) => { clearTimeout(timer); c.end(); resolve(p.returnCode ?? 0); });
    c.once('error', (err) => { clearTimeout(timer); c.end(true); resolve((err as Error & { code: number }).code); });
  });
}

async function as(name: string, opts: IClientOptions = {}): Promise<Recorder> {
  const r = await connectRecorder(url, { username: name, password: password(name), ...opts });
  recorders.push(r);
  return r;
}

describe('authentication', () => {
  it('accepts a known user with the right password', async () => {
    expect(await connackCode(url, { username: 'pi-a', password: password('pi-a') })).toBe(0);
  });

  it('answers CONNACK 4 to a wrong password or an unknown user, logging the name but never the password', async () => {
    expect(await connackCode(url, { username: 'pi-a', password: 'not-the-password-77' })).toBe(4);
    expect(await connackCode(url, { username: 'nobody', password: 'guessed-password-88' })).toBe(4);
    expect(await connackCode(url, { username: 'pi-a' })).toBe(4);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 40, username: 'pi-a', reason: 'wrong password', msg: 'authentication failed' }));
    expect(logLines).toContainEqual(expect.objectContaining({ level: 40, username: 'nobody', reason: 'unknown user' }));
    expect(rawLog()).not.toContain('not-the-password-77');
    expect(rawLog()).not.toContain('guessed-password-88');
  });

  it('answers CONNACK 5 to an anonymous client when anonymous is not allowed', async () => {
    expect(await connackCode(url, {})).toBe(5);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/anonymous connection refused/) }));
  });

  it('answers CONNACK 5 to a last will on a topic the user may not write', async () => {
    const will = (topic: string) => ({ will: { topic, payload: Buffer.from('{"state":"offline"}'), qos: 1 as const, retain: true } });
    expect(await connackCode(url, { username: 'pi-a', password: password('pi-a'), ...will(T.deviceStatus('pi-a')) })).toBe(0);
    expect(await connackCode(url, { username: 'pi-a', password: password('pi-a'), ...will(T.deviceStatus('pi-b')) })).toBe(5);
    expect(await connackCode(url, { username: 'worker-1', password: password('worker-1'), ...will(T.workerStatus('worker-1')) })).toBe(0);
    expect(await connackCode(url, { username: 'worker-1', password: password('worker-1'), ...will(T.workerStatus('worker-2')) })).toBe(5);
  });
});

describe('authorization with the shipped ACL', () => {
  it('device A can neither publish on B\'s topics nor read B\'s predictions or gestures', async () => {
    const mon = await as('mon');
    expect(await subackCodes(mon.client, { 'helen/#': { qos: 1 } })).toEqual({ 'helen/#': 1 });
    const a = await as('pi-a');
    const before = broker.metrics.snapshot();
    const codes = await subackCodes(a.client, {
      [T.predictions('pi-b')]: { qos: 1 },
      [T.gestures('pi-b')]: { qos: 1 },
      'helen/v1/devices/+/predictions': { qos: 1 },
      'helen/#': { qos: 1 },
      [T.predictions('pi-a')]: { qos: 1 },
      [T.modelMetadata()]: { qos: 1 },
      [T.allWorkerStatus()]: { qos: 1 },
    });
    expect(codes).toEqual({
      [T.predictions('pi-b')]: 128, [T.gestures('pi-b')]: 128, 'helen/v1/devices/+/predictions': 128, 'helen/#': 128,
      [T.predictions('pi-a')]: 1, [T.modelMetadata()]: 1, [T.allWorkerStatus()]: 1,
    });

    // Refused publishes are acknowledged (QoS 1 resolves), dropped, and the client stays connected.
    await a.client.publishAsync(T.predict('pi-b'), 'forged request', { qos: 1 });
    await a.client.publishAsync(T.gestures('pi-b'), 'forged gesture', { qos: 0 });
    await a.client.publishAsync(T.deviceStatus('pi-b'), '{"state":"offline"}', { qos: 1, retain: true });
    await a.client.publishAsync(T.modelMetadata(), '{"forged":true}', { qos: 1, retain: true });
    await a.client.publishAsync(T.predict('pi-a'), 'own request', { qos: 1 });
    await waitUntil(() => live(mon).length >= 1);
    await settle();
    expect(a.client.connected).toBe(true);
    expect(live(mon).map((m) => [m.topic, m.payload])).toEqual([[T.predict('pi-a'), 'own request']]);
    expect(logLines).toContainEqual(expect.objectContaining({
      level: 40, username: 'pi-a', topic: T.predict('pi-b'), msg: 'publish denied by ACL: dropped',
    }));
    // Counted for /metrics and $SYS: 4 refused subscriptions, 4 dropped publishes.
    const after = broker.metrics.snapshot();
    expect([after.refused - before.refused, after.dropped - before.dropped]).toEqual([4, 4]);

    // Nothing was retained either.
    const late = await as('mon');
    await late.client.subscribeAsync({ [T.deviceStatus('pi-b')]: { qos: 1 }, [T.modelMetadata()]: { qos: 1 } });
    await settle();
    expect(late.messages).toEqual([]);
  });

  it('a worker may take requests through $share, a device may not', async () => {
    const worker = await as('worker-1');
    expect(await subackCodes(worker.client, { [T.workerPredictSubscription()]: { qos: 1 } })).toEqual({ [T.workerPredictSubscription()]: 1 });
    const a = await as('pi-a');
    expect(await subackCodes(a.client, { '$share/x/helen/v1/devices/+/predict': { qos: 0 } })).toEqual({ '$share/x/helen/v1/devices/+/predict': 128 });
    expect(await subackCodes(a.client, { '$share/x/helen/v1/devices/pi-a/predictions': { qos: 0 } }))
      .toEqual({ '$share/x/helen/v1/devices/pi-a/predictions': 0 });
    expect(Object.keys(broker.shared.snapshot())).toContain(T.workerPredictSubscription());
    expect(Object.keys(broker.shared.snapshot())).not.toContain('$share/x/helen/v1/devices/+/predict');

    // The request/reply round trip within the rules: device -> worker (share) -> device.
    await a.client.subscribeAsync(T.predictions('pi-a'), { qos: 1 });
    await a.client.publishAsync(T.predict('pi-a'), '{"id":"1"}', { qos: 1 });
    await worker.waitFor(1);
    expect(worker.messages[0]?.topic).toBe(T.predict('pi-a'));
    await worker.client.publishAsync(T.predictions('pi-a'), '{"id":"1","prediction":"Inicio"}', { qos: 1 });
    await a.waitFor(1);
    expect(a.messages[0]).toMatchObject({ topic: T.predictions('pi-a') });
  });

  it('a monitor reads everything under helen/ and writes nothing', async () => {
    const mon = await as('mon');
    await mon.client.subscribeAsync('helen/#', { qos: 1 });
    const a = await as('pi-a');
    const b = await as('pi-b');
    const worker = await as('worker-1');
    const facade = await as('facade');
    await a.client.publishAsync(T.gestures('pi-a'), '{"gesture":"Inicio"}', { qos: 1 });
    await b.client.publishAsync(T.predict('pi-b'), 'req-b', { qos: 1 });
    await worker.client.publishAsync(T.apiReplies('api-1'), 'reply', { qos: 1 });
    await facade.client.publishAsync(T.predict('http-api'), 'req-api', { qos: 1 });
    await mon.client.publishAsync(T.predict('pi-a'), 'monitor may not write', { qos: 1 });
    await waitUntil(() => live(mon).length >= 4);
    await settle();
    expect(live(mon).map((m) => m.topic).sort()).toEqual([T.apiReplies('api-1'), T.gestures('pi-a'), T.predict('http-api'), T.predict('pi-b')].sort());
    expect(await subackCodes(mon.client, { '#': { qos: 0 }, '$SYS/#': { qos: 0 } })).toEqual({ '#': 128, '$SYS/#': 128 });
  });

  it('the services\' own connections (status + last will, checked subscriptions, retained metadata) work', async () => {
    const settings = (name: string) => mqttClientSettings.with({ url, username: name, password: password(name) });
    const quiet = pino({ level: 'silent' });
    const worker = new MqttConnection({
      settings: settings('worker-1'), clientId: 'helen-worker-worker-1', log: quiet, protocolVersion: 4,
      status: { topic: T.workerStatus('worker-1'), body: () => ({ id: 'worker-1', role: 'worker' }) },
    });
    worker.onConnect(async () => { await worker.publishAsync(T.modelMetadata(), '{"model":"m"}', 1, true); });
    worker.keepSubscribed(T.workerPredictSubscription(), 1);
    const requests: string[] = [];
    worker.onMessage((topic, payload) => {
      requests.push(topic);
      const reply = JSON.parse(payload.toString()) as { reply_to: string };
      worker.publish(reply.reply_to, '{"ok":true}', 1);
    });

    const facade = new MqttConnection({ settings: settings('facade'), clientId: 'helen-api-1', log: quiet });
    const view = new ServingView(facade, T, quiet);
    facade.keepSubscribed(T.apiReplies('api-1'), 1);
    const facadeGot: string[] = [];
    facade.onMessage((topic) => facadeGot.push(topic));

    const device = new MqttConnection({
      settings: settings('pi-a'), clientId: 'helen-edge-pi-a-1', log: quiet,
      status: { topic: T.deviceStatus('pi-a'), body: () => ({ id: 'pi-a', role: 'device' }) },
    });
    new ServingView(device, T, quiet);
    device.keepSubscribed(T.predictions('pi-a'), 0);
    const deviceGot: string[] = [];
    device.onMessage((topic) => deviceGot.push(topic));

    try {
      await worker.connect();
      await facade.connect();
      await device.connect();
      await waitUntil(() => view.onlineIds().includes('worker-1') && facadeGot.includes(T.modelMetadata()));
      expect(deviceGot).toContain(T.modelMetadata());
      facade.publish(T.predict('http-api'), JSON.stringify({ reply_to: T.apiReplies('api-1') }), 1);
      device.publish(T.predict('pi-a'), JSON.stringify({ reply_to: T.predictions('pi-a') }), 0);
      device.publish(T.gestures('pi-a'), '{"gesture":"Inicio"}', 1);
      await waitUntil(() => facadeGot.includes(T.apiReplies('api-1')) && deviceGot.includes(T.predictions('pi-a')));
      expect(requests.sort()).toEqual([T.predict('http-api'), T.predict('pi-a')]);
      expect(logLines.filter((l) => l.msg === 'publish denied by ACL: dropped' && l.username !== 'pi-a' && l.username !== 'mon')).toEqual([]);
    } finally {
      await Promise.all([device.stop(), facade.stop(), worker.stop()]);
    }
  });
});

describe('anonymous allowed (development)', () => {
  it('gives anonymous clients full access but still checks passwords, and says so in the log', async () => {
    const dev = await startBroker(true);
    try {
      expect(logLines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/HELEN_BROKER_ALLOW_ANONYMOUS=true/) }));
      expect(await connackCode(dev.url, { username: 'pi-a', password: 'wrong-password' })).toBe(4);
      const anon = await connectRecorder(dev.url);
      recorders.push(anon);
      expect(await subackCodes(anon.client, { '#': { qos: 0 }, '$helen-denied/#': { qos: 0 } })).toEqual({ '#': 0, '$helen-denied/#': 128 });
      await anon.client.publishAsync('anything/at/all', 'x', { qos: 1 });
      await waitUntil(() => anon.messages.some((m) => m.topic === 'anything/at/all'));
      // A registered user is still bound by the ACL.
      const a = await connectRecorder(dev.url, { username: 'pi-a', password: password('pi-a') });
      recorders.push(a);
      await a.client.publishAsync(T.predict('pi-b'), 'forged', { qos: 1 });
      await settle();
      // (`#` here also brings the broker's $SYS topics, when it publishes them.)
      expect(anon.messages.map((m) => m.topic).filter((t) => !t.startsWith('$'))).toEqual(['anything/at/all']);
    } finally {
      await dev.broker.stop();
    }
  });
});

/** What arrived live (retained messages from earlier tests left out). */
function live(r: Recorder) {
  return r.messages.filter((m) => !m.retain);
}

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await settle(20);
  }
}

describe('reload (SIGHUP in helen broker)', () => {
  it('takes a new users file and ACL for later connections and checks, and keeps both when a file is bad', async () => {
    const reloadDir = mkdtempSync(join(tmpdir(), 'helen-auth-reload-'));
    const file = join(reloadDir, 'users');
    const aclFile = join(reloadDir, 'acl');
    writeFileSync(aclFile, 'role device\npattern write helen/v1/devices/%u/predict\n');
    writeUsersFile(file, [{ name: 'pi-old', role: 'device', hash: await hashPassword('old-pw', FAST) }]);
    const auth = loadBrokerAuth({ usersFile: file, aclFile, allowAnonymous: false }, logger);
    const b = createBroker({ port: 0, host: '127.0.0.1', logger, hooks: auth });
    const target = `mqtt://127.0.0.1:${(await b.start()).tcpPort}`;
    try {
      expect(await connackCode(target, { username: 'pi-new', password: 'new-pw' })).toBe(4);
      writeUsersFile(file, [{ name: 'pi-new', role: 'device', hash: await hashPassword('new-pw', FAST) }]);
      writeFileSync(aclFile, 'role device\npattern write helen/v1/devices/%u/predict\npattern read helen/v1/devices/%u/predictions\n');
      expect(auth.reload()).toBe(true);
      expect(await connackCode(target, { username: 'pi-new', password: 'new-pw' })).toBe(0);
      expect(await connackCode(target, { username: 'pi-old', password: 'old-pw' })).toBe(4);
      const r = await connectRecorder(target, { username: 'pi-new', password: 'new-pw' });
      recorders.push(r);
      expect(await subackCodes(r.client, { [T.predictions('pi-new')]: { qos: 0 } })).toEqual({ [T.predictions('pi-new')]: 0 });

      writeFileSync(file, 'this is not a users file\n');
      expect(auth.reload()).toBe(false);
      expect(logLines).toContainEqual(expect.objectContaining({ level: 50, msg: 'reload refused: keeping the users file and ACL in force' }));
      expect(await connackCode(target, { username: 'pi-new', password: 'new-pw' })).toBe(0);
    } finally {
      await b.stop();
      rmSync(reloadDir, { recursive: true, force: true });
    }
  });
});
