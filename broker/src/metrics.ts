/**
 * Broker counters, kept always (they are cheap) and read by two outputs: the Prometheus
 * `/metrics` endpoint (`serveMetrics`, only when a port is configured) and the `$SYS/broker/...`
 * topics (sys-topics.ts).
 *
 * Sources, all without patching aedes:
 * - connections: aedes' `client` event (total) and `connectedClients` (current);
 * - messages received: aedes' `publish` event for packets that came from a client;
 * - messages sent: every PUBLISH aedes writes to a client passes `authorizeForward` (live
 *   deliveries, retained messages on SUBSCRIBE, queued messages on reconnect), so the wrapped
 *   hook counts each one it lets through;
 * - bytes: `bytesRead` / `bytesWritten` of every connection's socket, taken in `aedes.handle`
 *   (for WebSocket connections including the framing);
 * - refusals: CONNACKs with a non-zero return code, counted by reason, plus whatever other
 *   code reports through `refused(reason)` / `dropped(reason)`.
 */
import { serveMetricsHttp, type MetricsListener } from '@helen/runtime';
import { Socket as NetSocket, type Socket } from 'node:net';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** CONNACK return codes (MQTT 3.1.1) as refusal reasons. */
const CONNACK_REASONS: Record<number, string> = {
  1: 'unacceptable_protocol_version',
  2: 'identifier_rejected',
  3: 'server_unavailable',
  4: 'bad_username_or_password',
  5: 'not_authorized',
};

/** Prometheus label values stay short and predictable: lower case, `[a-z0-9_]`, at most 64 chars. */
export function normalizeReason(reason: string): string {
  const r = reason.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  return r || 'unknown';
}

export interface MetricsSnapshot {
  readonly clientsConnected: number;
  readonly connectionsTotal: number;
  readonly messagesReceived: number;
  readonly messagesSent: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly refused: number;
  readonly dropped: number;
}

export class BrokerMetrics {
  /** This broker's own registry (several brokers in one process never clash). */
  readonly registry = new Registry();
  private aedes: Aedes | undefined;
  private readonly sockets = new Set<Socket>();
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  private counts = { connectionsTotal: 0, messagesReceived: 0, messagesSent: 0, refused: 0, dropped: 0 };
  private readonly refusedCounter: Counter<'reason'>;
  private readonly droppedCounter: Counter<'reason'>;
  private defaultMetrics = false;

  constructor() {
    const r = this.registry;
    // Counters whose value lives elsewhere are brought up to date at scrape time.
    const mirror = (name: string, help: string, read: () => number) => {
      let seen = 0;
      return new Counter({
        name, help, registers: [r],
        collect() {
          const now = read();
          if (now > seen) this.inc(now - seen);
          seen = now;
        },
      });
    };
    const connected = (): number => this.aedes?.connectedClients ?? 0;
    new Gauge({
      name: 'helen_broker_connections', help: 'MQTT clients connected now', registers: [r],
      collect() { this.set(connected()); },
    });
    mirror('helen_broker_connections_total', 'MQTT connections accepted (CONNACK 0) since start', () => this.counts.connectionsTotal);
    mirror('helen_broker_messages_received_total', 'PUBLISH packets received from clients', () => this.counts.messagesReceived);
    mirror('helen_broker_messages_sent_total', 'PUBLISH packets sent to clients', () => this.counts.messagesSent);
    mirror('helen_broker_bytes_received_total', 'bytes read from client connections', () => this.bytes().in);
    mirror('helen_broker_bytes_sent_total', 'bytes written to client connections', () => this.bytes().out);
    this.refusedCounter = new Counter({
      name: 'helen_broker_refused_total', help: 'refused connections and operations, by reason', labelNames: ['reason'], registers: [r],
    });
    this.droppedCounter = new Counter({
      name: 'helen_broker_dropped_total', help: 'messages dropped instead of delivered, by reason', labelNames: ['reason'], registers: [r],
    });
  }

  /**
   * Counts a refusal: a CONNECT, SUBSCRIBE or PUBLISH turned down (by authentication, ACL,
   * limits...). CONNACK refusals are counted automatically; call this for the others.
   * `reason` becomes a Prometheus label value (normalised to `[a-z0-9_]`; keep the set small).
   */
  refused(reason: string): void {
    this.counts.refused++;
    this.refusedCounter.inc({ reason: normalizeReason(reason) });
  }

  /** Counts a message that was accepted but not delivered (queue full, too large, ...). */
  dropped(reason: string): void {
    this.counts.dropped++;
    this.droppedCounter.inc({ reason: normalizeReason(reason) });
  }

  /**
   * Hooks into an aedes instance. Call once, after every other hook is installed and before
   * listening: it wraps the instance's `authorizeForward` (to count what it lets through) and
   * `handle` (to track each connection's socket for the byte counts).
   */
  attach(aedes: Aedes): void {
    this.aedes = aedes;
    aedes.on('client', () => { this.counts.connectionsTotal++; });
    aedes.on('publish', (_packet: AedesPublishPacket, client: Client | null) => {
      if (client) this.counts.messagesReceived++;
    });
    aedes.on('connackSent', (packet, _client) => {
      const code = packet.returnCode ?? 0;
      if (code !== 0) this.refused(`connect_${CONNACK_REASONS[code] ?? `code_${code}`}`);
    });
    // Every listener (TCP, WebSocket, TLS) hands its connections to aedes.handle.
    const handle = aedes.handle;
    aedes.handle = (stream, req) => {
      const socket = stream instanceof NetSocket ? stream : req?.socket;
      if (socket) this.trackSocket(socket);
      return handle(stream, req);
    };
    const forward = aedes.authorizeForward.bind(aedes);
    aedes.authorizeForward = (client, packet) => {
      const out = forward(client, packet);
      if (out) this.counts.messagesSent++;
      return out;
    };
  }

  /** Counts a connection's bytes (call for each accepted TCP socket, and a WebSocket's underlying socket). */
  trackSocket(socket: Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => {
      this.closedBytesIn += socket.bytesRead;
      this.closedBytesOut += socket.bytesWritten;
      this.sockets.delete(socket);
    });
  }

  private bytes(): { in: number; out: number } {
    let inBytes = this.closedBytesIn;
    let outBytes = this.closedBytesOut;
    for (const s of this.sockets) {
      inBytes += s.bytesRead;
      outBytes += s.bytesWritten;
    }
    return { in: inBytes, out: outBytes };
  }

  snapshot(): MetricsSnapshot {
    const b = this.bytes();
    return {
      clientsConnected: this.aedes?.connectedClients ?? 0,
      connectionsTotal: this.counts.connectionsTotal,
      messagesReceived: this.counts.messagesReceived,
      messagesSent: this.counts.messagesSent,
      bytesReceived: b.in,
      bytesSent: b.out,
      refused: this.counts.refused,
      dropped: this.counts.dropped,
    };
  }

  /** Adds prom-client's default process metrics (CPU, memory, event loop, GC) to this registry, once. */
  enableDefaultMetrics(): void {
    if (this.defaultMetrics) return;
    this.defaultMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** `GET /metrics` on host:port (0 = a free port), the shared listener of @helen/runtime. */
export function serveMetrics(metrics: BrokerMetrics, port: number, host: string): Promise<MetricsListener> {
  metrics.enableDefaultMetrics();
  return serveMetricsHttp({ text: () => metrics.text(), contentType: metrics.registry.contentType }, port, host);
}
