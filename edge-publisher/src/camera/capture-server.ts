import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { CameraConfig } from './config';
import type { CaptureHub } from './hub';

/** What the page needs to know, served as config.json. */
export type PageSettings = Pick<CameraConfig, 'numHands' | 'delegate' | 'handedness' | 'width' | 'height' | 'frameRate' | 'frameSource' | 'mirror'>
  & Partial<Pick<CameraConfig, Exclude<(typeof DETECTION_KEYS)[number], 'preview'>>> & { preview?: boolean };

/** Detection settings the page takes (each optional: missing = the page's default). */
export const DETECTION_KEYS = [
  'preview', 'runningMode', 'minDetectionConfidence', 'minPresenceConfidence', 'minTrackingConfidence', 'processWidth', 'worker', 'probeEvery',
] as const;

export interface CapturePageOptions {
  hub: CaptureHub;
  /** A verified hand_landmarker.task (see ensureHandModel). */
  modelPath: string;
  page: PageSettings;
}

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));
const TASKS_VISION_DIR = dirname(createRequire(import.meta.url).resolve('@mediapipe/tasks-vision'));

// Fixed lists rather than a directory listing: nothing else under these folders is served.
const PAGE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'capture.js': 'text/javascript; charset=utf-8',
  'landmarker.js': 'text/javascript; charset=utf-8',
  'overlay.js': 'text/javascript; charset=utf-8',
  'hand-count.js': 'text/javascript; charset=utf-8',
  'detector.js': 'text/javascript; charset=utf-8',
  'landmark-worker.js': 'text/javascript; charset=utf-8',
};
const WASM_FILES = [
  'vision_wasm_internal.js', 'vision_wasm_internal.wasm',
  'vision_wasm_nosimd_internal.js', 'vision_wasm_nosimd_internal.wasm',
  'vision_wasm_module_internal.js', 'vision_wasm_module_internal.wasm',
];
export const MODEL_ROUTE = 'model/hand_landmarker.task';

async function sendFile(reply: FastifyReply, path: string, type: string, cache: string): Promise<FastifyReply> {
  const info = await stat(path);
  return reply
    .header('content-type', type)
    .header('content-length', info.size)
    .header('cache-control', cache)
    .send(createReadStream(path));
}

/**
 * The capture page, its scripts, tasks-vision's bundle and wasm, the model and the frame
 * WebSocket (`ws`), all relative to the plugin's prefix. Register it on the edge's own
 * Fastify (`app.register(capturePagePlugin, { prefix: '/capture', ... })`) or use
 * startCaptureServer. The page lives at `<prefix>/` (with the slash: its URLs are relative).
 */
export const capturePagePlugin: FastifyPluginAsync<CapturePageOptions> = async (app, opts) => {
  const prefix = app.prefix;

  app.get('/', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.endsWith('/')) return reply.redirect(`${path}/`);
    return sendFile(reply, join(PUBLIC_DIR, 'index.html'), 'text/html; charset=utf-8', 'no-cache');
  });
  app.get<{ Params: { file: string } }>('/:file', async (req, reply) => {
    const type = PAGE_FILES[req.params.file];
    if (!type) return reply.code(404).send({ error: 'not found' });
    return sendFile(reply, join(PUBLIC_DIR, req.params.file), type, 'no-cache');
  });
  app.get('/config.json', async () => ({
    ...opts.page,
    wsPath: 'ws',
    modelUrl: MODEL_ROUTE,
    wasmUrl: 'vendor/tasks-vision/wasm',
  }));
  app.get('/vendor/tasks-vision/vision_bundle.mjs', async (_req, reply) =>
    sendFile(reply, join(TASKS_VISION_DIR, 'vision_bundle.mjs'), 'text/javascript; charset=utf-8', 'max-age=3600'));
  app.get<{ Params: { file: string } }>('/vendor/tasks-vision/wasm/:file', async (req, reply) => {
    const file = req.params.file;
    if (!WASM_FILES.includes(file)) return reply.code(404).send({ error: 'not found' });
    // instantiateStreaming insists on application/wasm.
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8';
    return sendFile(reply, join(TASKS_VISION_DIR, 'wasm', file), type, 'max-age=3600');
  });
  app.get(`/${MODEL_ROUTE}`, async (_req, reply) => sendFile(reply, opts.modelPath, 'application/octet-stream', 'max-age=3600'));

  // Frames arrive on a plain `ws` server bolted to Fastify's HTTP server: no extra plugin,
  // and upgrades for other paths are left to whoever else listens.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const wsPath = `${prefix}/ws`;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== wsPath) {
      if (app.server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    // Same-origin only: another site open in some browser on the Pi must not feed frames.
    const origin = req.headers.origin;
    if (origin !== undefined && safeHost(origin) !== req.headers.host) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => opts.hub.attach(ws));
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    opts.hub.closeAll();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
};

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export interface CaptureServer {
  app: FastifyInstance;
  /** The page's URL, e.g. http://127.0.0.1:8765/ */
  url: string;
  close(): Promise<void>;
}

/** A Fastify of its own serving only the capture page (headless and kiosk modes, tests). */
export async function startCaptureServer(
  opts: CapturePageOptions & { host: string; port: number; logger?: Logger },
): Promise<CaptureServer> {
  // Warn and up only: per-request logs for a page's dozen loads would just be noise. (The
  // pino type differs from FastifyBaseLogger only in generics.)
  const app = Fastify({ loggerInstance: opts.logger?.child({}, { level: 'warn' }) }) as unknown as FastifyInstance;
  await app.register(capturePagePlugin, { hub: opts.hub, modelPath: opts.modelPath, page: opts.page });
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const shownHost = opts.host === '0.0.0.0' ? '127.0.0.1' : host;
  return { app, url: `http://${shownHost}:${port}/`, close: () => app.close() };
}
