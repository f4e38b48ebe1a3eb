/**
 * The one MQTT client every service uses. It owns the connection: credentials and TLS from
 * the settings, TCP_NODELAY, reconnect with backoff, the last will and the retained status,
 * the subscriptions (sent again on every connect, SUBACK checked), and a bounded, orderly stop.
 * Services add what happens on each connect (`onConnect`) and who reads messages (`onMessage`).
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MqttClientSettings } from '../settings/common';
import { redactUrl } from './redact';
import { disableMqttNumberCache } from './number-cache';
import { coalesceWrites } from './coalesce-writes';
import { ReleasingStore } from './releasing-store';

export type QoS = 0 | 1 | 2;
export type ServiceState = 'online' | 'offline' | 'draining';

export interface RetainedStatus {
  readonly topic: string;
  /**
   * The JSON body for a state (the last will uses 'offline'). Without it the payload is the
   * bare state word, e.g. `online`: Home Assistant's availability convention.
   */
  body?(state: ServiceState): Record<string, unknown>;
}

export interface MqttConnectionOptions {
  readonly settings: MqttClientSettings;
  readonly clientId: string;
  readonly log: Logger;
  /** Retained status topic with a last will: 'online' after each connect, 'offline' at stop. */
  readonly status?: RetainedStatus | undefined;
  /** First reconnect delay; doubles per failed attempt up to `maxReconnectMs`. */
  readonly minReconnectMs?: number;
  readonly maxReconnectMs?: number;
  readonly connectTimeoutMs?: number;
  readonly keepaliveS?: number;
  /** 4 = MQTT 3.1.1 (what the embedded broker's shared subscriptions serve), 5 = MQTT 5. */
  readonly protocolVersion?: 4 | 5;
  /**
   * With protocolVersion 5: when the broker refuses MQTT 5 (CONNACK "unacceptable/unsupported
   * protocol version", e.g. aedes 1.x), connect again at once with 3.1.1 and stay on it.
   */
  readonly fallbackTo311?: boolean;
  /**
   * publish() while reconnecting hands the message to mqtt.js, which sends it after the next
   * connect, instead of refusing it (default false: refused, publish() returns false).
   */
  readonly queueWhileOffline?: boolean;
}

export type MessageHandler = (topic: string, payload: Buffer, packet: IPublishPacket) => void;
export type ConnectHook = () => Promise<void>;

const STOP_STEP_MS = 1000;

/** IClientOptions for the settings: credentials and TLS files (read now, so a bad file fails at start). */
export function clientOptions(settings: MqttClientSettings): IClientOptions {
  const opts: IClientOptions = {};
  if (settings.username !== undefined) opts.username = settings.username;
  if (settings.password !== undefined) opts.password = settings.password;
  if (settings.caFile !== undefined) opts.ca = readFileSync(settings.caFile);
  if (settings.certFile !== undefined) opts.cert = readFileSync(settings.certFile);
  if (settings.keyFile !== undefined) opts.key = readFileSync(settings.keyFile);
  opts.rejectUnauthorized = settings.rejectUnauthorized;
  return opts;
}

export class MqttConnection {
  readonly safeUrl: string;
  private client: MqttClient | undefined;
  private readonly subscriptions = new Map<string, QoS>();
  private readonly hooks: ConnectHook[] = [];
  private readonly handlers: MessageHandler[] = [];
  private readonly connectionListeners: ((connected: boolean) => void)[] = [];
  private reconnectMs: number;
  private connectCount = 0;
  private firstReady: { resolve(): void; reject(err: Error): void } | undefined;
  private readonly ready: Promise<void>;
  private stopped = false;
  /** What the retained status says after each connect: 'online' until setStatus() says otherwise. */
  private state: ServiceState = 'online';

