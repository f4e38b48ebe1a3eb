/**
 * A raw-socket MQTT 3.1.1 test client: builds hand-made packets (including malformed ones that
 * mqtt.js refuses to send) and reports what the broker answers and whether it closed the
 * connection. Only for tests; no retries, no reconnects.
 */
import { connect, type Socket } from 'node:net';
import { createBroker } from '../../src/broker';
import { startTestBroker, type TestBroker, type TestBrokerKind } from '../../src/testing';

/** A string field: text (UTF-8 encoded) or the exact bytes to put on the wire. */
export type Str = string | Buffer | number[];

export function str(s: Str): Buffer {
  const body = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** A packet from its first byte and body; `remainingLength` overrides the encoded length. */
export function packet(firstByte: number, body: Buffer | number[] = [], remainingLength?: number): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from([firstByte]), varint(remainingLength ?? b.length), b]);
}

export interface ConnectOptions {
  clientId?: Str;
  clean?: boolean;
  keepalive?: number;
  protocolName?: Str;
  protocolLevel?: number;
  will?: { topic: Str; payload?: Str; qos?: number; retain?: boolean };
  username?: Str;
  password?: Str;
  /** OR-ed into the connect flags byte after the computed flags (e.g. 0x01 reserved, 0x20 will retain alone). */
  extraFlags?: number;
  /** Leave out the username field while still setting its flag, etc.: raw control over flags. */
  flags?: number;
}

let seq = 0;
export function uniqueId(prefix = 'raw'): string {
  return `${prefix}-${process.pid}-${++seq}`;
}

export function connectPacket(o: ConnectOptions = {}): Buffer {
  const clean = o.clean ?? true;
  let flags = clean ? 0x02 : 0;
  const payload: Buffer[] = [str(o.clientId ?? uniqueId())];
  if (o.will) {
    flags |= 0x04 | ((o.will.qos ?? 0) << 3) | (o.will.retain ? 0x20 : 0);
    payload.push(str(o.will.topic), str(o.will.payload ?? ''));
  }
  if (o.username !== undefined) {
    flags |= 0x80;
    payload.push(str(o.username));
  }
  if (o.password !== undefined) {
    flags |= 0x40;
    payload.push(str(o.password));
  }
  flags |= o.extraFlags ?? 0;
  if (o.flags !== undefined) flags = o.flags;
  const header = Buffer.concat([
    str(o.protocolName ?? 'MQTT'),
    Buffer.from([o.protocolLevel ?? 4, flags]),
    u16(o.keepalive ?? 60),
  ]);
  return packet(0x10, Buffer.concat([header, ...payload]));
}

export interface PublishOptions {
  qos?: number;
  dup?: boolean;
  retain?: boolean;
  messageId?: number;
}

export function publishPacket(topic: Str, payload: Str = 'x', o: PublishOptions = {}): Buffer {
  const qos = o.qos ?? 0;
  const first = 0x30 | (o.dup ? 0x08 : 0) | (qos << 1) | (o.retain ? 0x01 : 0);
  const parts = [str(topic)];
  if (qos > 0) parts.push(u16(o.messageId ?? 1));
  parts.push(typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload));
  return packet(first, Buffer.concat(parts));
}

/** SUBSCRIBE with (filter, requested-QoS byte) pairs. */
export function subscribePacket(messageId: number, subs: [Str, number][]): Buffer {
  return packet(0x82, Buffer.concat([u16(messageId), ...subs.flatMap(([f, q]) => [str(f), Buffer.from([q])])]));
}

export function unsubscribePacket(messageId: number, filters: Str[]): Buffer {
  return packet(0xa2, Buffer.concat([u16(messageId), ...filters.map(str)]));
}

/** PUBACK 0x40, PUBREC 0x50, PUBREL 0x62, PUBCOMP 0x70 with a 2-byte packet id. */
export function ackPacket(firstByte: number, messageId: number): Buffer {
  return packet(firstByte, u16(messageId));
}

