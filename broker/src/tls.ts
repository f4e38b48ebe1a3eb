/**
 * The broker's TLS listeners: `mqtts` (MQTT over TLS) and `wss` (MQTT over WebSocket over
 * HTTPS), both from one certificate/key pair, optionally requiring client certificates
 * signed by a CA. The files are read at start and re-read on `reload()` (SIGHUP in
 * `helen broker`) and when they change (polled); a new pair that does not load keeps the old
 * one and logs why.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { closeServer, listen } from './listen';
import { coalesceWrites } from '@helen/runtime';

export interface TlsListenerConfig {
  /** mqtts:// port; 0 picks a free port; absent = no MQTT-over-TLS listener. */
  port?: number;
  /** wss:// port (HTTPS + WebSocket, any path); 0 picks a free port; absent = no WSS listener. */
  wssPort?: number;
  /** PEM certificate (chain) file of the broker. */
  certFile: string;
  /** PEM private key file matching certFile. */
  keyFile: string;
  /** PEM CA file: when set, clients must present a certificate signed by it. */
  caFile?: string;
  /** Poll interval of the file watch (ms); 0 = reload on `reload()` (SIGHUP) only. Default 5000. */
  watchIntervalMs?: number;
}

export interface TlsAddress {
  tlsPort?: number;
  wssPort?: number;
}

/** What the broker does with each connection: `admit` gates raw sockets, `handle` takes the MQTT stream. */
export interface TlsConnectionHandlers {
  admit(socket: Socket, listener: 'mqtts' | 'wss'): boolean;
  handle(stream: Duplex, listener: 'mqtts' | 'wss', req?: IncomingMessage, queued?: () => number): void;
}

interface Material { key: Buffer; cert: Buffer; ca?: Buffer; summary: CertSummary }
interface CertSummary { subject: string; validTo: string; fingerprint256: string }

/** Reads and checks the files: throws with the reason when they do not make a usable context. */
function loadMaterial(config: TlsListenerConfig): Material {
  const key = readFileSync(config.keyFile);
  const cert = readFileSync(config.certFile);
  const ca = config.caFile ? readFileSync(config.caFile) : undefined;
  // createSecureContext checks that the key matches the certificate (OpenSSL's check).
  createSecureContext({ key, cert, ...(ca ? { ca } : {}) });
  const x = new X509Certificate(cert);
  return { key, cert, ...(ca ? { ca } : {}), summary: { subject: x.subject.replace(/\n/g, ', '), validTo: x.validTo, fingerprint256: x.fingerprint256 } };
}

function contextOptions(m: Material) {
  return { key: m.key, cert: m.cert, ...(m.ca ? { ca: m.ca, requestCert: true, rejectUnauthorized: true } : {}) };
}

export class TlsListeners {
  private tls: TlsServer | undefined;
  private https: HttpsServer | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<Socket>();
  private material: Material | undefined;
  private watching = false;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(private readonly config: TlsListenerConfig, private readonly handlers: TlsConnectionHandlers, private readonly log: Logger) {}

  /** The certificate now served (subject, expiry, SHA-256 fingerprint). */
  get certificate(): CertSummary | undefined {
    return this.material?.summary;
  }

