/**
 * Unit tests of src/protocol/conformance.ts: the pure packet checks, and a pin on the private
 * mqtt-packet parser surface they hook into (fails when an aedes/mqtt-packet upgrade moves it).
 */
import { PassThrough } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { describe, expect, it, test, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createBroker } from '../../src/broker';
import {
  checkPacket, checkProtocolLevel, guardClient, installConformanceChecks, parserSupported, rawStringFields, type ParsedPacket,
} from '../../src/protocol/conformance';
import { connectPacket, packet, publishPacket, RawClient, str } from './raw-client';

describe('checkPacket', () => {
  const none = Buffer.alloc(0);
  test('the PUBLISH fast path accepts ordinary topics', () => {
    expect(checkPacket({ cmd: 'publish', length: 10, qos: 1, messageId: 5, topic: 'helen/v1/devices/d1/predict' }, none)).toBeUndefined();
  });
  test.each<[string, ParsedPacket]>([
    ['dup on QoS 0', { cmd: 'publish', length: 5, qos: 0, dup: true, topic: 'a' }],
    ['packet id 0', { cmd: 'publish', length: 5, qos: 2, messageId: 0, topic: 'a' }],
    ['wildcard', { cmd: 'publish', length: 5, qos: 0, topic: 'a/+' }],
    ['empty topic', { cmd: 'publish', length: 2, qos: 0, topic: '' }],
    ['U+0000', { cmd: 'publish', length: 5, qos: 0, topic: 'a\u0000' }],
    ['supplementary non-character U+10FFFF', { cmd: 'publish', length: 5, qos: 0, topic: 'a\u{10FFFF}' }],
    ['puback length 3', { cmd: 'puback', length: 3, messageId: 1 }],
    ['pubrel id 0', { cmd: 'pubrel', length: 2, messageId: 0 }],
    ['empty subscribe', { cmd: 'subscribe', length: 2, messageId: 1, subscriptions: [] }],
    ['empty unsubscribe', { cmd: 'unsubscribe', length: 2, messageId: 1, unsubscriptions: [] }],
    ['pingreq with payload', { cmd: 'pingreq', length: 1 }],
    ['will qos 3', { cmd: 'connect', length: 20, protocolVersion: 4, clean: true, clientId: 'c', will: { topic: 'w', qos: 3 } }],
    ['password only', { cmd: 'connect', length: 20, protocolVersion: 4, clean: true, clientId: 'c', password: Buffer.from('p') }],
  ])('refuses %s', (_name, p) => {
    expect(checkPacket(p, none)).toMatchObject({ reason: expect.any(String) });
  });
  test('empty client id with clean session 0 asks for CONNACK 2', () => {
    expect(checkPacket({ cmd: 'connect', length: 12, protocolVersion: 4, clean: false, clientId: '' }, none)?.connack).toBe(2);
  });
  test('U+FFFD decides on the raw bytes: literal U+FFFD is fine, a decoded bad byte is not', () => {
    const good = Buffer.concat([str(Buffer.from('a\uFFFD')), Buffer.from('payload')]);
    const bad = Buffer.concat([str([0x61, 0xff]), Buffer.from('payload')]);
    expect(checkPacket({ cmd: 'publish', length: good.length, qos: 0, topic: 'a\uFFFD' }, good)).toBeUndefined();
    expect(checkPacket({ cmd: 'publish', length: bad.length, qos: 0, topic: 'a\uFFFD' }, bad)?.reason).toMatch(/ill-formed UTF-8/);
  });
  test('rawStringFields walks CONNECT: client id, will topic, user name (not the password)', () => {
    const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0x80 | 0x40 | 0x04, 0, 60]), str('cid'), str('will/t'), str('wp'), str('user'), str('pw')]);
    const fields = rawStringFields({ cmd: 'connect', length: body.length }, body).map(String);
    expect(fields).toEqual(['cid', 'will/t', 'user']);
  });
  test('checkProtocolLevel: CONNACK 1 for "MQTT" 3, none for 4 and 5 or for "MQIsdp" 3', () => {
    const body = (name: string, level: number) => Buffer.concat([str(name), Buffer.from([level, 2, 0, 60]), str('c')]);
    expect(checkProtocolLevel(body('MQTT', 3), 13)?.connack).toBe(1);
    expect(checkProtocolLevel(body('MQTT', 4), 13)).toBeUndefined();
    expect(checkProtocolLevel(body('MQTT', 5), 13)).toBeUndefined();
    expect(checkProtocolLevel(body('MQIsdp', 3), 15)).toBeUndefined();
  });
});

describe('mqtt-packet internals the checks rely on', () => {
  test('an aedes client parser has _newPacket, _parseConnect, parse, _list and packet', async () => {
    const aedes = new Aedes();
    const stream = new PassThrough();
    const client = aedes.handle(stream);
    expect(parserSupported((client as unknown as { _parser: unknown })._parser)).toBe(true);
    stream.destroy();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  });
  test('installConformanceChecks wraps the parser of every handled connection, once', async () => {
    const aedes = new Aedes();
    installConformanceChecks(aedes);
    installConformanceChecks(aedes);
    const stream = new PassThrough();
    const parser = (aedes.handle(stream) as unknown as { _parser: { _newPacket: { name: string } } })._parser;
    expect(parser._newPacket.name).toBe('guardedNewPacket');
    stream.destroy();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  });
  test('fails closed when the parser does not look as expected', () => {
    const destroy = vi.fn();
    guardClient({ _parser: {}, conn: { destroy } } as unknown as Client);
    expect(destroy).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/unsupported mqtt-packet parser/) }));
  });
});

describe('listeners', () => {
  test('the checks also guard the WebSocket listener', async () => {
    const broker = createBroker({ port: 0, host: '127.0.0.1', wsPort: 0 });
    const { wsPort } = await broker.start();
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${wsPort}`, 'mqtt');
      const frames: Buffer[] = [];
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.on('message', (data: Buffer) => frames.push(data));
      await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
      ws.send(connectPacket());
      // aedes' writer may split one packet over several WebSocket frames
      await vi.waitFor(() => expect([...Buffer.concat(frames)]).toEqual([0x20, 2, 0, 0]));
      ws.send(packet(0xc0, [0x00])); // PINGREQ with a payload
      await closed;
      expect([...Buffer.concat(frames)]).toEqual([0x20, 2, 0, 0]); // no PINGRESP
    } finally {
      await broker.stop();
    }
  });
});

describe('protocol violations are counted', () => {
  it('as refused{reason="protocol_violation"} in the broker metrics', async () => {
    const broker = createBroker({ port: 0, host: '127.0.0.1' });
    const { tcpPort } = await broker.start();
    try {
      const before = broker.metrics.snapshot().refused;
      const c = await RawClient.connected(tcpPort);
      c.send(publishPacket('a/+/b', 'bad'));
      await c.closed;
      await new Promise((r) => setTimeout(r, 50));
      expect(broker.metrics.snapshot().refused - before).toBe(1);
    } finally {
      await broker.stop();
    }
  });
});
