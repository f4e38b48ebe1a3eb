/**
 * A whole edge with the display for browser tests and the screenshot script: createEdge on
 * the real local model (no cloud), the UI backend on port 0, a live source that stays silent
 * (signs arrive through POST /gestures/gesture-key, as from the original backend), its state in
 * a temporary folder, and the outside services replaced by the loopback fakes of ../fakes.ts.
 * Plus a headless Chromium (Debian's) that may only reach loopback.
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { freePort } from '@helen/runtime';
import { createEdge, type Edge } from '../../../src/app';
import { edgeConfigFromEnv } from '../../../src/config';
import type { LandmarkSource } from '../../../src/sources/source';
import { silent } from '../../helpers';
import { CHROMIUM } from '../../camera/helpers';
import { startFakeHomeAssistant, startFakeOpenMeteo, writeFakeNmcli, type FakeHomeAssistant, type FakeNmcli, type FakeOpenMeteo } from '../fakes';

/** Why these tests cannot run here (only Chromium is needed, not the camera's hand model), or null. */
export function displayBrowserSkipReason(): string | null {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return null;
  } catch {
    return `display browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  }
}

/** The kiosk's smallest screen (the official 7" Pi display). */
export const VIEWPORT = { width: 800, height: 480 };

export interface Fakes {
  weather: FakeOpenMeteo;
  homeAssistant: FakeHomeAssistant;
  nmcli: FakeNmcli;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const [weather, homeAssistant, nmcli] = await Promise.all([startFakeOpenMeteo(), startFakeHomeAssistant(), writeFakeNmcli()]);
  return {
    weather, homeAssistant, nmcli,
    close: async () => {
      await Promise.all([weather.close(), homeAssistant.close(), nmcli.remove()]);
    },
  };
}

/** A live source that never produces a frame: the display's signs come over HTTP in these tests. */
export function quietSource(): LandmarkSource {
  return { kind: 'synthetic', start: async () => undefined, stop: async () => undefined, finished: new Promise(() => undefined) };
}

export interface DisplayEdge {
  edge: Edge;
  /** The UI backend, e.g. http://127.0.0.1:41234 (the display is at `${url}/`). */
  url: string;
  stateDir: string;
  /** POSTs one body to /gestures/gesture-key: a bare label is sent as a JSON string. */
  sign(body: string | Record<string, unknown>): Promise<void>;
  /** Stops the edge (the state folder stays when it was given). */
  stop(): Promise<void>;
}

export interface DisplayEdgeOptions {
  fakes: Fakes;
  /** Reuse a state folder (alarms surviving a restart); a new temporary one otherwise. */
  stateDir?: string;
  /** Leave HELEN_HA_API_URL unset (the "not configured" devices page). */
  withoutHomeAssistant?: boolean;
  env?: Record<string, string>;
}

export async function startDisplayEdge(opts: DisplayEdgeOptions): Promise<DisplayEdge> {
  const stateDir = opts.stateDir ?? await mkdtemp(join(tmpdir(), 'helen-display-browser-'));
  const { fakes } = opts;
  const config = edgeConfigFromEnv({
    // No cloud: a closed port, and a short wait for model metadata before the local model takes over.
    HELEN_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`, HELEN_EDGE_METADATA_TIMEOUT: '0.3',
    HELEN_EDGE_UI_PORT: '0', HELEN_EDGE_STATS_INTERVAL: '0', HELEN_LOG_LEVEL: 'silent', HELEN_MODEL_PATHS: DEFAULT_MODEL_PATH,
    HELEN_DEVICE_ID: 'pi-display', HELEN_BACKEND_GESTURE_URL: 'off', HELEN_DISPLAY_STATE_DIR: stateDir,
    // TTL 0: every weather request asks the fake, so stopping it shows the stale answer at once.
    HELEN_WEATHER_URL: fakes.weather.url, HELEN_WEATHER_TTL: '0', HELEN_NMCLI: fakes.nmcli.path,
    ...(opts.withoutHomeAssistant ? {} : { HELEN_HA_API_URL: fakes.homeAssistant.url, HELEN_HA_API_TOKEN: fakes.homeAssistant.token }),
    ...opts.env,
  });
  const edge = createEdge(config, { source: quietSource(), log: silent });
  await edge.start();
  const url = edge.ui?.url ?? '';
  return {
    edge, url, stateDir,
    sign: async (body) => {
      const res = await fetch(`${url}/gestures/gesture-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`POST /gestures/gesture-key: HTTP ${res.status} ${await res.text()}`);
    },
    stop: async () => {
      await edge.stop();
      if (opts.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * Headless Chromium with the kiosk's sound flag (alarms beep without a tap). Non-persistent:
 * each test takes a fresh context (no shared storage), all from one browser process.
 */
export async function launchDisplayBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--autoplay-policy=no-user-gesture-required', '--no-first-run', '--disable-gpu'],
  });
}

/** A context whose pages may reach only loopback (the display must never need the internet). */
export async function newDisplayContext(browser: Browser, viewport = VIEWPORT): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'es-ES' });
  await context.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort('blockedbyclient');
  });
  return context;
}

/** Generous: the test machine is shared and slow. */
export const WAIT_MS = 20_000;
/**
 * Polls `check` in the page from Node until it returns true. Not page.waitForFunction: that
 * polls with the page's own requestAnimationFrame or setTimeout, which page.clock fakes, so
 * with the clock paused it never looks again.
 */
export async function until<A>(page: Page, check: (arg: A) => boolean, arg: A, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  // The argument travels as JSON; A is what the caller passes, so the cast only drops Unboxed<>.
  while (!await page.evaluate(check as (a: unknown) => boolean, arg as unknown)) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens the display and waits until it leaves its loading screen. */
export async function openDisplay(context: BrowserContext, url: string, beforeLoad?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await context.newPage();
  await beforeLoad?.(page);
  await page.goto(`${url}/`);
  await waitForPage(page, 'home');
  return page;
}

export async function waitForPage(page: Page, id: string, tab?: string): Promise<void> {
  await until(page, ([p, t]) => document.body.dataset.page === p && (t === null || document.body.dataset.tab === t),
    [id, tab ?? null] as const, `page ${id}${tab ? `/${tab}` : ''}`);
}

export async function waitForBody(page: Page, key: string, value: string): Promise<void> {
  await until(page, ([k, v]) => document.body.dataset[k] === v, [key, value] as const, `body data-${key}="${value}"`);
}

/** Waits for the red ring (a refused sign). */
export async function waitForRejected(page: Page): Promise<void> {
  await until(page, () => document.getElementById('ring')?.classList.contains('rejected') === true, null, 'the red ring');
}
