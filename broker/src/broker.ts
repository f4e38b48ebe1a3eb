/**
 * The Helen MQTT broker as a library: aedes with a TCP listener, an optional WebSocket
 * listener and shared subscriptions. `createBroker` does no I/O; `start()` binds and
 * `stop()` releases every socket, listener and timer it took.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Aedes, type AedesOptions, type Client, type Subscription } from 'aedes';
import { pino, type Logger } from 'pino';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { SharedSubscriptions } from './shared-subscriptions';
import { ConnectionLimits, type BrokerLimits } from './limits';
import { TlsListeners, type TlsListenerConfig } from './tls';
import { createPersistence, type PersistenceConfig } from './persistence';
import { BrokerMetrics, serveMetrics } from './metrics';
import { coalesceWrites, disableMqttNumberCache, type MetricsListener } from '@helen/runtime';
import { startSysTopics } from './sys-topics';
import { installConformanceChecks } from './protocol/conformance';
import { installDeliveryFixes } from './protocol/delivery';
import { closeServer, listen } from './listen';

export type { TlsListenerConfig } from './tls';
export type { BrokerLimits } from './limits';

type AuthenticateHook = NonNullable<AedesOptions['authenticate']>;
type AuthorizePublishHook = NonNullable<AedesOptions['authorizePublish']>;
type AuthorizeSubscribeHook = NonNullable<AedesOptions['authorizeSubscribe']>;

/**
 * Extension points for the security issue (users, ACLs). They have aedes' own signatures and
 * are passed straight through; when absent, every client and topic is allowed (the
 * development default, like Mosquitto with `allow_anonymous true`).
 * `authorizeSubscribe` also sees shared subscriptions, with the full `$share/{group}/{filter}`
 * topic, after the share name itself has been validated.
 */
export interface BrokerHooks {
  authenticate?: AuthenticateHook;
  authorizePublish?: AuthorizePublishHook;
  authorizeSubscribe?: AuthorizeSubscribeHook;
}

export interface BrokerConfig {
  /** TCP (mqtt://) port; 0 picks a free port, reported by start(). */
  port: number;
  /** Bind address for every listener; default 0.0.0.0. */
  host?: string;
  /** WebSocket (ws://) port, path-agnostic; 0 picks a free port; absent = no WebSocket listener. */
  wsPort?: number;
  /** Parent logger; the broker logs through a `{ module: 'broker' }` child. Default: silent. */
  logger?: Logger;
  hooks?: BrokerHooks;
  /** mqtts:// and wss:// listeners from certificate files (see tls.ts); absent = none. */
  tls?: TlsListenerConfig;
  /** Resource limits (see limits.ts); fields left out take DEFAULT_LIMITS. */
  limits?: Partial<BrokerLimits>;
  /** Where retained messages and persistent sessions live (see persistence.ts); default memory. */
  persistence?: PersistenceConfig;
  /** `$SYS/broker/...` statistics every this many ms (see sys-topics.ts); 0 = off; default 10000. */
  sysIntervalMs?: number;
  /** Prometheus `GET /metrics` listener; absent = none. Port 0 picks a free port; host default 127.0.0.1. */
  metrics?: { port: number; host?: string };
  /** MQTT 3.1.1 checks aedes lacks (see protocol/conformance.ts); default true. false only for benchmarks. */
  conformanceChecks?: boolean;
}

export interface BrokerAddress {
  tcpPort: number;
  wsPort?: number;
  /** mqtts:// port, when config.tls.port was given. */
  tlsPort?: number;
  /** wss:// port, when config.tls.wssPort was given. */
  wssPort?: number;
  /** Prometheus /metrics port, when config.metrics was given. */
  metricsPort?: number;
}

export interface HelenBroker {
  /** The aedes instance, for tests and in-process wiring (e.g. `aedes.publish`). */
  readonly aedes: Aedes;
  /** Shared-subscription state, for diagnostics and tests. */
  readonly shared: SharedSubscriptions;
  /** The limits in force and their counters. */
  readonly limits: ConnectionLimits;
  /** Counters behind /metrics and $SYS; `metrics.refused(reason)` / `metrics.dropped(reason)` count refusals and drops. */
  readonly metrics: BrokerMetrics;
  start(): Promise<BrokerAddress>;
  stop(): Promise<void>;
  /** Re-reads the TLS certificate/key/CA files (SIGHUP); false (old ones kept, logged) when they do not load or there is no TLS listener. */
  reloadTls(reason?: string): boolean;
}

