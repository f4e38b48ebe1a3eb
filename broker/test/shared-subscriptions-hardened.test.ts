/**
 * Shared subscriptions under failure (issue 10 item 7): un-acknowledged QoS 1 deliveries to a
 * member that dies, members churning under load, persistent members going offline. Run on
 * our aedes broker and on Mosquitto 2; where they differ the test says so (see README
 * "Shared subscriptions").
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerKinds, startTestBroker, type TestBroker } from '../src/testing';
import { decodePublish, RawClient, subscribePacket, uniqueId } from './conformance/raw-client';
import { connectRecorder, settle, uniqueTopic, type Recorder } from './helpers';

describe.each(brokerKinds())('shared subscriptions, hardened, on %s', (kind) => {
  let broker: TestBroker;
  let open: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startTestBroker(kind);
  });
  afterAll(() => broker.stop());
  afterEach(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    open = [];
  });

  async function client(opts: Parameters<typeof connectRecorder>[1] = {}): Promise<Recorder> {
    const r = await connectRecorder(broker.url, opts);
    open.push(r.client);
    return r;
  }

  /** A member that never sends PUBACK and kills its socket as soon as a message arrives. */
  async function dyingMember(filter: string): Promise<{ got: string[]; closed: Promise<void> }> {
    const r = await client();
    const got: string[] = [];
    r.client.handleMessage = (packet) => {
      // No callback: mqtt.js then never acknowledges the message.
      got.push(packet.payload.toString());
      r.client.stream.destroy();
    };
    const closed = new Promise<void>((resolve) => r.client.once('close', () => resolve()));
    await r.client.subscribeAsync(filter, { qos: 1 });
    return { got, closed };
  }

  it('gives a QoS 1 message to another member when the member it went to dies before PUBACK', async () => {
    const topic = uniqueTopic('unacked');
    const share = `$share/g/${topic}/#`;
    const a = await dyingMember(share);
    const b = await client();
    await b.client.subscribeAsync(share, { qos: 1 });
    const pub = await client();
    // Round robin starts with A (joined first) on both brokers; send two so that one of them
    // certainly went to A whatever the cursor.
    await pub.client.publishAsync(`${topic}/x`, 'm0', { qos: 1 });
    await pub.client.publishAsync(`${topic}/x`, 'm1', { qos: 1 });
    await a.closed;
    expect(a.got).toHaveLength(1);
    const lost = a.got[0]!;
    if (kind === 'mosquitto') {
      // Mosquitto 2 drops the clean-session member's in-flight message with its session.
      await settle(500);
      expect(b.payloads).not.toContain(lost);
      expect(b.payloads).toHaveLength(1);
      return;
    }
    await b.waitFor(2);
    await settle();
    expect([...b.payloads].sort()).toEqual(['m0', 'm1']);
  });

  it('drops an un-acknowledged message whose member dies when no other member is left', async () => {
    const topic = uniqueTopic('alone');
    const share = `$share/g/${topic}`;
    const a = await dyingMember(share);
    const pub = await client();
    await pub.client.publishAsync(topic, 'only', { qos: 1 });
    await a.closed;
    expect(a.got).toEqual(['only']);
    // Nobody is left in the group: like a message published to a share with no members, it is
    // gone on both brokers (no group-level queue).
    const b = await client();
    await b.client.subscribeAsync(share, { qos: 1 });
    await settle(300);
    expect(b.payloads).toEqual([]);
  });

  it('loses nothing while members join, leave and die under a steady QoS 1 stream', async () => {
    const topic = uniqueTopic('churn');
    const share = `$share/g/${topic}`;
    const seen = new Map<string, number>();
    const count = (p: string) => seen.set(p, (seen.get(p) ?? 0) + 1);
    async function member(): Promise<Recorder> {
      const r = await client();
      r.client.on('message', (_t, payload) => count(payload.toString()));
      await r.client.subscribeAsync(share, { qos: 1 });
      return r;
    }
    // One member stays for the whole run, so the group is never empty.
    await member();
    const pub = await client();
    const total = 400;
    const sent: string[] = [];
    let publishing = true;
    const stream = (async () => {
      for (let i = 0; i < total; i++) {
        sent.push(`m${i}`);
        await pub.client.publishAsync(topic, `m${i}`, { qos: 1 });
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      publishing = false;
    })();
    let churns = 0;
    while (publishing) {
      const m = await member();
      await settle(5 + (churns % 4) * 5);
      if (churns % 2 === 0) await m.client.endAsync(); // clean DISCONNECT
      else m.client.stream.destroy(); // abrupt: no DISCONNECT, possibly PUBACKs unsent
      churns++;
    }
    await stream;
    const deadline = Date.now() + 5000;
    while (sent.some((p) => !seen.has(p)) && Date.now() < deadline) await settle(50);
    await settle();
    const missing = sent.filter((p) => !seen.has(p));
    const duplicates = [...seen.values()].reduce((n, c) => n + (c - 1), 0);
    console.info(`${kind}: ${total} QoS 1 messages, ${churns} member churns, ${missing.length} missing, ${duplicates} duplicates`);
    if (kind === 'mosquitto') {
      // Mosquitto 2 drops whatever a clean member had not acknowledged (in flight or still
      // queued for it) when it goes: reported above, not asserted.
      expect(missing.length).toBeLessThan(total);
      return;
    }
    expect(missing).toEqual([]);
    // Every member that left took its in-flight bookkeeping with it; the stayer acked all.
    expect(Object.values(broker.broker!.shared.inflightSnapshot()[share] ?? {}).every((n) => n === 0)).toBe(true);
  });

  it('persistent member offline: what happens to its share of the messages', async () => {
    const topic = uniqueTopic('offline');
    const share = `$share/g/${topic}`;
    const clientId = `offline-${process.pid}-${kind}`;
    const p = await connectRecorder(broker.url, { clientId, clean: false });
    await p.client.subscribeAsync(share, { qos: 1 });
    await p.client.endAsync();
    const b = await client();
    await b.client.subscribeAsync(share, { qos: 1 });
    const pub = await client();
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push(`m${i}`);
      await pub.client.publishAsync(topic, `m${i}`, { qos: 1 });
    }
    await settle(300);
    // Listening before CONNACK: queued messages follow it at once.
    const queued: string[] = [];
    const back = mqtt.connect(broker.url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 0 });
    open.push(back);
    back.on('message', (_t, payload) => queued.push(payload.toString()));
    await new Promise<void>((resolve) => back.once('connect', () => resolve()));
    await settle(300);
    const online = b.payloads;
    console.info(`${kind}: offline persistent member: online member got ${online.length}, offline member got ${queued.length} on reconnect`);
    expect([...online, ...queued].sort()).toEqual(sent);
    if (kind === 'aedes') {
      // Ours: an offline member is not a member; everything goes to the online ones.
      expect(online).toEqual(sent);
    } else {
      // Mosquitto 2 keeps round-robining over the offline session and queues its turn.
      expect(queued.length).toBeGreaterThan(0);
    }
    await back.unsubscribeAsync(share);
  });

  it('does not hand over messages a member acknowledged before it left', async () => {
    const topic = uniqueTopic('acked');
    const share = `$share/g/${topic}`;
    const [a, b, pub] = await Promise.all([client(), client(), client()]);
    await a.client.subscribeAsync(share, { qos: 1 });
    await b.client.subscribeAsync(share, { qos: 1 });
    for (let i = 0; i < 6; i++) await pub.client.publishAsync(topic, `m${i}`, { qos: 1 });
    await Promise.all([a.waitFor(3), b.waitFor(3)]);
    await settle();
    if (broker.broker) expect(broker.broker.shared.inflightSnapshot()[share]).toEqual({ [a.client.options.clientId!]: 0, [b.client.options.clientId!]: 0 });
    a.client.stream.destroy();
    await settle(300);
    expect(b.payloads).toHaveLength(3);
  });

  it('hands a QoS 2 message over when the member dies before PUBREC', async () => {
    const topic = uniqueTopic('qos2');
    const share = `$share/g/${topic}`;
    // A raw client: mqtt.js always sends PUBREC itself.
    const a = await RawClient.connected(broker.port, { clientId: uniqueId('qos2') });
    a.send(subscribePacket(1, [[share, 2]]));
    await a.next(0x9);
    const b = await client();
    await b.client.subscribeAsync(share, { qos: 2 });
    const pub = await client();
    await pub.client.publishAsync(topic, 'q0', { qos: 2 });
    await pub.client.publishAsync(topic, 'q1', { qos: 2 });
    const got = decodePublish(await a.next(0x3));
    expect(got.qos).toBe(2);
    a.destroy();
    await a.closed;
    if (kind === 'mosquitto') {
      await settle(500);
      expect(b.payloads).toHaveLength(1);
      return;
    }
    await b.waitFor(2);
    await settle();
    expect([...b.payloads].sort()).toEqual(['q0', 'q1']);
  });
});
