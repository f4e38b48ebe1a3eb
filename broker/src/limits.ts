/**
 * Resource limits of the public broker. Each acts with one warn log line saying what was
 * refused and why (repeats per key are folded into one line per 10 s with a count):
 *
 * - connections: a cap on simultaneous connections over all listeners and a token bucket per
 *   remote address, both checked on the raw TCP connection (before any TLS handshake or
 *   HTTP upgrade, so a flood costs an accept and a close, nothing more);
 * - packet size: checked by mqtt-packet's parser right after the fixed header's remaining
 *   length is read, so an oversized packet is refused before its body is buffered;
 * - keepalive: aedes' own `keepaliveLimit` (refuses keepalive 0 and anything above the limit);
 * - queued outgoing bytes: checked on every write to a client's stream, a client whose unsent
 *   backlog passes the cap is disconnected (a stuck consumer cannot grow the broker's memory);
 * - retained messages: a cap on the number of retained topics; past it a new retained topic is
 *   delivered live but not stored (updates and deletes of stored topics always work; the
 *   broker's own `$SYS/` topics are not counted).
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import type { Logger } from 'pino';

export interface BrokerLimits {
  /** Largest MQTT packet a client may send (fixed header included); 0 = MQTT's own maximum (256 MiB). */
  maxPacketBytes: number;
  /** Simultaneous connections over every listener; 0 = no cap. */
  maxConnections: number;
  /** New connections per second and remote address (token refill rate); 0 = no rate limit. */
  connectionRatePerSec: number;
  /** Token bucket size: connections one address may open at once before the rate applies. */
  connectionBurst: number;
  /** Largest keepalive (s) a client may ask for; keepalive 0 is refused too. 0 = no check. */
  maxKeepaliveS: number;
  /** Unsent bytes queued towards one client before it is disconnected; 0 = no cap. */
  maxQueuedBytes: number;
  /** Retained topics stored; 0 = no cap. */
  maxRetained: number;
}

export const DEFAULT_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  // Above the largest request the schemas accept in binary form (1024 frames x 1024 features x
  // f32 = 4 MiB + header); Helen's real messages are a few KiB.
  maxPacketBytes: 8 * 1024 * 1024,
  maxConnections: 5000,
  connectionRatePerSec: 20,
  connectionBurst: 100,
  maxKeepaliveS: 3600,
  maxQueuedBytes: 32 * 1024 * 1024,
  maxRetained: 10_000,
});

/** The parser internals the packet-size check hooks into (mqtt-packet 9, as used by aedes 1.2). */
interface PacketParser {
  packet: { cmd?: string; length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

interface Bucket { tokens: number; at: number }

export type LimitReason = 'max_connections' | 'connection_rate' | 'packet_too_large' | 'slow_consumer' | 'retained_limit';

/** One warn line per key, then at most one per `windowMs` carrying how many were folded in. */
export class FoldedLog {
  private last = new Map<string, { at: number; folded: number }>();
  constructor(private readonly log: Logger, private readonly windowMs = 10_000) {}

  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.windowMs) {
      seen.folded++;
      return;
    }
    this.last.set(key, { at: now, folded: 0 });
    this.log.warn(seen && seen.folded > 0 ? { ...fields, alsoRefusedSinceLastLine: seen.folded } : fields, msg);
    if (this.last.size > 10_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [k, v] of this.last) if (now - v.at >= this.windowMs) this.last.delete(k);
  }
}

export class ConnectionLimits {
  readonly limits: Readonly<BrokerLimits>;
  private open = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly folded: FoldedLog;
  private readonly retainedTopics = new Set<string>();
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Where refusals are counted (the broker wires BrokerMetrics.refused); reasons are a fixed set. */
  private count: (reason: LimitReason) => void = () => undefined;

