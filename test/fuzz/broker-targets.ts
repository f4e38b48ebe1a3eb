/**
 * The broker as a fuzz target: random and malformed MQTT packets over raw TCP to a real aedes
 * broker (our createBroker with its limits and conformance checks), with and without a
 * CONNECT first. The raw client and packet builders are the conformance suite's.
 */
import fc from 'fast-check';
import mqtt from 'mqtt';
import {
  PINGREQ, RawClient, ackPacket, connectPacket, packet, publishPacket, startConformanceBroker, subscribePacket, unsubscribePacket, varint,
} from '../../broker/test/conformance/raw-client';
import type { TestBroker } from '@helen/broker/testing';
import { Tally } from './tally';

export interface PacketCase {
  kind: string;
  /** Send a clean CONNECT (and wait for CONNACK 0) before the fuzzed bytes. */
  connectFirst: boolean;
  bytes: Buffer;
  /** By construction a protocol violation: the broker MUST close the connection. */
  mustClose: boolean;
}

const topicText = fc.oneof(
  fc.constantFrom('a/b', 'helen/v1/devices/x/predict', '#', '+', 'a/#/b', 'a+', '$SYS/x', '$share/g/a', '$share//a', '', '/', 'a\u0000b'),
  fc.string({ maxLength: 30 }),
);

/** Valid packets of each type with random fields. */
const wellFormed: fc.Arbitrary<Omit<PacketCase, 'connectFirst'>> = fc.oneof(
  fc.tuple(topicText, fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 1 }), fc.boolean(), fc.integer({ min: 1, max: 0xffff }))
    .map(([t, p, qos, retain, id]) => ({ kind: 'PUBLISH', bytes: publishPacket(t, Buffer.from(p), { qos, retain, messageId: id }), mustClose: false })),
  fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.array(fc.tuple(topicText, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 3 }))
    .map(([id, subs]) => ({ kind: 'SUBSCRIBE', bytes: subscribePacket(id, subs), mustClose: false })),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.array(topicText, { minLength: 1, maxLength: 3 }))
    .map(([id, fs]) => ({ kind: 'UNSUBSCRIBE', bytes: unsubscribePacket(id, fs), mustClose: false })),
  fc.tuple(fc.constantFrom(0x40, 0x50, 0x62, 0x70), fc.integer({ min: 0, max: 0xffff })).map(([first, id]) => ({ kind: 'ack', bytes: ackPacket(first, id), mustClose: false })),
  fc.constant({ kind: 'PINGREQ', bytes: PINGREQ, mustClose: false }),
);

/** Protocol violations the broker must answer by closing the connection. */
const violations: fc.Arbitrary<Omit<PacketCase, 'connectFirst'>> = fc.oneof(
  fc.constantFrom(0x00, 0xf0).map((first) => ({ kind: `reserved packet type ${first >> 4}`, bytes: packet(first, [0, 1]), mustClose: true })),
  fc.constant({ kind: 'PUBLISH QoS 3', bytes: packet(0x36, Buffer.concat([Buffer.from([0, 1, 0x61]), Buffer.from([0, 1])])), mustClose: true }),
  fc.constant({ kind: 'second CONNECT', bytes: connectPacket(), mustClose: true }),
  fc.constantFrom('#', '+', 'a/+', 'a/#').map((t) => ({ kind: 'PUBLISH to a wildcard topic', bytes: publishPacket(t, 'x'), mustClose: true })),
  fc.constant({ kind: 'SUBSCRIBE with flags 0', bytes: packet(0x80, [0, 1, 0, 1, 0x61, 0]), mustClose: true }),
  fc.constant({ kind: 'SUBSCRIBE with no topics', bytes: packet(0x82, [0, 1]), mustClose: true }),
  fc.constant({ kind: 'malformed remaining length (5 bytes)', bytes: Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]), mustClose: true }),
  fc.constantFrom(200 * 1024 * 1024, 9 * 1024 * 1024).map((n) => ({ kind: `declared ${n >> 20} MiB packet (over the limit)`, bytes: Buffer.concat([Buffer.from([0x30]), varint(n), Buffer.from([0, 1, 0x61])]), mustClose: true })),
);

