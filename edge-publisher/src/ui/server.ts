/**
 * The built-in local UI backend, compatible with the original Flask one (backend/server.py)
 * so the original Helen frontend works unchanged without Python:
 * - `GET /events`: Server-Sent Events, `data: {"type":"hello","status":"ok"}` first, then one
 *   `data: <json>` per gesture;
 * - `POST /gestures/gesture-key`: a JSON string ("Inicio") or object, relayed byte for byte;
 * - `GET /health`.
 * Plus `GET /metrics` (Prometheus text), `GET /metrics.json` (per-hop timing percentiles,
 * counters) and, when a folder is given, the frontend's static files. Other parts (the camera page) add routes through `plugins`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';

export type UiPlugin = { plugin: FastifyPluginAsync<Record<string, unknown>> | FastifyPluginCallback<Record<string, unknown>>; options?: Record<string, unknown> };

export interface UiServerOptions {
  host: string;
  port: number;
  /** Optional folder served at `/` (e.g. the original frontend's build). */
  staticDir?: string | undefined;
  /** Extra routes (the camera page and its WebSocket), registered before listening. */
  plugins?: readonly UiPlugin[];
  /** Body of GET /health besides `status`. */
  health?: () => Record<string, unknown>;
  /** Body of GET /metrics.json. */
  metrics?: () => Record<string, unknown>;
  /** GET /metrics: Prometheus text (metrics.ts); without it the route is absent. */
  prometheus?: { readonly contentType: string; text(): Promise<string> };
  /** Keep-alive comment interval for SSE clients (ms). */
  keepAliveMs?: number;
}

const HELLO = JSON.stringify({ type: 'hello', status: 'ok' });
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.wasm': 'application/wasm', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

export class UiServer {
  readonly app: FastifyInstance;
  private readonly clients = new Set<ServerResponse>();
  private keepAlive: NodeJS.Timeout | undefined;
  private listening = false;
  private relayed = 0;

  constructor(private readonly opts: UiServerOptions, log: Logger) {
    // The pino child logger's generic type differs from FastifyBaseLogger's; the instance is the same.
    // Per-request logs only when debugging: the page and SSE clients would flood journald.
    const level = log.level === 'debug' || log.level === 'trace' ? log.level : 'warn';
    this.app = Fastify({ loggerInstance: log.child({ module: 'ui' }, { level }), bodyLimit: 64 * 1024 }) as unknown as FastifyInstance;
    this.routes();
  }

  /** The bound port (after start). */
  get port(): number {
    const addr = this.app.server.address();
    return typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.port}`;
  }

  get sseClients(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    for (const p of this.opts.plugins ?? []) await this.app.register(p.plugin, p.options ?? {});
    await this.app.listen({ host: this.opts.host, port: this.opts.port });
    this.listening = true;
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), this.opts.keepAliveMs ?? 15_000);
    this.keepAlive.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.keepAlive);
    for (const res of this.clients) res.end();
    this.clients.clear();
    if (this.listening || this.app.server.listening) await this.app.close();
    this.listening = false;
  }

  /** Sends one JSON text (already serialized) to every SSE client. */
  broadcastRaw(json: string): void {
    // SSE data lines cannot hold newlines; JSON text only has them as insignificant whitespace.
    this.write(`data: ${json.replace(/\r?\n/g, ' ')}\n\n`);
    this.relayed++;
  }

  broadcast(event: unknown): void {
    this.broadcastRaw(JSON.stringify(event));
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      if (!res.writableEnded) res.write(chunk);
    }
  }

  private routes(): void {
    const app = this.app;
    // Keep the raw text so a relayed body is exactly what was posted (string or object).
    app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      try {
        done(null, { text, value: JSON.parse(text) as unknown });
      } catch {
        const err = new Error('body is not valid JSON') as Error & { statusCode: number };
        err.statusCode = 400;
        done(err, undefined);
      }
    });
    app.addHook('onSend', async (_req, reply) => {
      // The original frontend may be served from another origin (e.g. its dev server).
      reply.header('access-control-allow-origin', '*');
    });
    app.options('/*', async (_req, reply) => {
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS').header('access-control-allow-headers', 'content-type').code(204).send();
    });

    app.get('/events', (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'access-control-allow-origin': '*',
      });
      res.write(`data: ${HELLO}\n\n`);
      this.clients.add(res);
      req.raw.on('close', () => this.clients.delete(res));
    });

    app.post('/gestures/gesture-key', async (req, reply) => {
      const body = req.body as { text: string; value: unknown } | undefined;
      const value = body?.value;
      if (!body || (typeof value !== 'string' && (typeof value !== 'object' || value === null || Array.isArray(value)))) {
        return reply.code(400).send({ status: 'error', error: 'body must be a JSON string or object' });
      }
      this.broadcastRaw(body.text);
      return { status: 'ok', clients: this.clients.size };
    });

    app.get('/health', async () => ({ status: 'ok', sse_clients: this.clients.size, relayed: this.relayed, ...(this.opts.health?.() ?? {}) }));
    app.get('/metrics.json', async () => this.opts.metrics?.() ?? {});
    const prometheus = this.opts.prometheus;
    if (prometheus) app.get('/metrics', async (_req, reply) => reply.type(prometheus.contentType).send(await prometheus.text()));

    const dir = this.opts.staticDir;
    if (dir) {
      const root = resolve(dir);
      app.get('/*', async (req, reply) => {
        const rel = decodeURIComponent((req.params as { '*': string })['*'] || 'index.html');
        const file = normalize(join(root, rel));
        if (file !== root && !file.startsWith(root + sep)) return reply.code(404).send({ error: 'not found' });
        try {
          const s = await stat(file);
          const path = s.isDirectory() ? join(file, 'index.html') : file;
          return reply.type(MIME[extname(path)] ?? 'application/octet-stream').send(await readFile(path));
        } catch {
          return reply.code(404).send({ error: 'not found' });
        }
      });
    }
  }
}
