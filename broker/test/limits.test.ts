/**
 * The broker's resource limits on a real broker with real clients: packet size, simultaneous
 * connections, connection rate per address, keepalive, queued bytes of a slow consumer and
 * the number of retained topics. Each refusal must also leave a warn log line.
 */
import { connect as netConnect, type Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@helen/runtime';
import { createBroker, type BrokerConfig, type HelenBroker } from '../src/broker';
import { DEFAULT_LIMITS } from '../src/limits';
import { loadBrokerConfig } from '../src/config';
import { capturedLog, waitUntil } from './certs';
import { packet, str, varint } from './conformance/raw-client';

const brokers: HelenBroker[] = [];
const clients: MqttClient[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

async function start(limits: BrokerConfig['limits'], extra: Partial<BrokerConfig> = {}) {
  const cap = capturedLog();
  const broker = createBroker({ port: 0, host: '127.0.0.1', logger: cap.log, limits, ...extra });
  brokers.push(broker);
  const { tcpPort, wsPort } = await broker.start();
  const warnings = (msg: RegExp) => cap.lines().filter((l) => l.level === 40 && msg.test(l.msg));
  return { broker, url: `mqtt://127.0.0.1:${tcpPort}`, wsUrl: `ws://127.0.0.1:${wsPort}`, port: tcpPort, warnings };
}

let seq = 0;
/** Connects; resolves with whether CONNACK 0 came (else the error or 'closed'). */
function attempt(url: string, opts: IClientOptions = {}): Promise<{ client: MqttClient; connected: boolean; reason: string }> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, clientId: `lim-${process.pid}-${++seq}`, ...opts });
  clients.push(client);
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ client, connected: true, reason: '' }));
    client.once('error', (err) => resolve({ client, connected: false, reason: err.message }));
    client.once('close', () => resolve({ client, connected: false, reason: 'closed' }));
  });
}

async function connected(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const r = await attempt(url, opts);
  if (!r.connected) throw new Error(`not connected: ${r.reason}`);
  return r.client;
}

const connectPacket = (clientId: string) => packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 60]), str(clientId)]));
const subscribePacket = (topic: string) => packet(0x82, Buffer.concat([Buffer.from([0, 1]), str(topic), Buffer.from([0])]));

/** A raw TCP socket; `closed` resolves when the broker (or anyone) closes it. */
function rawSocket(port: number): Promise<{ socket: Socket; closed: Promise<void>; received: () => Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    sockets.push(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, closed, received: () => Buffer.concat(chunks) }));
    socket.once('error', reject);
  });
}

const within = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('maximum packet size', () => {
  it('closes a connection that sends a bigger packet, and logs it; smaller ones pass', async () => {
    const { url, warnings } = await start({ maxPacketBytes: 1024, maxQueuedBytes: 4096 });
    const sub = await connected(url);
    await sub.subscribeAsync('lim/size');
    const got: string[] = [];
    sub.on('message', (_t, p) => got.push(p.toString()));
    const pub = await connected(url);
    await pub.publishAsync('lim/size', 'x'.repeat(900));
    const closed = new Promise<void>((r) => pub.once('close', () => r()));
    pub.publish('lim/size', 'y'.repeat(2000));
    expect(await within(closed, 3000)).toBe(true);
    await waitUntil(() => warnings(/packet too large/).length === 1, 3000, 'the log line');
    expect(warnings(/packet too large/)[0]).toMatchObject({ listener: 'mqtt', cmd: 'publish', maxPacketBytes: 1024 });
    expect((warnings(/packet too large/)[0] as unknown as { packetBytes: number }).packetBytes).toBeGreaterThan(2000);
    await waitUntil(() => got.length === 1);
    expect(got[0]).toHaveLength(900);
    expect(sub.connected).toBe(true);
  });

  it('refuses on the header alone: the body is never waited for (CONNECT claiming 100 MB)', async () => {
    const { port, warnings } = await start({ maxPacketBytes: 64 * 1024 });
    const { socket, closed } = await rawSocket(port);
    socket.write(Buffer.concat([Buffer.from([0x10]), varint(100_000_000), Buffer.from([0, 4])]));
    expect(await within(closed, 2000)).toBe(true);
    expect(warnings(/packet too large/)[0]).toMatchObject({ cmd: 'connect', packetBytes: 100_000_005 });
  });

  it('applies on the WebSocket listener too', async () => {
    const { wsUrl, warnings } = await start({ maxPacketBytes: 1024, maxQueuedBytes: 4096 }, { wsPort: 0 });
    const c = await connected(wsUrl);
    await c.publishAsync('lim/ws', 'x'.repeat(900));
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('lim/ws', 'y'.repeat(2000));
    expect(await within(closed, 3000)).toBe(true);
    await waitUntil(() => warnings(/packet too large/).length === 1, 3000, 'the log line');
    expect(warnings(/packet too large/)[0]).toMatchObject({ listener: 'ws', cmd: 'publish' });
  });

  it('defaults to 8 MiB (the schemas allow 4 MiB binary requests)', async () => {
    expect(DEFAULT_LIMITS.maxPacketBytes).toBe(8 * 1024 * 1024);
    const { url } = await start(undefined);
    const c = await connected(url);
    await c.subscribeAsync('lim/big');
    const got = new Promise<number>((r) => c.once('message', (_t, p) => r(p.length)));
    await c.publishAsync('lim/big', Buffer.alloc(8 * 1024 * 1024 - 100));
    expect(await got).toBe(8 * 1024 * 1024 - 100);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('lim/big', Buffer.alloc(8 * 1024 * 1024));
    expect(await within(closed, 3000)).toBe(true);
  });
});