  constructor(limits: Partial<BrokerLimits> | undefined, private readonly log: Logger) {
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...limits });
    this.folded = new FoldedLog(log);
    const l = this.limits;
    if (l.maxQueuedBytes > 0 && l.maxPacketBytes > 0 && l.maxQueuedBytes < l.maxPacketBytes) {
      throw new Error(`broker limits: maxQueuedBytes (${l.maxQueuedBytes}) must be >= maxPacketBytes (${l.maxPacketBytes})`);
    }
    if (l.connectionRatePerSec > 0 && l.connectionBurst < 1) throw new Error('broker limits: connectionBurst must be >= 1');
  }

  /** Counts each refusal (e.g. `metrics.refused`): max_connections, connection_rate, packet_too_large, slow_consumer, retained_limit. */
  countWith(count: (reason: LimitReason) => void): void {
    this.count = count;
  }

  /** Options for the aedes constructor. */
  aedesOptions(): { keepaliveLimit: number } {
    return { keepaliveLimit: this.limits.maxKeepaliveS };
  }

  /** Simultaneous connections now admitted (all listeners). */
  get connections(): number {
    return this.open;
  }

  /** Number of retained topics counted against maxRetained. */
  get retainedCount(): number {
    return this.retainedTopics.size;
  }

  /**
   * Call first thing on every accepted raw TCP socket. false: the socket has been destroyed
   * (and logged); true: it counts against maxConnections until it closes.
   */
  admit(socket: Socket, listener: string): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    const l = this.limits;
    if (l.maxConnections > 0 && this.open >= l.maxConnections) {
      this.count('max_connections');
      this.folded.warn('max-connections', { listener, remoteAddress: address, maxConnections: l.maxConnections },
        'connection refused: maximum simultaneous connections reached (HELEN_BROKER_MAX_CONNECTIONS)');
      socket.destroy();
      return false;
    }
    if (l.connectionRatePerSec > 0 && !this.take(address)) {
      this.count('connection_rate');
      this.folded.warn(`rate:${address}`, { listener, remoteAddress: address, ratePerSec: l.connectionRatePerSec, burst: l.connectionBurst },
        'connection refused: too many new connections from this address (HELEN_BROKER_CONNECTION_RATE)');
      socket.destroy();
      return false;
    }
    this.open++;
    socket.once('close', () => this.open--);
    return true;
  }

  /** Token bucket per remote address; full buckets are forgotten by a periodic prune. */
  private take(address: string): boolean {
    const now = Date.now();
    const { connectionRatePerSec: rate, connectionBurst: burst } = this.limits;
    const b = this.buckets.get(address) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(address, b);
    if (!this.pruneTimer) {
      this.pruneTimer = setInterval(() => this.pruneBuckets(), 60_000);
      this.pruneTimer.unref();
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private pruneBuckets(): void {
    const now = Date.now();
    const { connectionRatePerSec: rate, connectionBurst: burst } = this.limits;
    for (const [a, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * rate >= burst) this.buckets.delete(a);
  }

  /**
   * Call with what `aedes.handle(stream)` returned. Installs the packet-size check on the
   * client's parser and the queued-bytes check on its stream. `queued` measures the unsent
   * backlog (default: the stream's writableLength).
   */
  guard(client: Client, stream: Duplex, listener: string, queued: () => number = () => stream.writableLength): void {
    const address = (stream as Partial<Socket>).remoteAddress ?? client.req?.socket.remoteAddress ?? 'unknown';
    if (this.limits.maxPacketBytes > 0 && !this.guardPacketSize(client, listener, address)) {
      // aedes/mqtt-packet changed shape: refuse the connection rather than run without the limit.
      this.log.error({ listener }, 'broker limits: cannot hook the aedes packet parser (aedes/mqtt-packet version changed); connection refused');
      stream.destroy(new Error('broker limits: unsupported aedes packet parser'));
      return;
    }
    if (this.limits.maxQueuedBytes > 0) this.guardQueue(client, stream, listener, address, queued);
  }

  private guardPacketSize(client: Client, listener: string, address: string): boolean {
    const max = this.limits.maxPacketBytes;
    const parser = (client as unknown as { _parser?: PacketParser })._parser;
    if (!parser || typeof parser._parseLength !== 'function' || typeof parser._emitError !== 'function') return false;
    const parseLength = parser._parseLength;
    const log = this.log;
    const count = () => this.count('packet_too_large');
    parser._parseLength = function checkedParseLength(this: PacketParser): boolean {
      const done = parseLength.call(this);
      // remaining length + 1 byte type/flags + 1-4 bytes of the length itself
      if (done) {
        const lengthBytes = this.packet.length < 128 ? 1 : this.packet.length < 16_384 ? 2 : this.packet.length < 2_097_152 ? 3 : 4;
        const size = this.packet.length + 1 + lengthBytes;
        if (size > max) {
          count();
          log.warn({ listener, remoteAddress: address, clientId: client.id ?? undefined, cmd: this.packet.cmd, packetBytes: size, maxPacketBytes: max },
            'packet too large: closing the connection (HELEN_BROKER_MAX_PACKET_BYTES)');
          this._emitError(new Error(`packet too large: ${size} bytes > ${max}`));
          return false;
        }
      }
      return done;
    };
    return true;
  }

  private guardQueue(client: Client, stream: Duplex, listener: string, address: string, queued: () => number): void {
    const max = this.limits.maxQueuedBytes;
    type Write = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;
    const target = stream as unknown as { write: Write };
    const write = target.write;
    const log = this.log;
    const count = () => this.count('slow_consumer');
    let tripped = false;
    // Fixed arity (no rest array): this runs on every write mqtt-packet makes, several per packet.
    target.write = function checkedWrite(this: unknown, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
      const ok = write.call(this, chunk, encoding, cb);
      if (!ok && !tripped) {
        const bytes = queued();
        if (bytes > max) {
          tripped = true;
          count();
          log.warn({ listener, remoteAddress: address, clientId: client.id ?? undefined, queuedBytes: bytes, maxQueuedBytes: max },
            'slow consumer: unsent bytes past the cap, disconnecting (HELEN_BROKER_MAX_QUEUED_BYTES)');
          // Not inside mqtt-packet's write of a packet: aedes sees a stream error and closes the client.
          setImmediate(() => stream.destroy(new Error(`slow consumer: ${bytes} unsent bytes > ${max}`)));
        }
      }
      return ok;
    };
  }

  /**
   * After `aedes.listen()` (persistence exists then): counts the stored retained topics and
   * wraps `persistence.storeRetained` so that new topics past maxRetained are not stored.
   */
  async attachRetained(aedes: Aedes): Promise<void> {
    const max = this.limits.maxRetained;
    if (max <= 0) return;
    const persistence = (aedes as unknown as { persistence: RetainedStore }).persistence;
    // The broker's own $SYS topics (a fixed set, see sys-topics.ts) are neither counted nor capped.
    for await (const packet of persistence.createRetainedStream('#') as AsyncIterable<AedesPublishPacket>) {
      if (!packet.topic.startsWith('$SYS/')) this.retainedTopics.add(packet.topic);
    }
    const store = persistence.storeRetained.bind(persistence);
    const topics = this.retainedTopics;
    const folded = this.folded;
    const count = () => this.count('retained_limit');
    persistence.storeRetained = async (packet: AedesPublishPacket): Promise<void> => {
      if (packet.topic.startsWith('$SYS/')) return store(packet);
      const empty = !packet.payload || packet.payload.length === 0;
      if (empty) {
        await store(packet);
        topics.delete(packet.topic);
        return;
      }
      if (!topics.has(packet.topic) && topics.size >= max) {
        count();
        folded.warn('max-retained', { topic: packet.topic, maxRetained: max },
          'retained message not stored: maximum number of retained topics reached (HELEN_BROKER_MAX_RETAINED); delivered live only');
        return;
      }
      topics.add(packet.topic);
      await store(packet);
    };
  }

  stop(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    this.buckets.clear();
  }
}

interface RetainedStore {
  storeRetained(packet: AedesPublishPacket): Promise<void>;
  createRetainedStream(pattern: string): AsyncIterable<unknown> | NodeJS.ReadableStream;
}
