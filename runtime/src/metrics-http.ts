/**
 * The small HTTP listener the broker and the worker serve their Prometheus text on: `GET
 * /metrics` and, when a probe is given, `GET /health` (200 while serving, 503 with a reason
 * otherwise, for a container runtime or a load balancer). node:http, not Fastify: two fixed
 * routes in processes whose work is MQTT. prom-client stays with the services; this only needs
 * something that renders the exposition.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exposition {
  /** The Prometheus text. */
  text(): Promise<string>;
  readonly contentType: string;
}

/** GET /health: `reason` undefined = serving; `fields` are shown either way. */
export type HealthProbe = () => { readonly reason: string | undefined; readonly fields: Record<string, unknown> };

export interface MetricsListener {
  readonly port: number;
  /** Closes the listener, scrapers' keep-alive connections included (they would hold close() open). */
  close(): Promise<void>;
}

/** Listens on host:port (0 = a free port); resolves once bound. */
export function serveMetricsHttp(exposition: Exposition, port: number, host: string, health?: HealthProbe): Promise<MetricsListener> {
  const routes = health ? '/metrics or /health' : '/metrics';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const body = (text: string) => (req.method === 'HEAD' ? undefined : text);
    if (path === '/health' && health) {
      const h = health();
      const json = JSON.stringify({ status: h.reason === undefined ? 'ok' : 'unavailable', ...(h.reason === undefined ? {} : { reason: h.reason }), ...h.fields });
      res.writeHead(h.reason === undefined ? 200 : 503, { 'content-type': 'application/json' }).end(body(json));
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(body(`not found: try ${routes}\n`));
      return;
    }
    exposition.text().then(
      (text) => res.writeHead(200, { 'content-type': exposition.contentType }).end(body(text)),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(body(`${err.message}\n`)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