describe('simultaneous connections', () => {
  it('closes connections past the cap at once, logs it, and admits again when one leaves', async () => {
    const { broker, url, warnings } = await start({ maxConnections: 2 });
    const a = await connected(url);
    await connected(url);
    expect(broker.limits.connections).toBe(2);
    const third = await attempt(url);
    expect(third.connected).toBe(false);
    expect(warnings(/maximum simultaneous connections/)).toHaveLength(1);
    expect(warnings(/maximum simultaneous connections/)[0]).toMatchObject({ maxConnections: 2, remoteAddress: '127.0.0.1' });
    expect(broker.metrics.snapshot().refused).toBe(1); // counted as refused{reason="max_connections"}
    await a.endAsync();
    await waitUntil(() => broker.limits.connections === 1, 3000, 'the count to drop');
    expect((await attempt(url)).connected).toBe(true);
  });
});

describe('simultaneous connections over listeners', () => {
  it('counts TCP and WebSocket connections together', async () => {
    const { broker, url, wsUrl, warnings } = await start({ maxConnections: 1 }, { wsPort: 0 });
    await connected(url);
    expect((await attempt(wsUrl)).connected).toBe(false);
    expect(warnings(/maximum simultaneous connections/)[0]).toMatchObject({ listener: 'ws' });
    expect(broker.limits.connections).toBe(1);
  });
});

describe('connection rate per address', () => {
  it('closes a flood from one address beyond the burst, with one (folded) log line, then recovers', async () => {
    const { broker, port, url, warnings } = await start({ connectionRatePerSec: 2, connectionBurst: 3 });
    const opened = await Promise.all(Array.from({ length: 12 }, () => rawSocket(port)));
    const results = await Promise.all(opened.map((s) => within(s.closed, 500)));
    const closedNow = results.filter(Boolean).length;
    expect(closedNow).toBeGreaterThanOrEqual(7); // 12 - burst 3 - a refill or two on a slow VM
    expect(closedNow).toBeLessThanOrEqual(9);
    expect(warnings(/too many new connections/)).toHaveLength(1); // the rest are folded into the next line
    expect(warnings(/too many new connections/)[0]).toMatchObject({ remoteAddress: '127.0.0.1', ratePerSec: 2, burst: 3 });
    expect(broker.limits.connections).toBe(12 - closedNow);
    await new Promise((r) => setTimeout(r, 600)); // one token back at 2/s
    expect((await attempt(url)).connected).toBe(true);
  });
});

describe('keepalive', () => {
  it('refuses keepalive 0 and above the maximum (aedes keepaliveLimit), accepts up to it', async () => {
    const { url } = await start({ maxKeepaliveS: 60 });
    const tooLong = await attempt(url, { keepalive: 120 });
    expect(tooLong.connected).toBe(false);
    expect(tooLong.reason).toMatch(/refused/i);
    expect((await attempt(url, { keepalive: 0 })).connected).toBe(false);
    expect((await attempt(url, { keepalive: 60 })).connected).toBe(true);
    expect((await attempt(url, { keepalive: 5 })).connected).toBe(true);
  });

  it('with maxKeepaliveS 0 accepts keepalive 0', async () => {
    const { url } = await start({ maxKeepaliveS: 0 });
    expect((await attempt(url, { keepalive: 0 })).connected).toBe(true);
  });
});