/** Anything: random bytes, mutated and truncated valid packets. */
const garbage: fc.Arbitrary<Omit<PacketCase, 'connectFirst'>> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({ kind: 'random bytes', bytes: Buffer.from(b), mustClose: false })),
  fc.tuple(wellFormed, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([p, at, v]) => {
    const b = Buffer.from(p.bytes);
    b[at % b.length] = v;
    return { kind: `${p.kind}, one byte changed`, bytes: b, mustClose: false };
  }),
  fc.tuple(wellFormed, fc.nat()).map(([p, cut]) => ({ kind: `${p.kind}, truncated`, bytes: p.bytes.subarray(0, 1 + (cut % p.bytes.length)), mustClose: false })),
  fc.tuple(fc.record({
    protocolName: fc.oneof(fc.constantFrom('MQTT', 'MQIsdp', 'mqtt', ''), fc.string({ maxLength: 8 })),
    protocolLevel: fc.integer({ min: 0, max: 255 }),
    flags: fc.integer({ min: 0, max: 255 }),
    keepalive: fc.integer({ min: 0, max: 0xffff }),
    clientId: fc.string({ maxLength: 30 }),
  })).map(([o]) => ({ kind: 'CONNECT with random fields', bytes: connectPacket(o), mustClose: false })),
);

export const packetCase: fc.Arbitrary<PacketCase> = fc.tuple(
  fc.oneof({ weight: 2, arbitrary: wellFormed }, { weight: 3, arbitrary: violations }, { weight: 4, arbitrary: garbage }),
  fc.array(fc.oneof(wellFormed, garbage), { maxLength: 2 }),
  fc.boolean(),
).map(([first, more, connectFirst]) => ({
  kind: `${connectFirst ? 'after CONNECT' : 'no CONNECT'}: ${first.kind}`,
  connectFirst: connectFirst || first.kind === 'second CONNECT',
  bytes: Buffer.concat([first.bytes, ...more.map((m) => m.bytes)]),
  // Bytes after a violation do not matter: it is the first thing the broker reads.
  mustClose: first.mustClose,
}));

export type PacketOutcome = 'closed by the broker' | 'open (answered PINGREQ)' | 'open, waiting for the rest of a packet' | 'CONNACK refused, closed';

/** Sends one case on a fresh connection and reports what the broker did with it. */
export async function sendPackets(port: number, c: PacketCase): Promise<PacketOutcome> {
  const client = c.connectFirst ? await RawClient.connected(port) : await RawClient.open(port);
  try {
    client.send(c.bytes);
    // PINGREQ as a fence: a PINGRESP means everything before it was read and accepted.
    client.send(PINGREQ);
    const closed = client.closed.then(() => 'closed' as const);
    const pong = client.next(0xd, 1500).then(() => 'pong' as const, () => 'none' as const);
    const first = await Promise.race([closed, pong]);
    if (first === 'pong' && !client.isClosed) return 'open (answered PINGREQ)';
    if (client.isClosed) {
      const refused = client.packets.find((p) => p.type === 2 && p.body[1] !== 0);
      return refused ? 'CONNACK refused, closed' : 'closed by the broker';
    }
    return 'open, waiting for the rest of a packet';
  } finally {
    client.destroy();
  }
}

/** A normal client still connects, subscribes, publishes and receives its own message. */
export async function brokerServes(url: string): Promise<boolean> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
  try {
    const topic = `fuzz/after/${Date.now()}`;
    const got = new Promise<string>((resolve) => client.on('message', (_t, p) => resolve(p.toString())));
    await client.subscribeAsync(topic, { qos: 1 });
    await client.publishAsync(topic, 'still here', { qos: 1 });
    const text = await Promise.race([got, new Promise<string>((r) => setTimeout(() => r('timeout'), 5000))]);
    return text === 'still here';
  } finally {
    await client.endAsync();
  }
}

export function brokerProperty(broker: () => TestBroker, tally: Tally): fc.IAsyncPropertyWithHooks<[PacketCase]> {
  return fc.asyncProperty(packetCase, async (c) => {
    const outcome = await sendPackets(broker().port, c);
    if (c.mustClose && outcome.startsWith('open')) {
      tally.crash(`${c.kind}: left open (${outcome})`);
      throw new Error(`${c.kind}: the broker left the connection open (${outcome}); bytes ${c.bytes.toString('hex').slice(0, 80)}`);
    }
    if (outcome === 'open (answered PINGREQ)') tally.accept();
    else tally.refuse(`${outcome}${c.mustClose ? ' (violation)' : ''}`);
  });
}

export { startConformanceBroker };