  constructor(private readonly opts: MqttConnectionOptions) {
    disableMqttNumberCache();
    this.safeUrl = redactUrl(opts.settings.url);
    this.reconnectMs = opts.minReconnectMs ?? 1000;
    this.ready = new Promise<void>((resolve, reject) => {
      this.firstReady = { resolve, reject };
    });
    // Whoever does not await ready() must not see an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** The MQTT version of the last connect attempt (4 = 3.1.1, 5); undefined before start(). */
  get protocolVersion(): number | undefined {
    return this.client?.options.protocolVersion;
  }

  /** Successful connects so far (0 until the broker first answered). */
  get connects(): number {
    return this.connectCount;
  }

  /** Runs after every connect, in order, before the subscriptions and the 'online' status. */
  onConnect(hook: ConnectHook): void {
    this.hooks.push(hook);
  }

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  onConnection(listener: (connected: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  /**
   * Declares a subscription kept for the connection's life: sent with the others after every
   * connect (a refusal fails that connect's set-up), and now if already connected.
   */
  keepSubscribed(filter: string, qos: QoS): void {
    this.subscriptions.set(filter, qos);
    const client = this.client;
    if (client?.connected) {
      subscribeChecked(client, { [filter]: qos }).catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'subscribe failed'));
    }
  }

  /** Subscribes now when connected, and again after every reconnect. Rejects when refused. */
  async subscribe(filter: string, qos: QoS): Promise<void> {
    this.subscriptions.set(filter, qos);
    const client = this.client;
    if (client?.connected) await subscribeChecked(client, { [filter]: qos });
  }

  async unsubscribe(filter: string): Promise<void> {
    this.subscriptions.delete(filter);
    const client = this.client;
    if (client?.connected) await client.unsubscribeAsync(filter);
  }

  /** Connects in the background and keeps reconnecting until stop(). */
  start(): void {
    if (this.client || this.stopped) return;
    const o = this.opts;
    const status = o.status;
    const options: IClientOptions = {
      ...clientOptions(o.settings),
      clientId: o.clientId,
      protocolVersion: o.protocolVersion ?? 4,
      clean: true,
      // Subscriptions are sent again by us on every connect (with their SUBACK checked).
      resubscribe: false,
      reconnectPeriod: this.reconnectMs,
      connectTimeout: o.connectTimeoutMs ?? 5000,
      keepalive: o.keepaliveS ?? 60,
      outgoingStore: new ReleasingStore(),
      ...(status ? { will: { topic: status.topic, payload: statusPayload(status, 'offline'), qos: 1 as const, retain: true } } : {}),
    };
    o.log.info({ url: this.safeUrl, clientId: o.clientId }, 'connecting to the MQTT broker');
    const client = mqtt.connect(o.settings.url, options);
    this.client = client;
    client.on('connect', () => {
      coalesceWrites(client.stream);
      this.onConnected(client);
    });
    client.on('message', (topic, payload, packet) => {
      for (const h of this.handlers) {
        try {
          h(topic, payload, packet);
        } catch (err) {
          // A handler bug must not take the connection (and every other handler) down.
          o.log.error({ err, topic }, 'MQTT message handler failed');
        }
      }
    });
    client.on('close', () => {
      if (this.connectCount > 0) this.emitConnection(false);
    });
    client.on('reconnect', () => {
      // Exponential backoff: mqtt.js reads reconnectPeriod again before each attempt.
      this.reconnectMs = Math.min(this.reconnectMs * 2, o.maxReconnectMs ?? this.reconnectMs);
      client.options.reconnectPeriod = this.reconnectMs;
      o.log.debug({ nextDelayMs: this.reconnectMs }, 'reconnecting to the MQTT broker');
    });
    client.on('offline', () => o.log.warn({ url: this.safeUrl }, 'MQTT broker unreachable; retrying'));
    client.on('error', (err) => {
      if (!this.fellBackTo311(client, err)) o.log.warn({ err: err.message, url: this.safeUrl }, 'MQTT client error');
    });
    client.on('end', () => this.firstReady?.reject(new Error('stopped before the MQTT broker was reached')));
  }

  /** start(), then resolves once the first connect's hooks, subscriptions and status are done. */
  async connect(): Promise<void> {
    this.start();
    await this.ready;
  }

  /**
   * Fire and forget; false when not connected (the caller decides what that means), unless
   * `queueWhileOffline` and a reconnect is under way (then mqtt.js holds it until it connects).
   */
  publish(topic: string, payload: Buffer | string, qos: QoS, retain = false, onError?: (err: Error) => void): boolean {
    const client = this.client;
    if (!client || (!client.connected && this.opts.queueWhileOffline !== true)) return false;
    client.publish(topic, payload, { qos, retain }, (err) => {
      if (!err) return;
      this.opts.log.warn({ err: err.message, topic }, 'publish failed');
      onError?.(err);
    });
    return true;
  }

  async publishAsync(topic: string, payload: Buffer | string, qos: QoS, retain = false): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error(`not connected to the MQTT broker at ${this.safeUrl}`);
    await client.publishAsync(topic, payload, { qos, retain });
  }

