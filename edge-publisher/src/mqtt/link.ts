/**
 * The edge's one MQTT client. It owns the connection (last will, retained status, reconnect
 * with backoff), reads the retained model metadata and worker statuses, and hands replies to
 * whoever listens. Everything else publishes through it.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { createTopics, validateModelMetadata, validateStatusMessage, type ModelMetadata, type Topics } from '@helen/schemas';

export interface MqttLinkOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  topicPrefix: string;
  deviceId: string;
  /** First reconnect delay; doubles per failed attempt up to `maxReconnectMs`. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
}

export interface MqttLinkEvents {
  reply?(payload: Buffer): void;
  metadata?(meta: ModelMetadata): void;
  workers?(online: number): void;
  connection?(connected: boolean): void;
}

export class MqttLink {
  readonly topics: Topics;
  private client: MqttClient | undefined;
  private readonly workers = new Map<string, string>();
  private meta: ModelMetadata | undefined;
  private readonly listeners: MqttLinkEvents[] = [];
  private reconnectMs: number;
  private connects = 0;

  constructor(private readonly opts: MqttLinkOptions, private readonly log: Logger) {
    this.topics = createTopics(opts.topicPrefix);
    this.topics.deviceStatus(opts.deviceId); // throws now on a bad device id
    this.reconnectMs = opts.minReconnectMs ?? 500;
  }

  on(events: MqttLinkEvents): void {
    this.listeners.push(events);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  get metadata(): ModelMetadata | undefined {
    return this.meta;
  }

  /** Workers whose retained status says online (null before the first connection). */
  get workersOnline(): number | null {
    if (this.connects === 0) return null;
    let n = 0;
    for (const s of this.workers.values()) if (s === 'online') n++;
    return n;
  }

  get predictionsTopic(): string {
    return this.topics.predictions(this.opts.deviceId);
  }

  /** Connects in the background; the client keeps reconnecting until stop(). */
  start(): void {
    if (this.client) return;
    const t = this.topics;
    const id = this.opts.deviceId;
    const statusTopic = t.deviceStatus(id);
    this.log.info({ url: this.opts.url }, 'connecting to the MQTT broker');
    const client = mqtt.connect(this.opts.url, {
      clientId: `helen-edge-${id}-${process.pid}`.slice(0, 64),
      clean: true,
      resubscribe: false,
      reconnectPeriod: this.reconnectMs,
      connectTimeout: 5000,
      keepalive: 15,
      will: { topic: statusTopic, payload: Buffer.from(JSON.stringify({ state: 'offline', id, role: 'device' })), qos: 1, retain: true },
      ...(this.opts.username === undefined ? {} : { username: this.opts.username }),
      ...(this.opts.password === undefined ? {} : { password: this.opts.password }),
    });
    this.client = client;
    client.on('connect', () => {
      // Small packets back to back: without this, Nagle's algorithm can hold a request until
      // the peer's delayed ACK (~40 ms), a visible share of a gesture's latency.
      (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
      this.connects++;
      this.reconnectMs = this.opts.minReconnectMs ?? 500;
      client.options.reconnectPeriod = this.reconnectMs;
      this.log.info({ connects: this.connects }, 'connected to the MQTT broker');
      client.publish(statusTopic, JSON.stringify({ state: 'online', id, role: 'device', ts: Date.now() }), { qos: 1, retain: true });
      client.subscribe(
        { [t.predictions(id)]: { qos: 0 }, [t.modelMetadata()]: { qos: 1 }, [t.allWorkerStatus()]: { qos: 1 } },
        (err) => { if (err) this.log.error({ err: err.message }, 'subscribe failed'); },
      );
      this.emit((l) => l.connection?.(true));
    });
    client.on('close', () => {
      if (this.workers.size > 0 || this.connects > 0) this.emit((l) => l.connection?.(false));
      // Retained statuses are sent again after the next subscribe.
      this.workers.clear();
    });
    client.on('reconnect', () => {
      // Exponential backoff: mqtt.js reads reconnectPeriod again before each attempt.
      this.reconnectMs = Math.min(this.reconnectMs * 2, this.opts.maxReconnectMs ?? 30_000);
      client.options.reconnectPeriod = this.reconnectMs;
      this.log.debug({ nextDelayMs: this.reconnectMs }, 'reconnecting to the MQTT broker');
    });
    client.on('offline', () => this.log.warn('MQTT broker unreachable; retrying with backoff'));
    client.on('error', (err) => this.log.warn({ err: err.message }, 'MQTT client error'));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  /** Publishes "offline" (retained) and closes. Idempotent. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      const offline = JSON.stringify({ state: 'offline', id: this.opts.deviceId, role: 'device', ts: Date.now() });
      await Promise.race([
        client.publishAsync(this.topics.deviceStatus(this.opts.deviceId), offline, { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000).unref()),
      ]);
    }
    await client.endAsync(true);
    this.workers.clear();
  }

  /** Fire and forget; false when not connected (the caller decides what that means). */
  publish(topic: string, payload: Buffer | string, qos: 0 | 1): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topic, payload, { qos }, (err) => {
      if (err) this.log.warn({ err: err.message, topic }, 'publish failed');
    });
    return true;
  }

  /** Resolves with the retained metadata, or rejects with a clear message after `timeoutMs`. */
  waitForMetadata(timeoutMs: number): Promise<ModelMetadata> {
    if (this.meta) return Promise.resolve(this.meta);
    return new Promise((resolve, reject) => {
      const listener: MqttLinkEvents = {
        metadata: (m) => {
          clearTimeout(timer);
          this.off(listener);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.off(listener);
        const where = this.connected ? 'the broker is reachable but no worker has published it' : `the broker at ${this.opts.url} was not reachable`;
        reject(new Error(`no model metadata on ${this.topics.modelMetadata()} within ${timeoutMs / 1000} s: ${where} (start a worker, or raise HELEN_EDGE_METADATA_TIMEOUT)`));
      }, timeoutMs);
      this.on(listener);
    });
  }

  private off(events: MqttLinkEvents): void {
    const i = this.listeners.indexOf(events);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  private emit(fn: (l: MqttLinkEvents) => void): void {
    for (const l of [...this.listeners]) {
      try {
        fn(l);
      } catch (err) {
        this.log.error({ err }, 'MQTT listener failed');
      }
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = this.topics;
    if (topic === t.predictions(this.opts.deviceId)) {
      this.emit((l) => l.reply?.(payload));
      return;
    }
    if (topic === t.modelMetadata()) {
      if (payload.length === 0) return;
      try {
        const checked = validateModelMetadata(JSON.parse(payload.toString('utf8')));
        if (!checked.ok) throw new Error(checked.error);
        const changed = this.meta?.model_id !== checked.value.model_id;
        this.meta = checked.value;
        if (changed) this.log.info({ model: checked.value.model_id, seq_len: checked.value.seq_len, use_z: checked.value.use_z }, 'model metadata');
        this.emit((l) => l.metadata?.(checked.value));
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'invalid model metadata ignored');
      }
      return;
    }
    const worker = t.parseWorkerStatus(topic);
    if (worker === undefined) return;
    const before = this.workersOnline;
    let state: string | undefined;
    try {
      const checked = payload.length === 0 ? undefined : validateStatusMessage(JSON.parse(payload.toString('utf8')));
      state = checked?.ok ? checked.value.state : undefined;
    } catch {
      state = undefined;
    }
    if (state === undefined) this.workers.delete(worker);
    else this.workers.set(worker, state);
    const after = this.workersOnline ?? 0;
    if (before !== after) {
      this.log.info({ worker, state: state ?? 'gone', online: after }, 'workers online changed');
      this.emit((l) => l.workers?.(after));
    }
  }
}
