/**
 * The corner preview's feed: `GET /api/display/landmarks` (SSE) sends the newest source frame's
 * hands at most 10 times a second. The edge hands over every frame; with nobody listening that
 * costs one comparison, and no timer runs.
 */
import type { ServerResponse } from 'node:http';
import type { LandmarkFrame } from '@helen/schemas';
import type { FastifyInstance } from 'fastify';
import type { PreviewHand } from './tutorial';

export const PREVIEW_INTERVAL_MS = 100;
const KEEP_ALIVE_MS = 15_000;

export class LandmarkPreview {
  private readonly clients = new Set<ServerResponse>();
  private newest: LandmarkFrame | undefined;
  private sent: LandmarkFrame | undefined;
  private timer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = PREVIEW_INTERVAL_MS) {}

  get listeners(): number {
    return this.clients.size;
  }

  /** Every source frame; kept only while someone watches. */
  push(frame: LandmarkFrame): void {
    if (this.clients.size > 0) this.newest = frame;
  }

  routes(app: FastifyInstance): void {
    app.get('/api/display/landmarks', (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no',
      });
      res.write(': preview\n\n');
      this.clients.add(res);
      this.startTimers();
      req.raw.on('close', () => {
        this.clients.delete(res);
        if (this.clients.size === 0) this.stopTimers();
      });
    });
    app.addHook('preClose', async () => this.close());
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.stopTimers();
  }

  private startTimers(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    this.timer.unref();
    this.keepAlive.unref();
  }

  private stopTimers(): void {
    clearInterval(this.timer);
    clearInterval(this.keepAlive);
    this.timer = undefined;
    this.keepAlive = undefined;
    this.newest = undefined;
    this.sent = undefined;
  }

  private tick(): void {
    const frame = this.newest;
    if (!frame || frame === this.sent) return;
    this.sent = frame;
    const hands: PreviewHand[] = frame.hands.map((h) => ({ handedness: h.handedness, landmarks: h.landmarks }));
    this.write(`data: ${JSON.stringify({ hands })}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.clients) if (!res.writableEnded) res.write(chunk);
  }
}