  async start(host: string): Promise<TlsAddress> {
    let material: Material;
    try {
      material = loadMaterial(this.config);
    } catch (err) {
      throw new Error(`broker TLS: cannot load ${this.config.certFile} / ${this.config.keyFile}${this.config.caFile ? ` / ${this.config.caFile}` : ''}: ${(err as Error).message}`);
    }
    this.material = material;
    const options = contextOptions(material);
    const address: TlsAddress = {};
    const track = (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    };
    if (this.config.port !== undefined) {
      const server = createTlsServer(options, (socket: TLSSocket) => {
        socket.setNoDelay(true);
        coalesceWrites(socket);
        this.handlers.handle(socket, 'mqtts');
      });
      // The gate runs on the raw TCP socket, before the handshake costs anything.
      server.prependListener('connection', (socket: Socket) => {
        if (this.handlers.admit(socket, 'mqtts')) track(socket);
      });
      server.on('tlsClientError', (err, socket) =>
        this.log.debug({ listener: 'mqtts', remoteAddress: socket.remoteAddress, err: err.message }, 'TLS handshake failed'));
      this.tls = server;
      address.tlsPort = await listen(server, this.config.port, host);
      this.log.info({ host, port: address.tlsPort, clientCertificates: !!material.ca, ...material.summary }, 'MQTT TLS listener ready');
    }
    if (this.config.wssPort !== undefined) {
      const server = createHttpsServer(options);
      server.prependListener('connection', (socket: Socket) => {
        if (this.handlers.admit(socket, 'wss')) track(socket);
      });
      server.on('tlsClientError', (err, socket) =>
        this.log.debug({ listener: 'wss', remoteAddress: socket.remoteAddress, err: err.message }, 'TLS handshake failed'));
      const wss = new WebSocketServer({ server });
      wss.on('connection', (ws: WebSocket, req) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', (err) => this.log.debug({ err: err.message }, 'websocket stream error'));
        this.handlers.handle(stream, 'wss', req, () => stream.writableLength + ws.bufferedAmount);
      });
      wss.on('error', (err) => this.log.warn({ err: err.message }, 'secure websocket server error'));
      this.https = server;
      this.wss = wss;
      address.wssPort = await listen(server, this.config.wssPort, host);
      this.log.info({ host, port: address.wssPort, clientCertificates: !!material.ca, ...material.summary }, 'MQTT secure WebSocket listener ready');
    }
    const interval = this.config.watchIntervalMs ?? 5000;
    if (interval > 0) {
      for (const file of this.files()) watchFile(file, { interval, persistent: false }, this.onFileChange);
      this.watching = true;
    }
    return address;
  }

  private files(): string[] {
    return [this.config.certFile, this.config.keyFile, ...(this.config.caFile ? [this.config.caFile] : [])];
  }

  /** Cert and key are often replaced one after the other: reload once both have landed. */
  private readonly onFileChange = (): void => {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      this.reload('file change');
    }, Math.min(500, this.config.watchIntervalMs ?? 5000));
    this.reloadTimer.unref();
  };

  /**
   * Re-reads the files and swaps the listeners' context (new connections use it; open ones
   * keep theirs). Returns false, keeps the old context and logs why when the files do not load.
   */
  reload(reason = 'reload'): boolean {
    if (!this.tls && !this.https) return false;
    let material: Material;
    try {
      material = loadMaterial(this.config);
    } catch (err) {
      this.log.error({ reason, certFile: this.config.certFile, keyFile: this.config.keyFile, err: (err as Error).message },
        'TLS certificate reload failed: keeping the previous certificate');
      return false;
    }
    const options = contextOptions(material);
    try {
      this.tls?.setSecureContext(options);
      this.https?.setSecureContext(options);
    } catch (err) {
      this.log.error({ reason, err: (err as Error).message }, 'TLS certificate reload failed: keeping the previous certificate');
      return false;
    }
    const previous = this.material?.summary;
    this.material = material;
    this.log.info({ reason, ...material.summary, previousFingerprint256: previous?.fingerprint256 }, 'TLS certificate reloaded');
    return true;
  }

  async stop(): Promise<void> {
    if (this.watching) for (const file of this.files()) unwatchFile(file, this.onFileChange);
    this.watching = false;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    const closing: Promise<void>[] = [];
    if (this.tls) closing.push(closeServer(this.tls));
    if (this.wss) {
      for (const ws of this.wss.clients) ws.terminate();
      const w = this.wss;
      closing.push(new Promise((resolve) => w.close(() => resolve())));
    }
    if (this.https) {
      this.https.closeAllConnections();
      closing.push(closeServer(this.https));
    }
    for (const s of this.sockets) s.destroy();
    await Promise.all(closing);
    this.tls = this.https = this.wss = undefined;
  }
}
