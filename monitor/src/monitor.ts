/**
 * The monitor service: one read-only MQTT client (no status topic, no last will, never
 * publishes) subscribed to the watched filters; each message is decoded, counted and printed
 * to `out` as it arrives, and per-device rates every interval. Constructors do no I/O;
 * start()/stop() pair up.
 */
import { hostname } from 'node:os';
import { MqttConnection, type createLogger, type QoS } from '@helen/runtime';
import { createTopics } from '@helen/schemas';
import type { MonitorConfig } from './config';
import { decodeMessage, type MonitorEvent } from './decode';
import { formatEvent, formatRates } from './format';
import { InFlightRequests, RateCounter } from './rates';

type Logger = ReturnType<typeof createLogger>;

/** Where lines go: process.stdout, or a collector in tests. */
export interface LineSink {
  write(text: string): unknown;
}

export interface MonitorDeps {
  readonly out: LineSink;
  readonly log: Logger;
  /** The clock (epoch ms) for deadlines, latencies and rates. */
  readonly now?: () => number;
}

/**
 * QoS 0, like `mosquitto_sub`'s default: a watcher should not make the broker hold and
 * re-send messages for it. The retained status and metadata still arrive on subscribe.
 */
const WATCH_QOS: QoS = 0;

export interface Monitor {
  /** Filters the monitor subscribes to. */
  readonly filters: readonly string[];
  /** Connected and subscribed (resolves on the first connect; reconnects run in the background). */
  start(): Promise<{ url: string; filters: readonly string[] }>;
  stop(): Promise<void>;
  /** Decodes, counts and prints one message (what the MQTT handler calls). Never throws on bad payloads. */
  handle(topic: string, payload: Uint8Array): MonitorEvent;
  /** Prints the rates since the last call (what the interval timer calls). */
  printRates(): void;
}

/** `helen-monitor-<host>-<pid>-<random>`: two monitors on one host never kick each other off. */
function monitorClientId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'host';
  return `helen-monitor-${host}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
}

export function createMonitor(config: MonitorConfig, deps: MonitorDeps): Monitor {
  const now = deps.now ?? Date.now;
  const topics = createTopics(config.settings.topicPrefix);
  const filters = config.topics.length > 0 ? config.topics : [`${topics.prefix}/#`];
  const rates = new RateCounter(now());
  const inFlight = new InFlightRequests();
  const log = deps.log.child({ module: 'monitor' });
  let connection: MqttConnection | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Fills in what one message alone cannot say: a reply's latency and a facade reply's device. */
  function correlate(event: MonitorEvent, at: number): MonitorEvent {
    if (event.type === 'request') {
      inFlight.add(event.id, event.device, at);
      return event;
    }
    if (event.type === 'reply' || event.type === 'error') {
      const seen = inFlight.answer(event.id, at);
      if (seen) return { ...event, device: event.device ?? seen.device, latency_ms: seen.latencyMs };
    }
    return event;
  }

  function handle(topic: string, payload: Uint8Array): MonitorEvent {
    const at = now();
    const event = correlate(decodeMessage(topics, topic, payload, at), at);
    rates.count(event);
    deps.out.write(formatEvent(event, at, config.json));
    return event;
  }

  function printRates(): void {
    const at = now();
    const text = formatRates(rates.take(at), at, config.json);
    if (text !== '') deps.out.write(text);
  }

  return {
    filters,
    handle,
    printRates,
    async start() {
      const conn = new MqttConnection({ settings: config.settings.mqtt, clientId: monitorClientId(), log });
      connection = conn;
      conn.onMessage((topic, payload) => {
        handle(topic, payload);
      });
      for (const f of filters) conn.keepSubscribed(f, WATCH_QOS);
      await conn.connect();
      if (config.intervalMs > 0) {
        // Rates cover the time since the subscription, not since construction.
        rates.take(now());
        timer = setInterval(printRates, config.intervalMs);
      }
      return { url: conn.safeUrl, filters };
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      const conn = connection;
      connection = undefined;
      await conn?.stop();
    },
  };
}