  /**
   * Publishes the retained status now (e.g. 'draining'); false when not connected. Later
   * connects publish this state instead of 'online', so a reconnect while draining does not
   * announce the service as online again.
   */
  setStatus(state: ServiceState, onError?: (err: Error) => void): boolean {
    this.state = state;
    const status = this.opts.status;
    return status ? this.publish(status.topic, statusPayload(status, state), 1, true, onError) : false;
  }

  /**
   * Publishes 'offline' (retained, when there is a status), then disconnects. Each step is
   * bounded, so a dead broker cannot hold a stopping process. Idempotent.
   */
  async stop(stepTimeoutMs = STOP_STEP_MS): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    const status = this.opts.status;
    if (status && client.connected) {
      await bounded(client.publishAsync(status.topic, statusPayload(status, 'offline'), { qos: 1, retain: true }), stepTimeoutMs);
    }
    await bounded(client.endAsync(), stepTimeoutMs);
    if (!client.disconnected) client.end(true);
  }

  /**
   * A broker that speaks only 3.1.1 answers an MQTT 5 CONNECT with return code 1 (3.1.1's
   * "unacceptable protocol version") or reason code 0x84 (MQTT 5's "unsupported protocol
   * version"); mqtt.js then stops reconnecting, so the retry with 3.1.1 is started here.
   */
  private fellBackTo311(client: MqttClient, err: Error): boolean {
    const code = (err as { code?: unknown }).code;
    if (this.opts.fallbackTo311 !== true || client.options.protocolVersion !== 5 || (code !== 1 && code !== 0x84)) return false;
    client.options.protocolVersion = 4;
    this.opts.log.info({ url: this.safeUrl }, 'the MQTT broker refused MQTT 5: connecting with MQTT 3.1.1');
    setImmediate(() => {
      if (!this.stopped && this.client === client) client.reconnect();
    });
    return true;
  }

  private onConnected(client: MqttClient): void {
    // Small packets back to back: without this, Nagle's algorithm holds a PUBLISH written
    // right after the peer's PUBACK until its delayed ACK (~40 ms per QoS 1 leg).
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.connectCount++;
    this.reconnectMs = this.opts.minReconnectMs ?? 1000;
    client.options.reconnectPeriod = this.reconnectMs;
    this.opts.log.info({ url: this.safeUrl, connects: this.connectCount }, 'connected to the MQTT broker');
    void this.afterConnect(client).then(
      () => {
        this.firstReady?.resolve();
        this.firstReady = undefined;
        this.emitConnection(true);
      },
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        this.opts.log.error({ err: error.message }, 'MQTT set-up after connect failed');
        if (this.firstReady) {
          this.firstReady.reject(error);
          this.firstReady = undefined;
        }
      },
    );
  }

  private async afterConnect(client: MqttClient): Promise<void> {
    for (const hook of this.hooks) await hook();
    if (this.subscriptions.size > 0) await subscribeChecked(client, Object.fromEntries(this.subscriptions));
    const status = this.opts.status;
    if (status) await client.publishAsync(status.topic, statusPayload(status, this.state), { qos: 1, retain: true });
  }

  private emitConnection(connected: boolean): void {
    for (const l of this.connectionListeners) {
      try {
        l(connected);
      } catch (err) {
        this.opts.log.error({ err }, 'MQTT connection listener failed');
      }
    }
  }
}

function statusPayload(status: RetainedStatus, state: ServiceState): Buffer {
  if (!status.body) return Buffer.from(state);
  return Buffer.from(JSON.stringify({ ...status.body(state), state, ts: Date.now() }));
}

async function subscribeChecked(client: MqttClient, filters: Record<string, QoS>): Promise<void> {
  let granted;
  try {
    granted = await client.subscribeAsync(Object.fromEntries(Object.entries(filters).map(([f, qos]) => [f, { qos }])));
  } catch (err) {
    // mqtt.js turns a SUBACK failure code (0x80) into this error itself.
    throw new Error(`broker refused subscription ${Object.keys(filters).join(', ')}: ${(err as Error).message}`);
  }
  const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
  if (refused.length > 0) throw new Error(`broker refused subscription ${refused.join(', ')}`);
}

function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([p.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}
