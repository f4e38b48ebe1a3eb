import { validateLandmarkFrame, type LandmarkFrame } from '@helen/schemas';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { WebSocket } from 'ws';
import type { EdgeDisplayStatus } from '../sources/source';
import type { HandednessMode } from './config';
import { mapHandedness } from './handedness';

/** What the page reports about itself once a second. */
export interface PageStats {
  fps: number;
  detectMs: number;
  frames: number;
  /** Hands the landmarker looked for in the last frame (1 or 2; changes under numHands 'auto'). */
  tracking: number;
}

export interface CaptureHubOptions {
  handedness: HandednessMode;
  logger?: Logger;
}

/**
 * The meeting point of capture pages and the edge: frames in (validated, handedness
 * mapped), status out. Owned by the CameraSource; the Fastify plugin only attaches sockets.
 * A bad message is logged and dropped; it never throws into the socket.
 */
export class CaptureHub {
  private readonly clients = new Set<WebSocket>();
  private readonly log: Logger;
  private onFrame: ((frame: LandmarkFrame) => void) | null = null;
  private lastStatus: EdgeDisplayStatus | null = null;
  private badMessages = 0;
  private readyWaiters: (() => void)[] = [];
  /** Latest numbers a page reported (fps, detection latency). */
  stats: PageStats | null = null;
  framesReceived = 0;

  constructor(private readonly opts: CaptureHubOptions) {
    this.log = opts.logger ?? pino({ level: 'silent' });
  }

  setFrameListener(listener: ((frame: LandmarkFrame) => void) | null): void {
    this.onFrame = listener;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get droppedMessages(): number {
    return this.badMessages;
  }

  /** How many times a page said its camera and landmarker are running. */
  readyCount = 0;

  /** Resolves once more than `after` pages have become ready (default: any, ever). */
  waitForReady(timeoutMs: number, after = 0): Promise<void> {
    if (this.readyCount > after) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no capture page became ready within ${timeoutMs} ms`)), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  attach(socket: WebSocket): void {
    this.clients.add(socket);
    socket.on('message', (data, isBinary) => this.handle(isBinary ? null : data.toString()));
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'capture page socket error'));
    if (this.lastStatus) this.sendTo(socket, this.lastStatus);
  }

  showStatus(status: EdgeDisplayStatus): void {
    this.lastStatus = status;
    for (const socket of this.clients) this.sendTo(socket, status);
  }

  closeAll(): void {
    for (const socket of this.clients) socket.terminate();
    this.clients.clear();
  }

  private sendTo(socket: WebSocket, status: EdgeDisplayStatus): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'status', status }));
  }

  private drop(reason: string, detail?: unknown): void {
    this.badMessages += 1;
    // Logged at warn for the first few, then sampled, so a broken page cannot flood journald.
    if (this.badMessages <= 5 || this.badMessages % 100 === 0) {
      this.log.warn({ reason, detail, dropped: this.badMessages }, 'dropped a bad message from the capture page');
    }
  }

  private handle(text: string | null): void {
    if (text === null) return this.drop('binary message');
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.drop('not JSON', text.slice(0, 80));
    }
    const m = msg as { type?: unknown; frame?: unknown } | null;
    switch (m?.type) {
      case 'frame':
        return this.handleFrame(m.frame);
      case 'stats':
        this.stats = msg as PageStats;
        this.log.debug({ stats: this.stats }, 'capture page stats');
        return;
      case 'ready':
        this.readyCount += 1;
        this.log.info({ page: msg }, 'capture page ready');
        for (const w of this.readyWaiters.splice(0)) w();
        return;
      case 'hello':
        this.log.debug({ page: msg }, 'capture page connected');
        return;
      case 'error':
        this.log.error({ page: msg }, 'capture page reported an error');
        return;
      default:
        return this.drop('unknown message type', m?.type);
    }
  }

  private handleFrame(raw: unknown): void {
    const check = validateLandmarkFrame(raw);
    if (!check.ok) return this.drop('invalid landmark frame', check.error);
    this.framesReceived += 1;
    const frame = mapHandedness(check.value, this.opts.handedness);
    try {
      this.onFrame?.(frame);
    } catch (err) {
      this.log.error({ err }, 'frame listener threw');
    }
  }
}
