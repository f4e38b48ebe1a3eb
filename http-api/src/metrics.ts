/**
 * The facade's Prometheus metrics, in its own registry (several facades in one process never
 * clash), served on `GET /metrics` of the facade's own port. Sources:
 * - every HTTP response (Fastify's onResponse hook): a counter by route and status, and for
 *   `/predict` a latency histogram by status;
 * - every request handed to MQTT (the link's `onRoundTrip`): to its reply or failure;
 * - the MQTT link's own counters and state (pending requests, workers online from the
 *   retained status topics), read at scrape time so the request path pays nothing for them.
 * Names follow the broker's: `helen_api_*`, seconds, `_total` counters; prom-client's default
 * process metrics without a prefix (`process_*`, `nodejs_*`).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MqttLink } from './mqtt/link';

/** /predict answers within HELEN_API_TIMEOUT_MS (default 5 s); a warm round trip is a few ms. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly responses: Counter<'route' | 'status'>;
  private readonly predictSeconds: Histogram<'status'>;
  private readonly roundTripSeconds: Histogram<'outcome'>;
  private link: MqttLink | undefined;
  private defaultMetrics = false;

  constructor() {
    const registers = [this.registry];
    this.responses = new Counter({
      name: 'helen_api_http_responses_total', help: 'HTTP responses by route (the route pattern, "unmatched" for a 404) and status code',
      labelNames: ['route', 'status'], registers,
    });
    this.predictSeconds = new Histogram({
      name: 'helen_api_predict_duration_seconds', help: 'POST /predict: request received to response sent, by status code',
      labelNames: ['status'], buckets: LATENCY_BUCKETS, registers,
    });
    this.roundTripSeconds = new Histogram({
      name: 'helen_api_mqtt_round_trip_seconds',
      help: 'request handed to MQTT (waiting for a broker or worker included) to its outcome: ok (a result), or the failure (bad_request, unavailable, timeout, internal)',
      labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers,
    });
    const link = () => this.link;
    const gauge = (name: string, help: string, read: (l: MqttLink) => number) =>
      new Gauge({ name, help, registers, collect() { const l = link(); this.set(l ? read(l) : 0); } });
    gauge('helen_api_pending_requests', 'requests sent over MQTT and awaiting their reply', (l) => l.stats().pending);
    gauge('helen_api_workers_online', 'inference workers online (their retained status topics)', (l) => l.state().workers.length);
    gauge('helen_api_mqtt_connected', '1 while connected to the broker', (l) => (l.state().connected ? 1 : 0));
    // The link's counters, copied at scrape time.
    const total = (name: string, help: string, read: (l: MqttLink) => number) =>
      new Counter({ name, help, registers, collect() { const l = link(); this.reset(); this.inc(l ? read(l) : 0); } });
    total('helen_api_mqtt_requests_sent_total', 'requests published over MQTT, retries included', (l) => l.stats().sent);
    total('helen_api_mqtt_retries_total', 'unanswered requests sent once more', (l) => l.stats().retries);
    new Counter({
      name: 'helen_api_mqtt_replies_total',
      help: 'replies received: matched (answered a pending request), unmatched (already settled: late or duplicate), unreadable',
      labelNames: ['result'], registers,
      collect() {
        const s = link()?.stats();
        this.reset();
        this.inc({ result: 'matched' }, s ? s.replies - s.unmatchedReplies : 0);
        this.inc({ result: 'unmatched' }, s?.unmatchedReplies ?? 0);
        this.inc({ result: 'unreadable' }, s?.badReplies ?? 0);
      },
    });
  }

  /** The link whose counters and state the gauges read. */
  attach(link: MqttLink): void {
    this.link = link;
  }

  /** One HTTP response: `route` is the route pattern, `elapsedMs` Fastify's request-to-response time. */
  observeResponse(route: string, statusCode: number, elapsedMs: number): void {
    const status = String(statusCode);
    this.responses.inc({ route, status });
    if (route === '/predict') this.predictSeconds.observe({ status }, elapsedMs / 1000);
  }

  /** One MQTT request settled after `ms`; `outcome` is `ok` or the ApiError kind. */
  observeRoundTrip(ms: number, outcome: string): void {
    this.roundTripSeconds.observe({ outcome }, ms / 1000);
  }

  /** The Prometheus text; the process metrics join at the first scrape (an unscraped facade installs no observers). */
  text(): Promise<string> {
    if (!this.defaultMetrics) {
      this.defaultMetrics = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return this.registry.metrics();
  }
}

/** The onResponse hook (every route) and `GET /metrics`. */
export function metricsRoute(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    metrics.observeResponse(req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
  });
  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics', description: 'Prometheus text exposition (format 0.0.4) of the facade\'s metrics' },
  }, async (_req, reply) => {
    const text = await metrics.text();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