export function createBroker(config: BrokerConfig): HelenBroker {
  disableMqttNumberCache(); // 6.6 MB of heap saved (runtime/src/mqtt/number-cache.ts)
  const log = (config.logger ?? pino({ level: 'silent' })).child({ module: 'broker' });
  const host = config.host ?? '0.0.0.0';
  const hooks = config.hooks ?? {};
  const allowSubscribe: AuthorizeSubscribeHook = (_client, sub, cb) => cb(null, sub);

  const shared = new SharedSubscriptions(log.child({ module: 'broker.shared' }));
  const limits = new ConnectionLimits(config.limits, log.child({ module: 'broker.limits' }));
  const persistence = createPersistence(config.persistence ?? { kind: 'memory' }, log.child({ module: 'broker.persistence' }));
  const metrics = new BrokerMetrics();
  const aedes = new Aedes({
    ...persistence.aedesOptions,
    ...limits.aedesOptions(),
    ...(hooks.authenticate ? { authenticate: hooks.authenticate } : {}),
    ...(hooks.authorizePublish ? { authorizePublish: hooks.authorizePublish } : {}),
    authorizeSubscribe: (client: Client, sub: Subscription, cb) =>
      shared.authorizeSubscribe(client, sub, cb, hooks.authorizeSubscribe ?? allowSubscribe),
    authorizeForward: (_client, packet) => (shared.isShareTopic(packet.topic) ? null : packet),
  });
  // Refuses what MQTT 3.1.1 says must be refused before aedes sees it (issue 10).
  if (config.conformanceChecks !== false) {
    installConformanceChecks(aedes);
    installDeliveryFixes(aedes);
  }
  shared.attach(aedes);
  metrics.attach(aedes);
  limits.countWith((reason) => metrics.refused(reason));

  aedes.on('client', (c) => log.debug({ clientId: c.id }, 'client connected'));
  aedes.on('clientDisconnect', (c) => log.debug({ clientId: c.id }, 'client disconnected'));
  // Protocol violations (protocol/conformance.ts) end the connection as parse errors do: count them.
  const countViolation = (err: Error): void => {
    if (err.message.startsWith('MQTT protocol violation')) metrics.refused('protocol_violation');
  };
  aedes.on('clientError', (c, err) => {
    countViolation(err);
    log.warn({ clientId: c.id, err: err.message }, 'client error');
  });
  aedes.on('connectionError', (_c, err) => {
    countViolation(err);
    log.warn({ err: err.message }, 'connection error before CONNECT');
  });
  aedes.on('keepaliveTimeout', (c) => log.debug({ clientId: c.id }, 'keepalive timeout'));

  let tcp: NetServer | undefined;
  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let tlsListeners: TlsListeners | undefined;
  let metricsListener: MetricsListener | undefined;
  let stopSysTopics = (): void => {};
  // aedes.close() only closes clients that completed CONNECT; raw sockets are tracked here so
  // stop() never waits for a silent connection's connect timeout.
  const sockets = new Set<Socket>();
  // One start/stop cycle per instance: aedes cannot listen again once closed.
  let state: 'new' | 'started' | 'stopped' = 'new';

  async function start(): Promise<BrokerAddress> {
    if (state !== 'new') throw new Error(`broker already ${state}`);
    state = 'started';
    try {
      await persistence.connect();
      await aedes.listen();
      await limits.attachRetained(aedes);
      // noDelay: with Nagle on, a PUBACK followed by a PUBLISH on the same socket waits for
      // the peer's delayed ACK (~40 ms per QoS 1 leg, measured by the http-api bench).
      tcp = createNetServer({ noDelay: true }, (socket) => {
        if (!limits.admit(socket, 'mqtt')) return;
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        // The packets for this client from one turn of the event loop in one write (see coalesceWrites).
        coalesceWrites(socket);
        limits.guard(aedes.handle(socket), socket, 'mqtt');
      });
      const tcpPort = await listen(tcp, config.port, host);
      const address: BrokerAddress = { tcpPort };
      log.info({ host, port: tcpPort }, 'MQTT TCP listener ready');
      if (config.wsPort !== undefined) {
        http = createHttpServer();
        http.prependListener('connection', (socket: Socket) => { limits.admit(socket, 'ws'); });
        wss = new WebSocketServer({ server: http });
        wss.on('connection', (ws: WebSocket, req) => {
          const stream = createWebSocketStream(ws);
          // aedes attaches its own error handler to the stream once it wraps it; this one
          // covers the gap and a client that vanishes mid-handshake.
          stream.on('error', (err) => log.debug({ err: err.message }, 'websocket stream error'));
          limits.guard(aedes.handle(stream, req), stream, 'ws', () => stream.writableLength + ws.bufferedAmount);
        });
        wss.on('error', (err) => log.warn({ err: err.message }, 'websocket server error'));
        address.wsPort = await listen(http, config.wsPort, host);
        log.info({ host, port: address.wsPort }, 'MQTT WebSocket listener ready');
      }
      if (config.tls) {
        tlsListeners = new TlsListeners(config.tls, {
          admit: (socket, listener) => limits.admit(socket, listener),
          handle: (stream, listener, req, queued) => limits.guard(aedes.handle(stream, req), stream, listener, queued),
        }, log.child({ module: 'broker.tls' }));
        Object.assign(address, await tlsListeners.start(host));
      }
      stopSysTopics = startSysTopics(aedes, metrics, config.sysIntervalMs ?? 10_000);
      if (config.metrics) {
        const metricsHost = config.metrics.host ?? '127.0.0.1';
        const served = await serveMetrics(metrics, config.metrics.port, metricsHost);
        metricsListener = served;
        address.metricsPort = served.port;
        log.info({ host: metricsHost, port: served.port }, 'Prometheus /metrics listener ready');
      }
      return address;
    } catch (err) {
      await stop();
      throw err;
    }
  }

  async function stop(): Promise<void> {
    if (state !== 'started') return;
    state = 'stopped';
    const closing: Promise<void>[] = [];
    if (tcp) closing.push(closeServer(tcp));
    if (wss) {
      for (const ws of wss.clients) ws.terminate();
      const w = wss;
      closing.push(new Promise((resolve) => w.close(() => resolve())));
    }
    if (http) {
      http.closeAllConnections();
      closing.push(closeServer(http));
    }
    if (tlsListeners) closing.push(tlsListeners.stop());
    limits.stop();
    stopSysTopics();
    if (metricsListener) {
      closing.push(metricsListener.close());
    }
    shared.clear();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await persistence.close();
    for (const s of sockets) s.destroy();
    await Promise.all(closing);
    tcp = http = wss = tlsListeners = metricsListener = undefined;
    log.info('broker stopped');
  }

  const reloadTls = (reason = 'reload'): boolean => tlsListeners?.reload(reason) ?? false;
  return { aedes, shared, limits, metrics, start, stop, reloadTls };
}
