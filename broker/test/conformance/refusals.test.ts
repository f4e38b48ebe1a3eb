/**
 * MQTT 3.1.1: what a server MUST (or, where marked, MAY and Mosquitto does) refuse. Every case
 * sends hand-made bytes over a raw socket and runs against our broker and a real Mosquitto 2.
 * Issue 10; the checks live in src/protocol/conformance.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokerKinds, mosquittoVersion, type TestBroker } from '../../src/testing';
import {
  DISCONNECT, PINGREQ, RawClient, startConformanceBroker, ackPacket, connectPacket, packet, publishPacket, str, subscribePacket, uniqueId,
  unsubscribePacket, type ConnectOptions,
} from './raw-client';

const warnedLenient = new Set<string>();

/** Bytes that must not appear in a UTF-8 string field. */
const BAD_TEXT: [string, number[]][] = [
  ['U+0000', [0x00]],
  ['UTF-16 surrogate U+D800 (ED A0 80)', [0xed, 0xa0, 0x80]],
  ['UTF-16 surrogate U+DFFF (ED BF BF)', [0xed, 0xbf, 0xbf]],
  ['bad continuation (C3 28)', [0xc3, 0x28]],
  ['overlong "/" (C0 AF)', [0xc0, 0xaf]],
  ['overlong U+0000 (C0 80)', [0xc0, 0x80]],
  ['truncated sequence (E2 82)', [0xe2, 0x82]],
  ['lone continuation byte (80)', [0x80]],
  ['byte FF', [0xff]],
  ['above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
  // MAY close [MQTT-1.5.3]; Mosquitto 2 does, so do we.
  ['control U+0001', [0x01]],
  ['control U+001F', [0x1f]],
  ['control U+007F', [0x7f]],
  ['control U+0085 (C2 85)', [0xc2, 0x85]],
  ['non-character U+FDD0 (EF B7 90)', [0xef, 0xb7, 0x90]],
  ['non-character U+FFFE (EF BF BE)', [0xef, 0xbf, 0xbe]],
  ['non-character U+1FFFF (F0 9F BF BF)', [0xf0, 0x9f, 0xbf, 0xbf]],
];

/** Well-formed, allowed text that must still work. */
const GOOD_TEXT: [string, string][] = [
  ['é', 'é'],
  ['€', '€'],
  ['4-byte 😀', '😀'],
  ['literal U+FFFD', '\uFFFD'],
  ['U+00A0', '\u00A0'],
];

function withBytes(prefix: string, bad: number[]): Buffer {
  return Buffer.concat([Buffer.from(prefix), Buffer.from(bad)]);
}

/**
 * Rules the installed Mosquitto (2.0.11 on Debian 12) does not enforce: it accepts these
 * packets and keeps the connection open. That is not a variation the spec allows (a malformed
 * packet or reserved flag bits MUST close the connection, [MQTT-2.2.2-2], [MQTT-4.8.0-1]), so
 * the cases are skipped on Mosquitto rather than written down as expected behaviour; they run
 * on our broker. Newer Mosquitto releases tightened packet validation; not re-checked here.
 */
const MOSQUITTO_LENIENT = new Set([
  'PUBLISH QoS 0 with DUP',
  'over-long ack',
  'ack flags',
  'PINGREQ payload',
]);

describe.each(brokerKinds())('%s: MQTT 3.1.1 refusals', (kind) => {
  /** Skips a case on Mosquitto when it is one of the MOSQUITTO_LENIENT rules. */
  const unlessLenient = (rule: string) => {
    const skip = kind === 'mosquitto' && MOSQUITTO_LENIENT.has(rule);
    if (skip && !warnedLenient.has(rule)) {
      warnedLenient.add(rule);
      console.warn(`mosquitto ${mosquittoVersion() ?? '?'} does not enforce "${rule}": case skipped on mosquitto`);
    }
    return skip;
  };
  let broker: TestBroker;
  const open: RawClient[] = [];
  beforeAll(async () => { broker = await startConformanceBroker(kind); });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await broker.stop();
  });

  async function raw(): Promise<RawClient> {
    const c = await RawClient.open(broker.port);
    open.push(c);
    return c;
  }
  async function connected(o: ConnectOptions = {}): Promise<RawClient> {
    const c = await RawClient.connected(broker.port, o);
    open.push(c);
    return c;
  }

  /** CONNECT that must be answered by closing the connection without any CONNACK. */
  async function expectConnectClosed(o: ConnectOptions | Buffer): Promise<void> {
    const c = await raw();
    c.send(Buffer.isBuffer(o) ? o : connectPacket(o));
    expect(await c.closedWithin()).toBe(true);
    expect(c.packets.map((p) => p.type)).toEqual([]);
  }

  /** CONNECT that must get CONNACK `code`, then a closed connection. */
  async function expectConnack(o: ConnectOptions, code: number): Promise<void> {
    const c = await raw();
    c.send(connectPacket(o));
    const ack = await c.next(0x2);
    expect(ack.body[1]).toBe(code);
    expect(await c.closedWithin()).toBe(true);
  }

  /** After CONNACK 0, `bytes` must make the broker close the connection. */
  async function expectClosedAfter(...bytes: Buffer[]): Promise<RawClient> {
    const c = await connected();
    c.send(...bytes);
    expect(await c.closedWithin()).toBe(true);
    return c;
  }

  /** A subscriber on `prefix/#` (and `#`-free bad topics under it) to prove nothing got through. */
  async function subscriber(prefix: string): Promise<RawClient> {
    const s = await connected();
    s.send(subscribePacket(1, [[`${prefix}/#`, 2]]));
    await s.next(0x9);
    return s;
  }

  /** A bad PUBLISH closes its connection and reaches nobody; a good one afterwards still does. */
  async function expectPublishRefused(build: (prefix: string) => Buffer): Promise<void> {
    const prefix = `conf/${uniqueId()}`;
    const sub = await subscriber(prefix);
    const c = await connected();
    c.send(build(prefix));
    expect(await c.closedWithin()).toBe(true);
    expect(c.packets.filter((p) => p.type !== 0x2)).toEqual([]); // no PUBACK / PUBREC
    const good = await connected();
    good.send(publishPacket(`${prefix}/good`, 'good'));
    await sub.next(0x3);
    await new Promise((r) => setTimeout(r, 50));
    expect(sub.publishes().map((p) => p.payload)).toEqual(['good']);
  }

  describe('UTF-8 strings [MQTT-1.5.3]: ill-formed, U+0000, surrogates, controls, non-characters', () => {
    describe.each(BAD_TEXT)('%s', (_name, bad) => {
      test('in the client id: closed, no CONNACK', async () => {
        await expectConnectClosed({ clientId: withBytes('c', bad) });
      });
      test('in the user name: closed, no CONNACK', async () => {
        await expectConnectClosed({ clientId: uniqueId(), username: withBytes('u', bad), password: 'p' });
      });
      test('in the will topic: closed, no CONNACK', async () => {
        await expectConnectClosed({ will: { topic: withBytes('w/', bad), payload: 'x' } });
      });
      test('in a PUBLISH topic: closed, not delivered', async () => {
        await expectPublishRefused((prefix) => publishPacket(withBytes(`${prefix}/`, bad), 'bad'));
      });
      test('in a SUBSCRIBE filter: closed, no SUBACK', async () => {
        const c = await expectClosedAfter(subscribePacket(3, [[withBytes('f/', bad), 0]]));
        expect(c.packets.filter((p) => p.type === 0x9)).toEqual([]);
      });
      test('in an UNSUBSCRIBE filter: closed, no UNSUBACK', async () => {
        const c = await expectClosedAfter(unsubscribePacket(3, [withBytes('f/', bad)]));
        expect(c.packets.filter((p) => p.type === 0xb)).toEqual([]);
      });
    });

    test.each(GOOD_TEXT)('well-formed %s is accepted everywhere', async (_name, text) => {
      const prefix = `conf/${uniqueId()}`;
      const sub = await connected({ clientId: `c${text}${uniqueId()}`, username: `u${text}`, password: 'p', will: { topic: `${prefix}/${text}/will`, payload: 'w' } });
      sub.send(subscribePacket(1, [[`${prefix}/${text}/#`, 1]]));
      expect((await sub.next(0x9)).body[2]).toBe(1);
      sub.send(publishPacket(`${prefix}/${text}/t`, 'ok', { qos: 1, messageId: 9 }));
      const msg = (await sub.next(0x3)).body;
      expect(msg.subarray(2, 2 + msg.readUInt16BE(0)).toString()).toBe(`${prefix}/${text}/t`);
      sub.send(unsubscribePacket(2, [`${prefix}/${text}/#`]));
      await sub.next(0xb);
      expect(await sub.stillOpen()).toBe(true);
    });
  });

  describe('PUBLISH', () => {
    test.each(['+', '#', 'a/+/b', 'a/#', 'a+b'])('topic name with a wildcard (%s): closed, not delivered [MQTT-3.3.2-2]', async (t) => {
      await expectPublishRefused((prefix) => publishPacket(`${prefix}/${t}`, 'bad'));
    });
    test('empty topic name: closed [MQTT-4.7.3-1]', async () => {
      await expectClosedAfter(publishPacket('', 'bad'));
    });
    test('QoS 1 with packet id 0: closed, no PUBACK, not delivered [MQTT-2.3.1-1]', async () => {
      await expectPublishRefused((prefix) => publishPacket(`${prefix}/q1`, 'bad', { qos: 1, messageId: 0 }));
    });
    test('QoS 2 with packet id 0: closed, no PUBREC, not delivered [MQTT-2.3.1-1]', async () => {
      await expectPublishRefused((prefix) => publishPacket(`${prefix}/q2`, 'bad', { qos: 2, messageId: 0 }));
    });
    test.skipIf(unlessLenient('PUBLISH QoS 0 with DUP'))('QoS 0 with DUP set: closed, not delivered [MQTT-3.3.1-2]', async () => {
      await expectPublishRefused((prefix) => publishPacket(`${prefix}/dup`, 'bad', { qos: 0, dup: true }));
    });
    test('QoS 3 (both QoS bits): closed, not delivered [MQTT-3.3.1-4]', async () => {
      await expectPublishRefused((prefix) => publishPacket(`${prefix}/q3`, 'bad', { qos: 3, messageId: 1 }));
    });
    test('QoS 1 and 2 with DUP and a real packet id are accepted', async () => {
      const c = await connected();
      c.send(publishPacket(`conf/${uniqueId()}`, 'x', { qos: 1, dup: true, messageId: 65535 }));
      expect((await c.next(0x4)).body.readUInt16BE(0)).toBe(65535);
      c.send(publishPacket(`conf/${uniqueId()}`, 'x', { qos: 2, dup: true, messageId: 1 }));
      expect((await c.next(0x5)).body.readUInt16BE(0)).toBe(1);
    });
  });

  describe('PUBACK / PUBREC / PUBREL / PUBCOMP', () => {
    const acks: [string, number][] = [['PUBACK', 0x40], ['PUBREC', 0x50], ['PUBREL', 0x62], ['PUBCOMP', 0x70]];
    describe.each(acks)('%s', (_name, first) => {
      test('with packet id 0: closed [MQTT-2.3.1-1]', async () => {
        await expectClosedAfter(ackPacket(first, 0));
      });
      test('truncated (remaining length 1): closed', async () => {
        await expectClosedAfter(packet(first, [0x00]));
      });
      test('empty (remaining length 0): closed', async () => {
        await expectClosedAfter(packet(first, []));
      });
      test.skipIf(unlessLenient('over-long ack'))('over-long (remaining length 3): closed', async () => {
        await expectClosedAfter(packet(first, [0x00, 0x07, 0x00]));
      });
      test.skipIf(first !== 0x62 && unlessLenient('ack flags'))('with wrong fixed-header flags: closed [MQTT-2.2.2-2]', async () => {
        await expectClosedAfter(ackPacket(first ^ 0x02, 7));
      });
      test('well-formed, for an unknown packet id: ignored, connection stays open', async () => {
        const c = await connected();
        c.send(ackPacket(first, 7));
        expect(await c.stillOpen()).toBe(true);
      });
    });
  });

  describe('CONNECT', () => {
    test('will QoS 3: closed, no CONNACK [MQTT-3.1.2-14]', async () => {
      await expectConnectClosed({ will: { topic: 'w', payload: 'x', qos: 3 } });
    });
    test('will retain without the will flag: closed, no CONNACK [MQTT-3.1.2-15]', async () => {
      await expectConnectClosed({ extraFlags: 0x20 });
    });
    test('will QoS without the will flag: closed, no CONNACK [MQTT-3.1.2-13]', async () => {
      await expectConnectClosed({ extraFlags: 0x08 });
    });
    test('password without user name: closed, no CONNACK [MQTT-3.1.2-22]', async () => {
      await expectConnectClosed({ password: 'secret' });
    });
    test('reserved flag bit set: closed, no CONNACK [MQTT-3.1.2-3]', async () => {
      await expectConnectClosed({ extraFlags: 0x01 });
    });
    test('will topic with a wildcard: closed, no CONNACK [MQTT-3.1.3-11]', async () => {
      await expectConnectClosed({ will: { topic: 'w/#', payload: 'x' } });
    });
    test('empty will topic: closed, no CONNACK [MQTT-4.7.3-1]', async () => {
      await expectConnectClosed({ will: { topic: '', payload: 'x' } });
    });
    test('empty client id with clean session 0: CONNACK 2, then closed [MQTT-3.1.3-8]', async () => {
      await expectConnack({ clientId: '', clean: false }, 2);
    });
    test('empty client id with clean session 1 is accepted [MQTT-3.1.3-6]', async () => {
      const c = await connected({ clientId: '', clean: true });
      expect(await c.stillOpen()).toBe(true);
    });
    test.each([
      ['"MQTT" level 3', 'MQTT', 3],
      ['"MQTT" level 2', 'MQTT', 2],
      ['"MQTT" level 6', 'MQTT', 6],
      ['"MQTT" level 127', 'MQTT', 127],
      ['"MQIsdp" level 4', 'MQIsdp', 4],
    ])('unsupported protocol level (%s): CONNACK 1, then closed [MQTT-3.1.2-2]', async (_n, protocolName, protocolLevel) => {
      await expectConnack({ protocolName, protocolLevel }, 1);
    });
    test('"MQIsdp" level 3 (MQTT 3.1) is accepted', async () => {
      const c = await connected({ protocolName: 'MQIsdp', protocolLevel: 3, clientId: 'mqtt31' });
      expect(await c.stillOpen()).toBe(true);
    });
    test('a second CONNECT on a connection: closed [MQTT-3.1.0-2]', async () => {
      const c = await expectClosedAfter(connectPacket());
      expect(c.packets.filter((p) => p.type === 0x2)).toHaveLength(1);
    });
    test('a packet before CONNECT: closed [MQTT-3.1.0-1]', async () => {
      const c = await raw();
      c.send(PINGREQ);
      expect(await c.closedWithin()).toBe(true);
      expect(c.packets).toEqual([]);
    });
  });

  describe('SUBSCRIBE / UNSUBSCRIBE / PINGREQ / DISCONNECT', () => {
    test('SUBSCRIBE without topic filters: closed, no SUBACK [MQTT-3.8.3-3]', async () => {
      const c = await expectClosedAfter(packet(0x82, [0x00, 0x01]));
      expect(c.packets.filter((p) => p.type === 0x9)).toEqual([]);
    });
    test('SUBSCRIBE with requested QoS 3: closed, no SUBACK [MQTT-3-8.3-4]', async () => {
      const c = await expectClosedAfter(subscribePacket(1, [['a/b', 3]]));
      expect(c.packets.filter((p) => p.type === 0x9)).toEqual([]);
    });
    test('SUBSCRIBE with reserved bits in the requested QoS byte: closed [MQTT-3-8.3-4]', async () => {
      await expectClosedAfter(subscribePacket(1, [['a/b', 0x04]]));
    });
    test('SUBSCRIBE with a filter but no QoS byte: closed', async () => {
      await expectClosedAfter(packet(0x82, Buffer.concat([Buffer.from([0x00, 0x01]), str('a/b')])));
    });
    test('SUBSCRIBE with packet id 0: closed [MQTT-2.3.1-1]', async () => {
      await expectClosedAfter(subscribePacket(0, [['a/b', 0]]));
    });
    test('SUBSCRIBE with wrong fixed-header flags: closed [MQTT-3.8.1-1]', async () => {
      await expectClosedAfter(packet(0x80, Buffer.concat([Buffer.from([0x00, 0x01]), str('a/b'), Buffer.from([0])])));
    });
    test('UNSUBSCRIBE without topic filters: closed, no UNSUBACK [MQTT-3.10.3-2]', async () => {
      const c = await expectClosedAfter(packet(0xa2, [0x00, 0x01]));
      expect(c.packets.filter((p) => p.type === 0xb)).toEqual([]);
    });
    test('UNSUBSCRIBE with packet id 0: closed [MQTT-2.3.1-1]', async () => {
      await expectClosedAfter(unsubscribePacket(0, ['a/b']));
    });
    test.skipIf(unlessLenient('PINGREQ payload'))('PINGREQ with a payload (remaining length 1): closed, no PINGRESP', async () => {
      const c = await expectClosedAfter(packet(0xc0, [0x00]));
      expect(c.packets.filter((p) => p.type === 0xd)).toEqual([]);
    });
    test('PINGREQ with remaining length 0 is answered', async () => {
      const c = await connected();
      expect(await c.stillOpen()).toBe(true);
    });
    test('DISCONNECT with a payload is a protocol error: closed, and the will is published [MQTT-3.14.1, MQTT-3.1.2-8]', async () => {
      const prefix = `conf/${uniqueId()}`;
      const sub = await subscriber(prefix);
      const c = await connected({ will: { topic: `${prefix}/will`, payload: 'gone' } });
      c.send(packet(0xe0, [0x00]));
      expect(await c.closedWithin()).toBe(true);
      await sub.next(0x3);
      expect(sub.publishes().map((p) => p.payload)).toEqual(['gone']);
    });
    test('a well-formed DISCONNECT discards the will [MQTT-3.14.4-3]', async () => {
      const prefix = `conf/${uniqueId()}`;
      const sub = await subscriber(prefix);
      const c = await connected({ will: { topic: `${prefix}/will`, payload: 'gone' } });
      c.send(DISCONNECT);
      expect(await c.closedWithin()).toBe(true);
      await new Promise((r) => setTimeout(r, 150));
      expect(await sub.stillOpen()).toBe(true);
      expect(sub.publishes()).toEqual([]);
    });
  });
});
