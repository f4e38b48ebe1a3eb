import type { LandmarkFrame } from '@helen/schemas';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { DisplaysStatus, EdgeDisplayStatus, LandmarkSource } from '../sources/source';
import { DETECTION_KEYS, startCaptureServer, type CaptureServer, type PageSettings } from './capture-server';
import { ChromiumRunner } from './chromium';
import { previewOn, type CameraConfig } from './config';
import { CaptureHub } from './hub';
import { ensureHandModel } from './model-file';

export interface CameraSourceOptions {
  logger?: Logger;
  /** Restart backoff for the browser (tests shorten it). */
  restart?: { initialMs: number; maxMs: number };
}

/**
 * Landmarks from MediaPipe HandLandmarker running in a Chromium page. start() makes sure
 * the model file is there, serves the capture page on loopback and (unless the mode is
 * `external`) launches Chromium on it; frames arrive over the page's WebSocket.
 */
export class CameraSource implements LandmarkSource, DisplaysStatus {
  readonly kind = 'camera' as const;
  /** A camera never runs out. */
  readonly finished: Promise<void> = new Promise<void>(() => undefined);
  readonly hub: CaptureHub;
  private server: CaptureServer | null = null;
  private browser: ChromiumRunner | null = null;
  private readonly log: Logger;

  constructor(readonly config: CameraConfig, private readonly opts: CameraSourceOptions = {}) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'camera' });
    this.hub = new CaptureHub({ handedness: config.handedness, logger: this.log });
  }

  /** The capture page's URL once started (open it in a browser in `external` mode). */
  get url(): string | null {
    return this.server?.url ?? null;
  }

  get chromium(): ChromiumRunner | null {
    return this.browser;
  }

  async start(onFrame: (frame: LandmarkFrame) => void): Promise<void> {
    const c = this.config;
    const modelPath = await ensureHandModel({ path: c.modelPath, url: c.modelUrl, cacheDir: c.modelCacheDir, logger: this.log });
    this.hub.setFrameListener(onFrame);
    const page: PageSettings = {
      numHands: c.numHands, delegate: c.delegate, handedness: c.handedness,
      width: c.width, height: c.height, frameRate: c.frameRate, frameSource: c.frameSource, mirror: c.mirror,
    };
    for (const key of DETECTION_KEYS) Object.assign(page, { [key]: c[key] });
    page.preview = previewOn(c);
    this.server = await startCaptureServer({ hub: this.hub, modelPath, page, host: c.host, port: c.port, logger: this.log });
    this.log.info({ url: this.server.url, mode: c.mode, numHands: c.numHands, handedness: c.handedness }, 'capture page served');
    if (c.mode === 'external') return;
    this.browser = new ChromiumRunner({
      executablePath: c.chromiumPath,
      mode: c.mode,
      url: this.server.url,
      fakeVideoPath: c.fakeVideoPath,
      gpu: c.delegate === 'GPU',
      extraFlags: c.chromiumFlags,
      logger: this.log,
      restart: this.opts.restart,
    });
    try {
      await this.browser.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Resolves once a page has its camera and landmarker running (first frames follow). */
  waitForReady(timeoutMs = 30_000): Promise<void> {
    return this.hub.waitForReady(timeoutMs);
  }

  showStatus(status: EdgeDisplayStatus): void {
    this.hub.showStatus(status);
  }

  async stop(): Promise<void> {
    this.hub.setFrameListener(null);
    const browser = this.browser;
    const server = this.server;
    this.browser = null;
    this.server = null;
    await browser?.stop();
    await server?.close();
  }
}
