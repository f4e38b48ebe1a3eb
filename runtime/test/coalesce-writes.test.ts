/**
 * coalesceWrites: packets written from separate callbacks of one event-loop turn leave in one
 * writev, on a real loopback socket with mqtt-packet's own per-packet cork (the way mqtt.js
 * and aedes write); a lone packet is not held past its turn; a closed or ended stream is safe.
 */
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../src/mqtt/coalesce-writes';

let server: Server;
let client: Socket;
let received: Buffer[];

beforeEach(async () => {
  received = [];
  server = createServer((s) => s.on('data', (d: Buffer) => received.push(d)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  client = connect(port, '127.0.0.1');
  await once(client, 'connect');
});

afterEach(async () => {
  client.destroy();
  await new Promise((r) => server.close(r));
});

/** Counts the socket's system-call-level writes (net.Socket sends a corked run through _writev). */
function countWrites(socket: Socket): { calls: number; chunks: number } {
  const counts = { calls: 0, chunks: 0 };
  const s = socket as unknown as { _writev: (chunks: unknown[], cb: () => void) => void; _write: (...a: unknown[]) => void };
  const writev = s._writev.bind(socket);
  const write = s._write.bind(socket);
  s._writev = (chunks, cb) => { counts.calls++; counts.chunks += chunks.length; writev(chunks, cb); };
  s._write = (...a) => { counts.calls++; counts.chunks++; write(...a); };
  return counts;
}

const publish = (i: number) => ({ cmd: 'publish' as const, topic: `t/${i}`, payload: Buffer.alloc(200, i), qos: 0 as const, dup: false, retain: false });

/**
 * Writes one packet from each of `n` callbacks of the same loop turn, as separate requests
 * would: immediates queued before the check phase all run in it, with the nextTick queue
 * drained after each. (Timers would not do: each setTimeout reads the clock again, so under
 * load they can expire in different turns.)
 */
async function writeFromSeparateCallbacks(socket: Socket, n: number): Promise<void> {
  const done: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    done.push(new Promise((resolve) => setImmediate(() => { mqttPacket.writeToStream(publish(i), socket); resolve(); })));
  }
  await Promise.all(done);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

async function bytesArrive(expected: number): Promise<void> {
  const until = Date.now() + 2000;
  while (received.reduce((n, b) => n + b.length, 0) < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  expect(received.reduce((n, b) => n + b.length, 0)).toBe(expected);
}

const packetBytes = (n: number) => Array.from({ length: n }, (_, i) => mqttPacket.generate(publish(i)).length).reduce((a, b) => a + b, 0);

describe('coalesceWrites', () => {
  it('without it, each callback\'s packet is its own write (what it fixes)', async () => {
    const counts = countWrites(client);
    await writeFromSeparateCallbacks(client, 5);
    expect(counts.calls).toBe(5);
    await bytesArrive(packetBytes(5));
  });

  it('sends the packets of separate callbacks of one turn in one write, bytes in order', async () => {
    coalesceWrites(client);
    const counts = countWrites(client);
    await writeFromSeparateCallbacks(client, 5);
    expect(counts).toEqual({ calls: 1, chunks: expect.any(Number) });
    await bytesArrive(packetBytes(5));
    const parser = mqttPacket.parser();
    const topics: string[] = [];
    parser.on('packet', (p) => topics.push((p as { topic: string }).topic));
    parser.parse(Buffer.concat(received));
    expect(topics).toEqual(['t/0', 't/1', 't/2', 't/3', 't/4']);
  });

  it('does not hold a lone packet past the turn it was written in', async () => {
    coalesceWrites(client);
    const counts = countWrites(client);
    mqttPacket.writeToStream(publish(0), client);
    expect(counts.calls).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(counts.calls).toBe(1);
    await bytesArrive(packetBytes(1));
  });

  it('sends at once what reaches the high-water mark, so held bytes never look like a backlog', async () => {
    coalesceWrites(client);
    const counts = countWrites(client);
    mqttPacket.writeToStream(publish(0), client);
    expect(counts.calls).toBe(0);
    const big = { ...publish(1), payload: Buffer.alloc(client.writableHighWaterMark, 1) };
    mqttPacket.writeToStream(big, client);
    // mqtt-packet's own cork still holds the packet until its nextTick; ours is released.
    await new Promise<void>((r) => process.nextTick(r));
    expect(counts.calls).toBe(1);
    await bytesArrive(mqttPacket.generate(publish(0)).length + mqttPacket.generate(big).length);
  });

  it('is idempotent: wrapping twice still releases every cork', async () => {
    coalesceWrites(client);
    coalesceWrites(client);
    await writeFromSeparateCallbacks(client, 3);
    await bytesArrive(packetBytes(3));
    expect(client.writableCorked).toBe(0);
  });

  it('a stream destroyed or ended while held neither throws nor loses what end() flushes', async () => {
    const chunks: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
    coalesceWrites(sink);
    sink.write('a');
    sink.end('b');
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(['a', 'b']);

    const doomed = new Writable({ write(_c, _e, cb) { cb(); } });
    doomed.on('error', () => {});
    coalesceWrites(doomed);
    doomed.write('x');
    doomed.destroy();
    await new Promise((r) => setImmediate(r));
    expect(doomed.destroyed).toBe(true);
  });
});
