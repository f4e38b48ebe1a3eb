import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { BrowserContext, Page } from 'playwright-core';

/** Flags measured to work with Debian's Chromium and tasks-vision on CPU (issue 6). */
export const BASE_FLAGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
] as const;

export interface ChromiumOptions {
  executablePath: string;
  mode: 'headless' | 'kiosk';
  url: string;
  /** A .y4m or .mjpeg file Chromium plays as its camera, looping. */
  fakeVideoPath?: string | undefined;
  /** Keep the GPU for MediaPipe's GPU delegate; otherwise Chromium runs with --disable-gpu. */
  gpu?: boolean;
  /** Appended last (HELEN_CAMERA_CHROMIUM_FLAGS), e.g. a Pi's GPU flags. */
  extraFlags?: readonly string[];
  logger?: Logger;
  /** Restart backoff: doubles from `initialMs` up to `maxMs`; reset after a minute of running. */
  restart?: { initialMs: number; maxMs: number };
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export function chromiumArgs(opts: Pick<ChromiumOptions, 'mode' | 'fakeVideoPath' | 'gpu' | 'extraFlags'>): string[] {
  const args: string[] = [...BASE_FLAGS];
  if (!opts.gpu) args.push('--disable-gpu');
  if (opts.mode === 'headless') args.unshift('--headless');
  else args.push('--kiosk', '--start-fullscreen', '--noerrdialogs', '--disable-infobars');
  // Auto-accept the camera prompt: nobody is there to click it.
  args.push('--use-fake-ui-for-media-stream');
  if (opts.fakeVideoPath) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${opts.fakeVideoPath}`);
  }
  args.push(...(opts.extraFlags ?? []));
  return args;
}

/**
 * One Chromium (persistent context on a fresh temp profile) showing the capture page.
 * If the browser dies or the page crashes, it is relaunched with backoff on a new profile.
 */
export class ChromiumRunner {
  private context: BrowserContext | null = null;
  private profileDir: string | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private launchedAt = 0;
  private readonly log: Logger;
  /** How many times the browser was relaunched after dying. */
  restarts = 0;

  constructor(private readonly opts: ChromiumOptions) {
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.backoffMs = opts.restart?.initialMs ?? 1000;
  }

  get page(): Page | null {
    return this.context?.pages()[0] ?? null;
  }

  /** The main browser process id (for the bench and the restart test), if running. */
  async browserPid(): Promise<number | null> {
    const dir = this.profileDir;
    if (!dir) return null;
    for (const entry of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(entry)) continue;
      const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes(`--user-data-dir=${dir}`) && !cmd.includes('--type=')) return Number(entry);
    }
    return null;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.launch();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const context = this.context;
    this.context = null;
    await context?.close().catch(() => undefined);
    await this.removeProfile();
  }

  private async removeProfile(): Promise<void> {
    const dir = this.profileDir;
    this.profileDir = null;
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  private async launch(): Promise<void> {
    await this.removeProfile();
    this.profileDir = await mkdtemp(join(tmpdir(), 'helen-chromium-'));
    const kiosk = this.opts.mode === 'kiosk';
    // Loaded on first launch: importing playwright-core costs about half a second, which the
    // package's other users (replay, synthetic, external mode) should not pay.
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(this.profileDir, {
      executablePath: this.opts.executablePath,
      headless: !kiosk,
      args: chromiumArgs(this.opts),
      // No "controlled by automated software" bar on the Pi's screen.
      ignoreDefaultArgs: ['--enable-automation'],
      viewport: kiosk ? null : { width: 1280, height: 720 },
    });
    if (this.stopping) {
      await context.close();
      return;
    }
    this.context = context;
    this.launchedAt = Date.now();
    try {
      await this.showPage(context);
    } catch (err) {
      // Half-started: drop this browser without triggering the restart path.
      this.context = null;
      await context.close().catch(() => undefined);
      throw err;
    }
  }

  private async showPage(context: BrowserContext): Promise<void> {
    // The page needs nothing from the internet; tasks-vision's telemetry would only fail slowly.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      return isLoopbackHost(url.hostname) ? route.continue() : route.abort('blockedbyclient');
    });
    context.on('close', () => this.onClosed(context));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('crash', () => {
      this.log.error('capture page crashed; restarting the browser');
      void context.close().catch(() => undefined);
    });
    page.on('pageerror', (err) => this.log.error({ err: err.message }, 'capture page error'));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') this.log.debug({ text: msg.text() }, 'capture page console');
    });
    await page.goto(this.opts.url);
    this.log.info({ mode: this.opts.mode, url: this.opts.url, fakeVideo: this.opts.fakeVideoPath }, 'chromium showing the capture page');
  }

  private onClosed(context: BrowserContext): void {
    if (this.stopping || context !== this.context) return;
    this.context = null;
    if (Date.now() - this.launchedAt > 60_000) this.backoffMs = this.opts.restart?.initialMs ?? 1000;
    this.log.warn({ delayMs: this.backoffMs }, 'chromium exited; restarting it');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.restart?.maxMs ?? 30_000);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.restarts += 1;
      this.launch().catch((err: Error) => {
        this.log.error({ err: err.message, nextDelayMs: this.backoffMs }, 'chromium restart failed');
        if (!this.stopping) this.scheduleRestart();
      });
    }, delay);
  }
}