describe('queued outgoing bytes (slow consumer)', () => {
  it('disconnects a subscriber that stops reading once its backlog passes the cap; others are unaffected', async () => {
    const cap = 512 * 1024;
    const { broker, port, url, warnings } = await start({ maxQueuedBytes: cap, maxPacketBytes: 128 * 1024 });
    const id = `stuck-${process.pid}`;
    const stuck = await rawSocket(port);
    stuck.socket.write(Buffer.concat([connectPacket(id), subscribePacket('lim/flood')]));
    await waitUntil(() => stuck.received().length >= 4 + 5, 3000, 'CONNACK + SUBACK'); // 4 + 5 bytes
    stuck.socket.pause(); // stops reading: kernel buffers fill, then the broker's

    const healthy = await connected(url);
    await healthy.subscribeAsync('lim/flood');
    let healthyGot = 0;
    healthy.on('message', () => healthyGot++);
    const pub = await connected(url);
    const payload = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    // Loopback socket buffers hold a few MB; 64 MB is far beyond them and the cap.
    while (warnings(/slow consumer/).length === 0 && sent < 1000) {
      for (let i = 0; i < 10; i++) pub.publish('lim/flood', payload);
      sent += 10;
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitUntil(() => warnings(/slow consumer/).length === 1, 5000, 'the slow consumer log line');
    const line = warnings(/slow consumer/)[0] as unknown as { clientId: string; queuedBytes: number; maxQueuedBytes: number };
    expect(line).toMatchObject({ clientId: id, maxQueuedBytes: cap });
    expect(line.queuedBytes).toBeGreaterThan(cap);
    expect(line.queuedBytes).toBeLessThan(cap + 2 * payload.length);
    await waitUntil(() => (broker.aedes as unknown as { clients: Record<string, unknown> }).clients[id] === undefined, 3000, 'the stuck client to be gone');
    stuck.socket.resume();
    expect(await within(stuck.closed, 5000)).toBe(true);
    await waitUntil(() => healthyGot === sent, 15_000, `the healthy subscriber to get all ${sent}`);
    expect(healthy.connected).toBe(true);
  }, 30_000);
});

describe('retained messages', () => {
  it('stores at most maxRetained topics; past it new topics are delivered live but not retained; updates and deletes work', async () => {
    const { broker, url, warnings } = await start({ maxRetained: 3 });
    const pub = await connected(url);
    for (const t of ['a', 'b', 'c']) await pub.publishAsync(`lim/ret/${t}`, t, { retain: true, qos: 1 });
    const live = await connected(url);
    await live.subscribeAsync('lim/ret/d');
    const liveGot = new Promise<string>((r) => live.once('message', (_t, p) => r(p.toString())));
    await pub.publishAsync('lim/ret/d', 'd', { retain: true, qos: 1 });
    expect(await liveGot).toBe('d');
    expect(warnings(/retained message not stored/)).toHaveLength(1);
    expect(warnings(/retained message not stored/)[0]).toMatchObject({ topic: 'lim/ret/d', maxRetained: 3 });
    await pub.publishAsync('lim/ret/a', 'a2', { retain: true, qos: 1 }); // update: allowed

    const retainedNow = async () => {
      const c = await connected(url);
      const got: Record<string, string> = {};
      c.on('message', (t, p, pk) => { if (pk.retain) got[t] = p.toString(); });
      await c.subscribeAsync('lim/ret/#', { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
      await c.endAsync();
      return got;
    };
    expect(await retainedNow()).toEqual({ 'lim/ret/a': 'a2', 'lim/ret/b': 'b', 'lim/ret/c': 'c' });
    expect(broker.limits.retainedCount).toBe(3);

    await pub.publishAsync('lim/ret/b', '', { retain: true, qos: 1 }); // delete frees a slot
    await pub.publishAsync('lim/ret/d', 'd2', { retain: true, qos: 1 });
    expect(await retainedNow()).toEqual({ 'lim/ret/a': 'a2', 'lim/ret/c': 'c', 'lim/ret/d': 'd2' });
  });
});

describe('defaults and settings', () => {
  it('a broker without limits uses DEFAULT_LIMITS', async () => {
    const { broker } = await start(undefined);
    expect(broker.limits.limits).toEqual(DEFAULT_LIMITS);
  });

  it('the settings table passes only the limits that differ from the defaults, and checks them', () => {
    const env = { HELEN_BROKER_ALLOW_ANONYMOUS: 'true' };
    expect(loadBrokerConfig(env).config.limits).toBeUndefined();
    expect(loadBrokerConfig(env).config.tls).toBeUndefined();
    expect(loadBrokerConfig({ ...env, HELEN_BROKER_MAX_RETAINED: '5', HELEN_BROKER_CONNECTION_RATE: '0.5' }).config.limits)
      .toEqual({ maxRetained: 5, connectionRatePerSec: 0.5 });
    let error: unknown;
    try {
      loadBrokerConfig({ ...env, HELEN_MQTT_WSS_PORT: '8884', HELEN_BROKER_MAX_PACKET_BYTES: '4096', HELEN_BROKER_MAX_QUEUED_BYTES: '1024' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HELEN_BROKER_TLS_CERT_FILE: required when HELEN_MQTT_TLS_PORT or HELEN_MQTT_WSS_PORT is set/);
    expect(problems).toMatch(/HELEN_BROKER_TLS_KEY_FILE: required/);
    expect(problems).toMatch(/HELEN_BROKER_MAX_QUEUED_BYTES: must be >= HELEN_BROKER_MAX_PACKET_BYTES/);
  });
});