export const PINGREQ = packet(0xc0);
export const DISCONNECT = packet(0xe0);

export interface RawPacket {
  type: number;
  flags: number;
  body: Buffer;
}

/** A received PUBLISH, decoded. */
export interface RawPublish {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  payload: string;
}

export function decodePublish(p: RawPacket): RawPublish {
  const len = p.body.readUInt16BE(0);
  const topic = p.body.subarray(2, 2 + len).toString('utf8');
  const qos = (p.flags >> 1) & 3;
  let pos = 2 + len;
  let messageId: number | undefined;
  if (qos > 0) {
    messageId = p.body.readUInt16BE(pos);
    pos += 2;
  }
  return { topic, qos, retain: (p.flags & 1) === 1, dup: (p.flags & 8) === 8, messageId, payload: p.body.subarray(pos).toString('utf8') };
}

export class RawClient {
  readonly packets: RawPacket[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.split();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      resolve();
      this.wake();
    }));
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
    });
  }

  /** Opens a connection and completes a clean CONNECT/CONNACK 0 handshake. */
  static async connected(port: number, o: ConnectOptions = {}): Promise<RawClient> {
    const c = await RawClient.open(port);
    c.send(connectPacket(o));
    const ack = await c.next(0x2);
    if (ack.body[1] !== 0) throw new Error(`CONNACK ${ack.body[1]}`);
    return c;
  }

  send(...bytes: (Buffer | number[])[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(bytes.map((b) => Buffer.from(b))));
  }

  private split(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      let mul = 1;
      let len = 0;
      let i = 1;
      let done = false;
      while (i < this.buf.length && i <= 4) {
        const byte = this.buf[i++]!;
        len += (byte & 0x7f) * mul;
        mul *= 128;
        if ((byte & 0x80) === 0) { done = true; break; }
      }
      if (!done || this.buf.length < i + len) return;
      const first = this.buf[0]!;
      this.packets.push({ type: first >> 4, flags: first & 0xf, body: this.buf.subarray(i, i + len) });
      this.buf = this.buf.subarray(i + len);
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private consumed = new Set<RawPacket>();

  /** The oldest received packet of `type` not returned before; rejects on close or timeout. */
  async next(type: number, timeoutMs = 3000): Promise<RawPacket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.packets.find((x) => x.type === type && !this.consumed.has(x));
      if (p) {
        this.consumed.add(p);
        return p;
      }
      if (this.isClosed) throw new Error(`connection closed while waiting for packet type ${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no packet of type ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Received PUBLISH packets, decoded. */
  publishes(): RawPublish[] {
    return this.packets.filter((p) => p.type === 3).map(decodePublish);
  }

  /** True when the broker closed the connection within `timeoutMs`. */
  async closedWithin(timeoutMs = 2000): Promise<boolean> {
    if (this.isClosed) return true;
    let t: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((resolve) => { t = setTimeout(() => resolve(false), timeoutMs); }),
    ]);
    clearTimeout(t);
    return r;
  }

  /** Still open after a PINGREQ/PINGRESP round trip (the broker has processed everything before it). */
  async stillOpen(timeoutMs = 2000): Promise<boolean> {
    if (this.isClosed) return false;
    this.send(PINGREQ);
    try {
      await this.next(0xd, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * startTestBroker(kind), except that our broker runs without the per-address connection rate
 * limit (limits.ts: 20/s, burst 100 from 127.0.0.1): these suites open hundreds of short
 * connections from one address. Everything else is the default createBroker configuration.
 */
export async function startConformanceBroker(kind: TestBrokerKind): Promise<TestBroker> {
  if (kind !== 'aedes') return startTestBroker(kind);
  const broker = createBroker({ port: 0, host: '127.0.0.1', limits: { connectionRatePerSec: 0 } });
  const { tcpPort } = await broker.start();
  return { url: `mqtt://127.0.0.1:${tcpPort}`, port: tcpPort, kind, broker, stop: () => broker.stop() };
}
