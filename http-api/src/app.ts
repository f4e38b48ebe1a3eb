/**
 * The facade as a library: `createApi(config)` builds Fastify and the MQTT link without
 * doing I/O; `start()` connects and listens (tests use port 0), `stop()` releases it all.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from '@helen/runtime';
import type { ApiConfig } from './config';
import { registerDocs } from './docs/plugin';
import { routeDocs } from './docs/responses';
import { installErrorHandlers } from './http-errors';
import { ApiMetrics, metricsRoute } from './metrics';
import { createMqttLink, type MqttLink } from './mqtt/link';
import { predictRoute } from './routes/predict';
import { statusRoutes } from './routes/status';
import { installSecurity } from './security/plugin';
import { BearerTokens } from './security/tokens';

export interface ApiDeps {
  /** Defaults to the runtime's logger (secrets redacted) at `config.logLevel`, named `http-api`. */
  logger?: Logger;
  /** Unique per process (default: pid + random): the reply topic is {prefix}/api/{instanceId}/replies. */
  instanceId?: string;
}

export interface Api {
  readonly app: FastifyInstance;
  readonly link: MqttLink;
  /** Prometheus metrics, served on GET /metrics. */
  readonly metrics: ApiMetrics;
  /** Starts the MQTT link (in the background) and the HTTP listener; reads the tokens file first. */
  start(): Promise<{ url: string; port: number }>;
  /** Re-reads HELEN_API_TOKENS_FILE (SIGHUP); returns the number of tokens, or throws (the old ones stay). */
  reloadTokens(): number;
  /** Settles every pending request (503), closes HTTP and MQTT. Idempotent. */
  stop(): Promise<void>;
}

/** Longest a stop waits for replies to requests already accepted. */
const SHUTDOWN_DRAIN_MS = 5000;

export function createApi(config: ApiConfig, deps: ApiDeps = {}): Api {
  const logger = deps.logger ?? createLogger(config.logLevel, { name: 'http-api' });
  const metrics = new ApiMetrics();
  const link = createMqttLink(config, {
    log: logger.child({ module: 'mqtt' }), instanceId: deps.instanceId, onRoundTrip: (ms, outcome) => metrics.observeRoundTrip(ms, outcome),
  });
  metrics.attach(link);
  const app = Fastify({
    // pino's Logger and Fastify's base logger type differ only in generics.
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    // Behind a proxy, req.ip (rate-limit key, logs) is the client's only for the proxies named here.
    trustProxy: config.security.trustProxy === false ? false : [...config.security.trustProxy],
    // The original contract is exact: no type coercion ("1" is not a number), no NaN/Infinity.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, strictNumbers: true } },
    // Two info lines per request at hundreds of requests/s are noise; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Only JSON bodies: text/plain would otherwise reach the schema as a string.
  app.removeContentTypeParser('text/plain');
  installErrorHandlers(app, config.bodyLimit);
  // While stopping, answers close their connection: a keep-alive connection left idle after
  // its last answer would otherwise hold app.close() open for the keep-alive timeout.
  let shuttingDown = false;
  app.addHook('onSend', async (_req, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });
  const tokens = new BearerTokens(config.security);
  // Before the docs and the routes: its hooks attach to each route as the route is added.
  installSecurity(app, { ...config.security, tokens });
  registerDocs(app, routeDocs({ bearer: tokens.enabled, rateLimit: config.security.rateLimit > 0 }));
  // Once the docs plugin has loaded: @fastify/swagger only sees routes added after it.
  app.after(() => {
    statusRoutes(app, link);
    predictRoute(app, link);
    metricsRoute(app, metrics);
  });

  let stopped: Promise<void> | undefined;
  return {
    app,
    link,
    metrics,
    reloadTokens: () => tokens.reload(),
    async start() {
      tokens.reload();
      link.start();
      await app.listen({ host: config.host, port: config.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port };
    },
    stop() {
      stopped ??= (async () => {
        // No new requests from here (Fastify answers 503 while closing); the accepted ones get
        // their answers for a bounded time, then whatever is left gets 503, so app.close()
        // never waits on a request until its own timeout.
        shuttingDown = true;
        const closing = app.close();
        await link.drain(Math.min(config.timeoutMs, SHUTDOWN_DRAIN_MS));
        await link.stop();
        await closing;
      })();
      return stopped;
    },
  };
}
