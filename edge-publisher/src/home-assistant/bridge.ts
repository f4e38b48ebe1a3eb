/**
 * The edge's connection to the home broker for Home Assistant, and a gesture sink. It owns
 * one `MqttConnection` (MQTT 5, or 3.1.1 when the broker refuses 5; reconnect with backoff)
 * whose retained availability topic says `online` after each connect and `offline` at stop
 * or, as the last will, when the Pi drops off. After every connect, and whenever Home
 * Assistant announces itself (`online` on `<prefix>/status`), it publishes the discovery
 * configs again (retained). Nothing here can stop the edge: failures are logged.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { GestureEvent } from '@helen/schemas';
import { MqttConnection } from '@helen/runtime';
import type { GestureSink } from '../sinks/types';
import { discoveryMessages, type DiscoveryMessage } from './discovery';
import { homeBrokerClientSettings, type HomeAssistantSettings } from './settings';
import { homeTopics, slug, type HomeTopics } from './topics';

export interface HomeAssistantBridgeOptions {
  settings: HomeAssistantSettings & { url: string };
  deviceId: string;
  /** The model's class labels: the event entity's event_types and one trigger each. */
  labels: readonly string[];
  modelId?: string | undefined;
  /** Defaults to this package's version. */
  version?: string;
  /** First reconnect delay (doubles per failed attempt up to maxReconnectMs). */
  minReconnectMs?: number;
  maxReconnectMs?: number;
}

export interface HomeAssistantStats {
  /** Gestures published to Home Assistant. */
  published: number;
  /** Gestures not published because the home broker was away (never queued: a late command surprises). */
  skipped: number;
  /** Times the full set of discovery configs was published. */
  announcements: number;
}

/** This package's version, for the device's sw_version. */
export function edgeVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export class HomeAssistantBridge implements GestureSink {
  readonly name = 'home-assistant';
  readonly stats: HomeAssistantStats = { published: 0, skipped: 0, announcements: 0 };
  readonly topics: HomeTopics;
  readonly connection: MqttConnection;
  private readonly messages: readonly DiscoveryMessage[];

  constructor(opts: HomeAssistantBridgeOptions, private readonly log: Logger) {
    this.topics = homeTopics(opts.settings.discoveryPrefix, opts.deviceId);
    this.messages = discoveryMessages({
      deviceId: opts.deviceId, discoveryPrefix: opts.settings.discoveryPrefix, labels: opts.labels,
      version: opts.version ?? edgeVersion(), modelId: opts.modelId,
    });
    this.connection = new MqttConnection({
      settings: homeBrokerClientSettings(opts.settings),
      clientId: `helen-ha-${slug(opts.deviceId)}-${process.pid}`.slice(0, 64),
      log,
      protocolVersion: 5,
      fallbackTo311: true,
      keepaliveS: 30,
      minReconnectMs: opts.minReconnectMs ?? 1000,
      maxReconnectMs: opts.maxReconnectMs ?? 30_000,
      // No body: the bare `online` / `offline` that Home Assistant's availability expects.
      status: { topic: this.topics.availability },
    });
    // Runs before the subscriptions and the `online` status: Home Assistant knows the entity
    // before it is told the entity is available.
    this.connection.onConnect(async () => {
      const version = this.connection.protocolVersion === 5 ? '5' : '3.1.1';
      log.info({ url: this.connection.safeUrl, mqtt: version }, `connected to the home broker with MQTT ${version}`);
      await this.announce();
    });
    this.connection.keepSubscribed(this.topics.haStatus, 1);
    this.connection.onMessage((topic, payload) => {
      if (topic !== this.topics.haStatus || payload.toString('utf8').trim() !== 'online') return;
      log.info('Home Assistant came online: announcing the device again');
      this.announce().then(
        () => this.connection.setStatus('online'),
        (err: unknown) => log.warn({ err: (err as Error).message }, 'announcing to Home Assistant failed'),
      );
    });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /** The discovery configs this bridge publishes (the event entity, then one trigger per label). */
  get discovery(): readonly DiscoveryMessage[] {
    return this.messages;
  }

  /** Connects in the background and keeps reconnecting until stop(). */
  start(): void {
    this.connection.start();
  }

  /** Publishes `offline` (retained) and disconnects, bounded. Idempotent. */
  stop(): Promise<void> {
    return this.connection.stop();
  }

  send(event: GestureEvent): void {
    const body = JSON.stringify({
      event_type: event.gesture, score: event.score, timestamp: event.timestamp, sequence: event.sequence, session_id: event.session_id,
    });
    const sent = this.connection.publish(this.topics.events, body, 1) && this.connection.publish(this.topics.actions, event.gesture, 1);
    if (sent) this.stats.published++;
    else this.stats.skipped++;
  }

  /** Publishes every discovery config, retained, QoS 1. */
  private async announce(): Promise<void> {
    for (const m of this.messages) await this.connection.publishAsync(m.topic, JSON.stringify(m.payload), 1, true);
    this.stats.announcements++;
  }
}
