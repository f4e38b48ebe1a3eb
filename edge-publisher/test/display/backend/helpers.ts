/** The display plugin on a real UiServer (Fastify on port 0) with its state in a temporary folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createDisplay, type Display, type DisplayOptions } from '../../../src/display/plugin';
import type { Sensitivity } from '../../../src/display/sensitivity';
import { displaySettings } from '../../../src/display/settings';
import { UiServer } from '../../../src/ui/server';

export interface DisplayServer {
  ui: UiServer;
  display: Display;
  url: string;
  stateDir: string;
  applied: Sensitivity[];
  /** Every log line written so far (JSON text), to check what is never logged. */
  logs: string[];
  stop(): Promise<void>;
}

/** A logger that keeps its lines. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done(); } });
  return { log: pino({ level: 'debug' }, stream), lines };
}

export async function tempDir(prefix = 'helen-display-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startDisplay(opts: {
  env?: Record<string, string>;
  stateDir?: string;
  staticDir?: string;
  options?: Partial<DisplayOptions>;
} = {}): Promise<DisplayServer> {
  const stateDir = opts.stateDir ?? await tempDir();
  const { log, lines } = capturingLogger();
  const applied: Sensitivity[] = [];
  // The display broadcasts through the server that hosts it (built right after).
  const server: { ui?: UiServer } = {};
  const display = createDisplay({
    config: displaySettings.parse(opts.env ?? {}), stateDir, log, atRoot: opts.staticDir === undefined,
    broadcast: (e) => server.ui?.broadcast(e), applySensitivity: (s) => applied.push(s),
    status: () => ({ mode: 'mqtt', device: 'pi-test', broker: 'connected', workersOnline: 1, fallbackActive: false, servedBy: 'cloud', model: 'helen-bigru@abc' }),
    ...opts.options,
  });
  const ui = new UiServer({ host: '127.0.0.1', port: 0, plugins: [display.plugin], staticDir: opts.staticDir }, log);
  server.ui = ui;
  await ui.start();
  return {
    ui, display, url: ui.url, stateDir, applied, logs: lines,
    stop: async () => {
      await ui.stop();
      if (opts.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export async function call(url: string, method: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) as unknown };
}
