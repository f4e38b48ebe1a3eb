/**
 * The Helen MQTT broker as a library: aedes with a TCP listener, an optional WebSocket
 * listener and shared subscriptions. `createBroker` does no I/O; `start()` binds and
 * `stop()` releases every socket, listener and timer it took.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Aedes, type AedesOptions, type Client, type Subscription } from 'aedes';
import { pino, type Logger } from 'pino';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { SharedSubscriptions } from './shared-subscriptions';

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

/** Reserved for the TLS listener (mqtts://, wss://) of a later issue; setting it fails start() today. */
export interface TlsListenerConfig {
  port: number;
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
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
  tls?: TlsListenerConfig;
}

export interface BrokerAddress {
  tcpPort: number;
  wsPort?: number;
}

export interface HelenBroker {
  /** The aedes instance, for tests and in-process wiring (e.g. `aedes.publish`). */
  readonly aedes: Aedes;
  /** Shared-subscription state, for diagnostics and tests. */
  readonly shared: SharedSubscriptions;
  start(): Promise<BrokerAddress>;
  stop(): Promise<void>;
}

export function createBroker(config: BrokerConfig): HelenBroker {
  const log = (config.logger ?? pino({ level: 'silent' })).child({ module: 'broker' });
  const host = config.host ?? '0.0.0.0';
  const hooks = config.hooks ?? {};
  const allowSubscribe: AuthorizeSubscribeHook = (_client, sub, cb) => cb(null, sub);

  const shared = new SharedSubscriptions(log.child({ module: 'broker.shared' }));
  const aedes = new Aedes({
    ...(hooks.authenticate ? { authenticate: hooks.authenticate } : {}),
    ...(hooks.authorizePublish ? { authorizePublish: hooks.authorizePublish } : {}),
    authorizeSubscribe: (client: Client, sub: Subscription, cb) =>
      shared.authorizeSubscribe(client, sub, cb, hooks.authorizeSubscribe ?? allowSubscribe),
    authorizeForward: (_client, packet) => (shared.isShareTopic(packet.topic) ? null : packet),
  });
  shared.attach(aedes);

  aedes.on('client', (c) => log.debug({ clientId: c.id }, 'client connected'));
  aedes.on('clientDisconnect', (c) => log.debug({ clientId: c.id }, 'client disconnected'));
  aedes.on('clientError', (c, err) => log.warn({ clientId: c.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (_c, err) => log.warn({ err: err.message }, 'connection error before CONNECT'));
  aedes.on('keepaliveTimeout', (c) => log.debug({ clientId: c.id }, 'keepalive timeout'));

  let tcp: NetServer | undefined;
  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  // aedes.close() only closes clients that completed CONNECT; raw sockets are tracked here so
  // stop() never waits for a silent connection's connect timeout.
  const sockets = new Set<Socket>();
  // One start/stop cycle per instance: aedes cannot listen again once closed.
  let state: 'new' | 'started' | 'stopped' = 'new';

  async function start(): Promise<BrokerAddress> {
    if (state !== 'new') throw new Error(`broker already ${state}`);
    if (config.tls) throw new Error('broker: TLS listeners are not implemented yet (reserved for the security issue)');
    state = 'started';
    try {
      await aedes.listen();
      // noDelay: with Nagle on, a PUBACK followed by a PUBLISH on the same socket waits for
      // the peer's delayed ACK (~40 ms per QoS 1 leg, measured by the http-api bench).
      tcp = createNetServer({ noDelay: true }, (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        aedes.handle(socket);
      });
      const tcpPort = await listen(tcp, config.port, host);
      const address: BrokerAddress = { tcpPort };
      log.info({ host, port: tcpPort }, 'MQTT TCP listener ready');
      if (config.wsPort !== undefined) {
        http = createHttpServer();
        wss = new WebSocketServer({ server: http });
        wss.on('connection', (ws: WebSocket, req) => {
          const stream = createWebSocketStream(ws);
          // aedes attaches its own error handler to the stream once it wraps it; this one
          // covers the gap and a client that vanishes mid-handshake.
          stream.on('error', (err) => log.debug({ err: err.message }, 'websocket stream error'));
          aedes.handle(stream, req);
        });
        wss.on('error', (err) => log.warn({ err: err.message }, 'websocket server error'));
        address.wsPort = await listen(http, config.wsPort, host);
        log.info({ host, port: address.wsPort }, 'MQTT WebSocket listener ready');
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
    shared.clear();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await Promise.all(closing);
    tcp = http = wss = undefined;
    log.info('broker stopped');
  }

  return { aedes, shared, start, stop };
}

function listen(server: NetServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}
