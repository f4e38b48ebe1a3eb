/** Our broker's own behaviour (aedes only): listeners, stop, robustness, hooks, logs. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createBroker, type BrokerConfig, type HelenBroker } from '../src/index';
import { connectRecorder, settle, subackCodes, uniqueTopic } from './helpers';

const running: HelenBroker[] = [];
const clients: mqtt.MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await Promise.all(running.splice(0).map((b) => b.stop()));
});

async function start(config: Partial<BrokerConfig> = {}) {
  const broker = createBroker({ port: 0, host: '127.0.0.1', ...config });
  running.push(broker);
  return { broker, ...(await broker.start()) };
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

async function rawSocket(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await once(s, 'connect');
  s.on('error', () => {});
  return s;
}

describe('listeners', () => {
  it('reports real ports for port 0 and carries messages between WebSocket and TCP clients', async () => {
    const { tcpPort, wsPort } = await start({ wsPort: 0 });
    expect(tcpPort).toBeGreaterThan(0);
    expect(wsPort).toBeGreaterThan(0);
    const topic = uniqueTopic('ws');
    const viaWs = await connectRecorder(`ws://127.0.0.1:${wsPort}`);
    const viaTcp = await connectRecorder(`mqtt://127.0.0.1:${tcpPort}`);
    clients.push(viaWs.client, viaTcp.client);
    await viaWs.client.subscribeAsync(topic, { qos: 1 });
    await viaTcp.client.subscribeAsync(topic, { qos: 1 });
    await viaTcp.client.publishAsync(topic, 'from-tcp', { qos: 1 });
    await viaWs.client.publishAsync(topic, 'from-ws', { qos: 1 });
    await Promise.all([viaWs.waitFor(2), viaTcp.waitFor(2)]);
    expect(viaWs.payloads.sort()).toEqual(['from-tcp', 'from-ws']);
    expect(viaTcp.payloads.sort()).toEqual(['from-tcp', 'from-ws']);
  });

  it('speaks MQTT 3.1.1 and refuses MQTT 5 at CONNECT (aedes 1.x has no v5)', async () => {
    const { tcpPort } = await start();
    const v4 = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcpPort}`, { reconnectPeriod: 0, protocolVersion: 4 });
    clients.push(v4);
    await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${tcpPort}`, { reconnectPeriod: 0, protocolVersion: 5 }))
      .rejects.toThrow(/Unacceptable protocol version/);
  });

  it('has no WebSocket listener unless wsPort is set', async () => {
    const address = await start();
    expect(address.wsPort).toBeUndefined();
  });

  it('refuses a TLS config whose files do not load, without leaking the listeners it opened', async () => {
    const broker = createBroker({ port: 0, host: '127.0.0.1', tls: { port: 0, keyFile: '/nonexistent/k.pem', certFile: '/nonexistent/c.pem' } });
    await expect(broker.start()).rejects.toThrow(/broker TLS: cannot load .*ENOENT/);
  });
});

describe('stop', () => {
  it('releases both ports promptly, even with connected and silent clients', async () => {
    const { broker, tcpPort, wsPort } = await start({ wsPort: 0 });
    const tcpClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcpPort}`, { reconnectPeriod: 0 });
    const wsClient = await mqtt.connectAsync(`ws://127.0.0.1:${wsPort}`, { reconnectPeriod: 0 });
    clients.push(tcpClient, wsClient);
    const silent = await rawSocket(tcpPort); // never sends CONNECT
    const silentWs = new WebSocket(`ws://127.0.0.1:${wsPort}`, 'mqtt');
    silentWs.on('error', () => {});
    await once(silentWs, 'open');
    const t0 = performance.now();
    await broker.stop();
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000);
    expect(await refused(tcpPort)).toBe(true);
    expect(await refused(wsPort!)).toBe(true);
    expect(silent.destroyed || silent.readableEnded).toBe(true);
    // The same ports can be bound again at once.
    const again = createBroker({ port: tcpPort, wsPort, host: '127.0.0.1' });
    running.push(again);
    await expect(again.start()).resolves.toEqual({ tcpPort, wsPort });
  });

  it('is idempotent and refuses a second start', async () => {
    const { broker } = await start();
    await broker.stop();
    await broker.stop();
    await expect(broker.start()).rejects.toThrow(/already stopped/);
  });
});

describe('robustness', () => {
  it('survives garbage bytes on TCP and WebSocket and keeps serving', async () => {
    const { tcpPort, wsPort } = await start({ wsPort: 0 });
    const garbage = Buffer.from('GET / HTTP/1.1\r\n\r\n\xff\xff\xff\xff\x00\x01garbage', 'latin1');
    const s = await rawSocket(tcpPort);
    s.write(garbage);
    await once(s, 'close'); // the broker hangs up on it
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`, 'mqtt');
    ws.on('error', () => {});
    await once(ws, 'open');
    ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]));
    await once(ws, 'close');
    // Also a truncated CONNECT followed by a hang-up.
    const t = await rawSocket(tcpPort);
    t.end(Buffer.from([0x10, 0x20, 0x00, 0x04, 0x4d]));
    await once(t, 'close');
    const topic = uniqueTopic('alive');
    const r = await connectRecorder(`mqtt://127.0.0.1:${tcpPort}`);
    clients.push(r.client);
    await r.client.subscribeAsync(topic, { qos: 1 });
    await r.client.publishAsync(topic, 'still here', { qos: 1 });
    await r.waitFor(1);
    expect(r.payloads).toEqual(['still here']);
  });
});

describe('shared subscriptions (aedes specifics)', () => {
  it('refuses malformed share names with SUBACK 0x80 and keeps the client connected', async () => {
    const { tcpPort } = await start();
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcpPort}`, { reconnectPeriod: 0, protocolVersion: 4 });
    clients.push(c);
    const granted = await subackCodes(c, {
      '$share//t': { qos: 1 }, // empty group
      '$share/+/t': { qos: 1 }, // wildcard group
      '$share/g': { qos: 1 }, // no filter
      '$share/g/': { qos: 1 }, // empty filter
      $share: { qos: 1 },
      '$share/g/ok': { qos: 1 },
    });
    expect(granted).toEqual({
      '$share//t': 128, '$share/+/t': 128, '$share/g': 128, '$share/g/': 128, $share: 128, '$share/g/ok': 1,
    });
    expect(c.connected).toBe(true);
  });

  it('drops group state and its internal listener when the last member leaves', async () => {
    const { broker, tcpPort } = await start();
    const url = `mqtt://127.0.0.1:${tcpPort}`;
    const a = await mqtt.connectAsync(url, { reconnectPeriod: 0, clientId: 'a' });
    const b = await mqtt.connectAsync(url, { reconnectPeriod: 0, clientId: 'b' });
    clients.push(a, b);
    await a.subscribeAsync('$share/g/x/#', { qos: 1 });
    await b.subscribeAsync('$share/g/x/#', { qos: 0 });
    await b.subscribeAsync('$share/h/x/#', { qos: 0 });
    expect(broker.shared.snapshot()).toEqual({ '$share/g/x/#': ['a', 'b'], '$share/h/x/#': ['b'] });
    await b.unsubscribeAsync('$share/h/x/#');
    expect(broker.shared.snapshot()).toEqual({ '$share/g/x/#': ['a', 'b'] });
    const gone = once(broker.aedes, 'clientDisconnect');
    await a.endAsync();
    await gone;
    expect(broker.shared.snapshot()).toEqual({ '$share/g/x/#': ['b'] });
    const goneB = once(broker.aedes, 'clientDisconnect');
    await b.endAsync();
    await goneB;
    expect(broker.shared.snapshot()).toEqual({});
  });

  it('does not deliver $-topics to a share whose filter starts with a wildcard', async () => {
    const { broker, tcpPort } = await start();
    const r = await connectRecorder(`mqtt://127.0.0.1:${tcpPort}`);
    clients.push(r.client);
    await r.client.subscribeAsync('$share/g/#', { qos: 0 });
    await new Promise<void>((resolve, reject) => broker.aedes.publish(
      { cmd: 'publish', topic: '$SYS/test', payload: Buffer.from('sys'), qos: 0, retain: false, dup: false },
      (err) => (err ? reject(err) : resolve())));
    await r.client.publishAsync('plain', 'plain', { qos: 1 });
    await r.waitFor(1);
    await settle();
    expect(r.payloads).toEqual(['plain']);
  });
});

describe('hooks', () => {
  it('passes shared subscriptions, with their full topic, through authorizeSubscribe', async () => {
    const seen: string[] = [];
    const { broker, tcpPort } = await start({
      hooks: {
        authorizeSubscribe: (_client, sub, cb) => {
          seen.push(sub.topic);
          cb(null, sub.topic.includes('secret') ? null : sub);
        },
      },
    });
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcpPort}`, { reconnectPeriod: 0 });
    clients.push(c);
    const granted = await subackCodes(c, { '$share/g/secret': { qos: 1 }, '$share/g/open': { qos: 1 }, 'plain/secret': { qos: 0 } });
    expect(granted).toEqual({
      '$share/g/secret': 128, '$share/g/open': 1, 'plain/secret': 128,
    });
    expect(seen.sort()).toEqual(['$share/g/open', '$share/g/secret', 'plain/secret']);
    expect(Object.keys(broker.shared.snapshot())).toEqual(['$share/g/open']);
  });
});

describe('logs', () => {
  it('logs connects at debug and protocol errors at warn, as pino JSON with module "broker"', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const { tcpPort } = await start({ logger: pino({ level: 'debug' }, sink) });
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${tcpPort}`, { reconnectPeriod: 0, clientId: 'logged' });
    clients.push(c);
    const s = await rawSocket(tcpPort);
    s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]));
    await once(s, 'close');
    await settle(50);
    expect(lines).toContainEqual(expect.objectContaining({ level: 20, module: 'broker', clientId: 'logged', msg: 'client connected' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, module: 'broker' }));
  });
});
