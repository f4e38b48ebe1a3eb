/**
 * The worker's small HTTP listener (HELEN_WORKER_HTTP_PORT): `GET /metrics` (Prometheus text)
 * and `GET /health` (200 while serving, 503 with a reason otherwise, for a container runtime
 * or load balancer). node:http rather than Fastify: two fixed routes do not justify a
 * framework in a process whose work is MQTT.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerMetrics } from './metrics';

/** GET /health's body: `status` plus what an operator wants to see at a glance. */
export interface WorkerHealth {
  /** Why the worker is not serving; undefined when it is (200). */
  readonly reason: string | undefined;
  readonly fields: Record<string, unknown>;
}

export interface WorkerHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = a free port); resolves once bound. */
export function serveWorkerHttp(
  metrics: WorkerMetrics, health: () => WorkerHealth, port: number, host: string,
): Promise<WorkerHttpServer> {
  metrics.enableDefaultMetrics();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const body = (text: string) => (req.method === 'HEAD' ? undefined : text);
    if (path === '/health') {
      const h = health();
      const json = JSON.stringify({ status: h.reason === undefined ? 'ok' : 'unavailable', ...(h.reason === undefined ? {} : { reason: h.reason }), ...h.fields });
      res.writeHead(h.reason === undefined ? 200 : 503, { 'content-type': 'application/json' }).end(body(json));
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(body('not found: try /metrics or /health\n'));
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body(text)),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(body(`${err.message}\n`)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ port: (server.address() as AddressInfo).port, close: () => closeServer(server) });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  // A scraper's keep-alive connection would otherwise hold close() open.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
