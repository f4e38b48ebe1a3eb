/**
 * Observability: the Prometheus /metrics endpoint and the $SYS/broker/... topics, scraped and
 * subscribed to by real clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type BrokerAddress, type HelenBroker } from '../src/broker';
import { BrokerMetrics, normalizeReason } from '../src/metrics';
import { SYS_PREFIX, brokerVersion, sysValues } from '../src/sys-topics';
import { connectRecorder, settle, uniqueTopic } from './helpers';

/** `name{labels} value` lines of a Prometheus exposition -> a map. */
function parseExposition(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    values.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return values;
}

async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

describe('/metrics', () => {
  let broker: HelenBroker;
  let address: BrokerAddress;
  let url: string;
  beforeAll(async () => {
    broker = createBroker({
      port: 0, host: '127.0.0.1', sysIntervalMs: 0, metrics: { port: 0 },
      hooks: {
        // One refusal path: username "intruder" gets CONNACK 4 (bad user name or password).
        authenticate: (_client, username, _password, cb) => {
          if (username === 'intruder') return cb(Object.assign(new Error('bad credentials'), { returnCode: 4 }), false);
          cb(null, true);
        },
      },
    });
    address = await broker.start();
    url = `mqtt://127.0.0.1:${address.tcpPort}`;
  });
  afterAll(() => broker.stop());

  it('listens on its own port (loopback by default)', () => {
    expect(address.metricsPort).toBeGreaterThan(0);
    expect(address.metricsPort).not.toBe(address.tcpPort);
  });

  it('counts connections, messages and bytes as clients work', async () => {
    const before = await scrape(address.metricsPort!);
    expect(before.get('helen_broker_connections')).toBe(0);

    const topic = uniqueTopic('metrics');
    const sub = await connectRecorder(url);
    const pub = await connectRecorder(url);
    await sub.client.subscribeAsync(topic, { qos: 1 });
    for (let i = 0; i < 3; i++) await pub.client.publishAsync(topic, `m${i}`, { qos: 1 });
    await sub.waitFor(3);

    const during = await scrape(address.metricsPort!);
    expect(during.get('helen_broker_connections')).toBe(2);
    expect(during.get('helen_broker_connections_total')).toBe((before.get('helen_broker_connections_total') ?? 0) + 2);
    expect(during.get('helen_broker_messages_received_total')).toBe((before.get('helen_broker_messages_received_total') ?? 0) + 3);
    expect(during.get('helen_broker_messages_sent_total')).toBe((before.get('helen_broker_messages_sent_total') ?? 0) + 3);
    // At least the three 2-byte payloads with their topic both ways, plus CONNECT/CONNACK.
    expect(during.get('helen_broker_bytes_received_total')! - (before.get('helen_broker_bytes_received_total') ?? 0)).toBeGreaterThan(3 * topic.length);
    expect(during.get('helen_broker_bytes_sent_total')! - (before.get('helen_broker_bytes_sent_total') ?? 0)).toBeGreaterThan(3 * topic.length);

    await sub.client.endAsync();
    await pub.client.endAsync();
    await settle(100);
    const after = await scrape(address.metricsPort!);
    expect(after.get('helen_broker_connections')).toBe(0);
    expect(after.get('helen_broker_connections_total')).toBe(during.get('helen_broker_connections_total'));
    // Bytes of closed connections are kept.
    expect(after.get('helen_broker_bytes_sent_total')).toBeGreaterThanOrEqual(during.get('helen_broker_bytes_sent_total')!);
  });

  it('counts refused CONNECTs by reason, and what other code reports through refused()/dropped()', async () => {
    await expect(connectRecorder(url, { username: 'intruder', password: 'x' })).rejects.toThrow();
    broker.metrics.refused('ACL publish');
    broker.metrics.refused('ACL publish');
    broker.metrics.dropped('queue-full');
    const m = await scrape(address.metricsPort!);
    expect(m.get('helen_broker_refused_total{reason="connect_bad_username_or_password"}')).toBe(1);
    expect(m.get('helen_broker_refused_total{reason="acl_publish"}')).toBe(2);
    expect(m.get('helen_broker_dropped_total{reason="queue_full"}')).toBe(1);
    expect(broker.metrics.snapshot()).toMatchObject({ refused: 3, dropped: 1 });
  });

  it('includes the default process metrics', async () => {
    const m = await scrape(address.metricsPort!);
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    expect((await fetch(`http://127.0.0.1:${address.metricsPort}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${address.metricsPort}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('metrics without an endpoint', () => {
  it('has no listener by default, and two brokers in one process keep separate registries', async () => {
    const a = createBroker({ port: 0, host: '127.0.0.1', sysIntervalMs: 0 });
    const b = createBroker({ port: 0, host: '127.0.0.1', sysIntervalMs: 0 });
    const addrA = await a.start();
    await b.start();
    try {
      expect(addrA.metricsPort).toBeUndefined();
      const c = await connectRecorder(`mqtt://127.0.0.1:${addrA.tcpPort}`);
      expect(a.metrics.snapshot().connectionsTotal).toBe(1);
      expect(b.metrics.snapshot().connectionsTotal).toBe(0);
      await c.client.endAsync();
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('normalises reasons into short label values', () => {
    expect(normalizeReason('Too Large!')).toBe('too_large');
    expect(normalizeReason('***')).toBe('unknown');
    expect(normalizeReason('x'.repeat(100))).toHaveLength(64);
    const m = new BrokerMetrics();
    m.refused('a b');
    expect(m.snapshot().refused).toBe(1);
  });
});

describe('$SYS topics', () => {
  it('publishes $SYS/broker/... statistics, retained, to subscribers of $SYS/#', async () => {
    const broker = createBroker({ port: 0, host: '127.0.0.1', sysIntervalMs: 100 });
    const { tcpPort } = await broker.start();
    try {
      const rec = await connectRecorder(`mqtt://127.0.0.1:${tcpPort}`);
      await rec.client.subscribeAsync('$SYS/#', { qos: 0 });
      const latest = async (topic: string, pred: (v: string) => boolean) => {
        for (let i = 0; i < 50; i++) {
          const hit = rec.messages.filter((m) => m.topic === SYS_PREFIX + topic).at(-1);
          if (hit && pred(hit.payload)) return hit.payload;
          await settle(50);
        }
        throw new Error(`no ${SYS_PREFIX}${topic} matching; got ${rec.messages.map((m) => m.topic).join(', ')}`);
      };
      // The subscriber itself is connected.
      expect(await latest('clients/connected', (v) => v === '1')).toBe('1');
      expect(await latest('version', () => true)).toMatch(/^helen-broker \d+\.\d+\.\d+ \(aedes \d+\.\d+\.\d+\)$/);
      expect(await latest('uptime', () => true)).toMatch(/^\d+ seconds$/);
      // Numbers move: a publish from a second client shows up in messages/received.
      const pub = await connectRecorder(`mqtt://127.0.0.1:${tcpPort}`);
      await pub.client.publishAsync(uniqueTopic('sys'), 'x', { qos: 1 });
      expect(await latest('clients/connected', (v) => v === '2')).toBe('2');
      expect(Number(await latest('messages/received', (v) => Number(v) >= 1))).toBeGreaterThanOrEqual(1);
      expect(Number(await latest('bytes/received', (v) => Number(v) > 0))).toBeGreaterThan(0);
      // aedes' own $SYS/{id}/... bookkeeping is still there, next to ours.
      expect(rec.messages.some((m) => m.topic === `$SYS/${broker.aedes.id}/new/clients`)).toBe(true);

      // Retained: a late subscriber gets the current values at once.
      const late = await connectRecorder(`mqtt://127.0.0.1:${tcpPort}`);
      await late.client.subscribeAsync(`${SYS_PREFIX}version`, { qos: 0 });
      await late.waitFor(1);
      expect(late.messages[0]).toMatchObject({ retain: true, payload: brokerVersion() });
      for (const c of [rec, pub, late]) await c.client.endAsync();
    } finally {
      await broker.stop();
    }
  });

  it('publishes nothing when the interval is 0', async () => {
    const broker = createBroker({ port: 0, host: '127.0.0.1', sysIntervalMs: 0 });
    const { tcpPort } = await broker.start();
    try {
      const rec = await connectRecorder(`mqtt://127.0.0.1:${tcpPort}`);
      await rec.client.subscribeAsync(`${SYS_PREFIX}#`, { qos: 0 });
      await settle(300);
      expect(rec.messages).toEqual([]);
      await rec.client.endAsync();
    } finally {
      await broker.stop();
    }
  });

  it('formats the values like Mosquitto', () => {
    const m = new BrokerMetrics();
    const v = sysValues(m, 0, 61_500);
    expect(v.uptime).toBe('61 seconds');
    expect(v['clients/connected']).toBe('0');
    expect(Object.keys(v)).toEqual(expect.arrayContaining(['messages/received', 'messages/sent', 'bytes/received', 'bytes/sent', 'version']));
  });
});
