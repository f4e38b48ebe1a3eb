/**
 * The edge's one MQTT client: a `MqttConnection` (credentials and TLS, last will and retained
 * device status, reconnect with backoff from 0.5 s doubling to 30 s, the replies topic kept
 * subscribed) and a `ServingView` (the retained model metadata and which workers are online).
 * Everything else publishes through it.
 */
import type { Logger } from 'pino';
import { createTopics, type ModelMetadata, type Topics } from '@helen/schemas';
import { MqttConnection, ServingView, type MqttClientSettings } from '@helen/runtime';

export interface MqttLinkOptions {
  settings: MqttClientSettings;
  topicPrefix: string;
  deviceId: string;
  /** First reconnect delay; doubles per failed attempt up to `maxReconnectMs`. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
}

export class MqttLink {
  readonly topics: Topics;
  readonly connection: MqttConnection;
  /** Retained model metadata and worker statuses (listen with `serving.on(...)`). */
  readonly serving: ServingView;
  /** Where the workers send this device's replies. */
  readonly predictionsTopic: string;

  constructor(opts: MqttLinkOptions, log: Logger) {
    const id = opts.deviceId;
    this.topics = createTopics(opts.topicPrefix);
    const statusTopic = this.topics.deviceStatus(id); // throws now on a bad device id
    this.predictionsTopic = this.topics.predictions(id);
    this.connection = new MqttConnection({
      settings: opts.settings,
      clientId: `helen-edge-${id}-${process.pid}`.slice(0, 64),
      log,
      keepaliveS: 15,
      minReconnectMs: opts.minReconnectMs ?? 500,
      maxReconnectMs: opts.maxReconnectMs ?? 30_000,
      status: { topic: statusTopic, body: () => ({ id, role: 'device' }) },
    });
    this.connection.keepSubscribed(this.predictionsTopic, 0);
    this.serving = new ServingView(this.connection, this.topics, log);
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  get metadata(): ModelMetadata | undefined {
    return this.serving.metadata;
  }

  /** Workers whose retained status says online (null before the first connection). */
  get workersOnline(): number | null {
    return this.serving.workersOnline;
  }

  /** Every message on this device's predictions topic. */
  onReply(handler: (payload: Buffer) => void): void {
    this.connection.onMessage((topic, payload) => {
      if (topic === this.predictionsTopic) handler(payload);
    });
  }

  /** Connects in the background; the client keeps reconnecting until stop(). */
  start(): void {
    this.connection.start();
  }

  /** Publishes "offline" (retained) and closes. Idempotent. */
  stop(): Promise<void> {
    return this.connection.stop();
  }

  /** Fire and forget; false when not connected (the caller decides what that means). */
  publish(topic: string, payload: Buffer | string, qos: 0 | 1): boolean {
    return this.connection.publish(topic, payload, qos);
  }

  /** Resolves with the retained metadata, or rejects with a clear message after `timeoutMs`. */
  waitForMetadata(timeoutMs: number): Promise<ModelMetadata> {
    return this.serving.waitForMetadata(timeoutMs, 'start a worker, or raise HELEN_EDGE_METADATA_TIMEOUT');
  }
}
