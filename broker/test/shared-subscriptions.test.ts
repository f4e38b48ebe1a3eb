/**
 * Shared-subscription semantics, run unchanged against our aedes broker and a real
 * Mosquitto 2: passing on both is what "Mosquitto semantics" means here.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokerKinds, mosquittoAtLeast, startTestBroker, type TestBroker } from '../src/testing';
import { connectRecorder, settle, uniqueTopic, type Recorder } from './helpers';

// Mosquitto sent retained messages on a shared subscribe until 2.0.13 ("Don't send retained
// messages when a shared subscription is made", ChangeLog 2.0.13); Debian 12 ships 2.0.11.
const oldMosquitto = !mosquittoAtLeast('2.0.13');

describe.each(brokerKinds())('shared subscriptions on %s', (kind) => {
  let broker: TestBroker;
  const skipRetained = kind === 'mosquitto' && oldMosquitto;
  if (skipRetained) console.warn('mosquitto < 2.0.13 sends retained messages on a shared subscribe: skipping that case on Mosquitto');
  let open: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startTestBroker(kind);
  });
  afterAll(() => broker.stop());
  afterEach(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    open = [];
  });

  async function client(): Promise<Recorder> {
    const r = await connectRecorder(broker.url);
    open.push(r.client);
    return r;
  }

  async function publishAll(pub: Recorder, topic: string, n: number, qos: 0 | 1 | 2 = 1): Promise<string[]> {
    const sent: string[] = [];
    for (let i = 0; i < n; i++) {
      sent.push(`m${i}`);
      await pub.client.publishAsync(topic, `m${i}`, { qos });
    }
    return sent;
  }

  it('gives each message to exactly one member, round robin', async () => {
    const topic = uniqueTopic('rr');
    const [a, b, pub] = await Promise.all([client(), client(), client()]);
    await a.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await b.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    const sent = await publishAll(pub, topic, 20);
    await Promise.all([a.waitFor(10), b.waitFor(10)]);
    await settle();
    expect(a.messages).toHaveLength(10);
    expect(b.messages).toHaveLength(10);
    expect([...a.payloads, ...b.payloads].sort()).toEqual([...sent].sort());
    // Strict alternation: consecutive messages never go to the same member.
    const aSet = new Set(a.payloads);
    for (let i = 1; i < sent.length; i++) expect(aSet.has(sent[i]!)).not.toBe(aSet.has(sent[i - 1]!));
  });

  // aedes 1.x refuses MQTT 5 at CONNECT (see broker.test.ts); Mosquitto shows the v5 path works.
  it.skipIf(kind === 'aedes')('works the same for MQTT 5 clients', async () => {
    const topic = uniqueTopic('v5');
    const [a, b, pub] = await Promise.all([0, 1, 2].map(() => connectRecorder(broker.url, { protocolVersion: 5 })));
    open.push(a!.client, b!.client, pub!.client);
    expect(await a!.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 })).toMatchObject([{ qos: 1 }]);
    await b!.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    const sent = await publishAll(pub!, topic, 6);
    await Promise.all([a!.waitFor(3), b!.waitFor(3)]);
    await settle();
    expect([...a!.payloads, ...b!.payloads].sort()).toEqual(sent);
  });

  it('works with wildcard filters', async () => {
    const base = uniqueTopic('wild');
    const [a, b, pub] = await Promise.all([client(), client(), client()]);
    await a.client.subscribeAsync(`$share/g/${base}/+/predict`, { qos: 1 });
    await b.client.subscribeAsync(`$share/g/${base}/+/predict`, { qos: 1 });
    for (let i = 0; i < 6; i++) await pub.client.publishAsync(`${base}/dev${i}/predict`, `m${i}`, { qos: 1 });
    await pub.client.publishAsync(`${base}/dev0/other`, 'no', { qos: 1 });
    await Promise.all([a.waitFor(3), b.waitFor(3)]);
    await settle();
    expect([...a.payloads, ...b.payloads].sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('gives one copy to each group on the same filter', async () => {
    const topic = uniqueTopic('groups');
    const [a, b, c, pub] = await Promise.all([client(), client(), client(), client()]);
    await a.client.subscribeAsync(`$share/g1/${topic}`, { qos: 1 });
    await b.client.subscribeAsync(`$share/g1/${topic}`, { qos: 1 });
    await c.client.subscribeAsync(`$share/g2/${topic}`, { qos: 1 });
    const sent = await publishAll(pub, topic, 8);
    await Promise.all([a.waitFor(4), b.waitFor(4), c.waitFor(8)]);
    await settle();
    expect([...a.payloads, ...b.payloads].sort()).toEqual([...sent].sort());
    expect(c.payloads).toEqual(sent);
  });

  it('stops delivering to a member that disconnects', async () => {
    const topic = uniqueTopic('disc');
    const [a, b, pub] = await Promise.all([client(), client(), client()]);
    await a.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await b.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await a.client.endAsync();
    const sent = await publishAll(pub, topic, 6);
    await b.waitFor(6);
    expect(b.payloads).toEqual(sent);
    expect(a.messages).toHaveLength(0);
  });

  it('stops delivering to a member that unsubscribes', async () => {
    const topic = uniqueTopic('unsub');
    const [a, b, pub] = await Promise.all([client(), client(), client()]);
    await a.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await b.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await a.client.unsubscribeAsync(`$share/g/${topic}`);
    const sent = await publishAll(pub, topic, 6);
    await b.waitFor(6);
    await settle();
    expect(b.payloads).toEqual(sent);
    expect(a.messages).toHaveLength(0);
  });

  it.skipIf(skipRetained)('does not send retained messages on a shared subscribe, and clears retain on live ones', async () => {
    const topic = uniqueTopic('retained');
    const [pub, shared, normal] = await Promise.all([client(), client(), client()]);
    await pub.client.publishAsync(topic, 'kept', { qos: 1, retain: true });
    await shared.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    // The normal subscriber proves the retained message is there to be sent.
    await normal.client.subscribeAsync(topic, { qos: 1 });
    await normal.waitFor(1);
    expect(normal.messages[0]).toMatchObject({ payload: 'kept', retain: true });
    await pub.client.publishAsync(topic, 'live', { qos: 1, retain: true });
    await shared.waitFor(1);
    await settle();
    expect(shared.messages).toEqual([{ topic, payload: 'live', qos: 1, retain: false }]);
    await pub.client.publishAsync(topic, '', { qos: 1, retain: true }); // clear it
  });

  it('acknowledges the granted QoS and delivers at min(published, subscribed)', async () => {
    const topic = uniqueTopic('qos');
    const [s0, s1, s2, pub] = await Promise.all([client(), client(), client(), client()]);
    // One member per group, so every member sees every message.
    expect(await s0.client.subscribeAsync(`$share/q0/${topic}`, { qos: 0 })).toMatchObject([{ qos: 0 }]);
    expect(await s1.client.subscribeAsync(`$share/q1/${topic}`, { qos: 1 })).toMatchObject([{ qos: 1 }]);
    expect(await s2.client.subscribeAsync(`$share/q2/${topic}`, { qos: 2 })).toMatchObject([{ qos: 2 }]);
    for (const qos of [0, 1, 2] as const) await pub.client.publishAsync(topic, `p${qos}`, { qos });
    await Promise.all([s0.waitFor(3), s1.waitFor(3), s2.waitFor(3)]);
    const byPayload = (r: Recorder) => Object.fromEntries(r.messages.map((m) => [m.payload, m.qos]));
    expect(byPayload(s0)).toEqual({ p0: 0, p1: 0, p2: 0 });
    expect(byPayload(s1)).toEqual({ p0: 0, p1: 1, p2: 1 });
    expect(byPayload(s2)).toEqual({ p0: 0, p1: 1, p2: 2 });
  });

  it('lets a client hold a shared and a normal subscription on the same filter', async () => {
    const topic = uniqueTopic('both');
    const [a, pub] = await Promise.all([client(), client()]);
    await a.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await a.client.subscribeAsync(topic, { qos: 1 });
    await pub.client.publishAsync(topic, 'x', { qos: 1 });
    await a.waitFor(2);
    await settle();
    expect(a.payloads).toEqual(['x', 'x']);
  });

  it('restores a persistent session\'s shared subscription on reconnect', async () => {
    const topic = uniqueTopic('persist');
    const clientId = `persist-${process.pid}-${kind}`;
    const first = await connectRecorder(broker.url, { clientId, clean: false });
    await first.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await first.client.endAsync();
    const again = await connectRecorder(broker.url, { clientId, clean: false });
    open.push(again.client);
    const [b, pub] = await Promise.all([client(), client()]);
    await b.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    const sent = await publishAll(pub, topic, 4);
    await Promise.all([again.waitFor(2), b.waitFor(2)]);
    await settle();
    expect([...again.payloads, ...b.payloads].sort()).toEqual(sent);
    await again.client.unsubscribeAsync(`$share/g/${topic}`);
  });

  it('moves membership to a new connection that takes over the session', async () => {
    const topic = uniqueTopic('takeover');
    const clientId = `takeover-${process.pid}-${kind}`;
    const old = await connectRecorder(broker.url, { clientId, clean: false });
    const oldClosed = new Promise<void>((r) => old.client.once('close', () => r()));
    await old.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    const fresh = await connectRecorder(broker.url, { clientId, clean: false });
    open.push(fresh.client);
    await oldClosed;
    const pub = await client();
    const sent = await publishAll(pub, topic, 3);
    await fresh.waitFor(3);
    expect(fresh.payloads).toEqual(sent);
    await fresh.client.unsubscribeAsync(`$share/g/${topic}`);
  });

  it('delivers nothing published to a $share/ topic and keeps the publisher connected', async () => {
    const topic = uniqueTopic('pubshare');
    const [a, pub] = await Promise.all([client(), client()]);
    await a.client.subscribeAsync(`$share/g/${topic}`, { qos: 1 });
    await pub.client.publishAsync(`$share/g/${topic}`, 'sneaky', { qos: 1 });
    await pub.client.publishAsync(topic, 'real', { qos: 1 });
    await a.waitFor(1);
    await settle();
    expect(a.payloads).toEqual(['real']);
    expect(pub.client.connected).toBe(true);
  });
});
