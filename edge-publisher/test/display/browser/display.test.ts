/**
 * The Helen display in real Chromium against a real edge (createEdge, local model, UI backend
 * on port 0) with loopback fakes for Open-Meteo, Home Assistant and nmcli. Signs go through the
 * UI backend exactly as the original backend sends them: POST /gestures/gesture-key with a bare
 * JSON string or an object. One browser and one edge serve the file; each test opens a fresh
 * context. Time-dependent steps (6 s window, alarms) use Playwright's page.clock.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decisionPreset } from '../../../src/display/sensitivity';
import { waitFor } from '../../helpers';
import {
  displayBrowserSkipReason, launchDisplayBrowser, newDisplayContext, openDisplay, startDisplayEdge, startFakes, until, waitForBody, waitForPage, waitForRejected,
  WAIT_MS, type DisplayEdge, type Fakes,
} from './helpers';

const skip = displayBrowserSkipReason();
if (skip) console.warn(skip);

/** A fixed moment for tests that drive the page clock (UTC context). */
const MORNING = new Date('2026-11-26T07:28:30Z');

describe.skipIf(skip !== null)('Helen display in Chromium', () => {
  let browser: Browser;
  let fakes: Fakes;
  let shared: DisplayEdge;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    fakes = await startFakes();
    // A configured probEnter off the presets' numbers, so a preset visibly changes the pipeline.
    [browser, shared] = await Promise.all([launchDisplayBrowser(), startDisplayEdge({ fakes, env: { HELEN_DECISION_PROB_ENTER: '0.9' } })]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await shared?.stop();
    await fakes?.close();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function open(beforeLoad?: (page: Page) => Promise<void>): Promise<Page> {
    context = await newDisplayContext(browser);
    return openDisplay(context, shared.url, beforeLoad);
  }

  /** Start, then a navigation sign, then the page it leads to. */
  async function go(page: Page, sign: string, id: string, tab?: string): Promise<void> {
    await shared.sign('Start');
    await waitForBody(page, 'armed', 'true');
    await shared.sign(sign);
    await waitForPage(page, id, tab);
  }

  const text = (page: Page, selector: string) => page.locator(selector).innerText({ timeout: WAIT_MS });

  it('arms with Start for 6 s, renewed by every accepted sign; refuses signs when not armed', async () => {
    const page = await open(async (p) => p.clock.install({ time: MORNING }));
    // From here the page's time moves only when the test says so.
    await page.clock.pauseAt(new Date(MORNING.getTime() + 60_000));

    // Not armed: a sign only flashes the red ring.
    await shared.sign('Clima');
    await waitForRejected(page);
    expect(await page.evaluate(() => [document.body.dataset.page, document.body.dataset.armed])).toEqual(['home', 'false']);

    // Start (as an object with `character`, like the edge's own events) arms.
    await shared.sign({ character: 'Start', score: 0.97 });
    await waitForBody(page, 'armed', 'true');
    await page.waitForSelector('#ring.armed', { state: 'attached' });

    // 4 s later a sign (object with `gesture`) is accepted and restarts the window...
    await page.clock.fastForward(4000);
    await shared.sign({ gesture: 'Reloj' });
    await waitForPage(page, 'clock', 'alarm');
    // ...so 8 s after Start the screen is still armed...
    await page.clock.fastForward(4000);
    expect(await page.evaluate(() => document.body.dataset.armed)).toBe('true');
    // ...and 6 s after the last accepted sign it is not.
    await page.clock.fastForward(2100);
    await waitForBody(page, 'armed', 'false');
    expect(await page.locator('#ring').getAttribute('class')).not.toContain('armed');

    await shared.sign({ key: 'Inicio' });
    await waitForRejected(page);
    expect(await page.evaluate(() => document.body.dataset.page)).toBe('clock');

    // Armed again, an unknown label (object with `label`) is refused and changes nothing.
    await shared.sign('Start');
    await waitForBody(page, 'armed', 'true');
    expect(await page.locator('#ring').getAttribute('class')).toBe('armed'); // Start also ends the red flash
    await shared.sign({ label: 'Hola' });
    await waitForRejected(page);
    expect(await page.evaluate(() => document.body.dataset.page)).toBe('clock');
  });

  it('reaches every page by its sign and goes back with Anterior', async () => {
    const page = await open();
    const steps: [string, string, string?][] = [
      ['Clima', 'weather'], ['Ajustes', 'settings', 'general'], ['Dispositivos', 'devices'], ['Reloj', 'clock', 'alarm'],
      ['Wifi', 'settings', 'wifi'], ['Alarma', 'clock', 'alarm'], ['Tutorial', 'tutorial'], ['Inicio', 'home'],
    ];
    await shared.sign('Start');
    await waitForBody(page, 'armed', 'true');
    for (const [sign, id, tab] of steps) {
      // Each accepted sign renews the window, so one Start carries the walk (unless the machine stalls).
      if (await page.evaluate(() => document.body.dataset.armed) !== 'true') await shared.sign('Start');
      await shared.sign(sign);
      await waitForPage(page, id, tab);
      expect(await page.locator(`main[data-page="${id}"]`).count()).toBe(1);
    }
    await shared.sign('Anterior');
    await waitForPage(page, 'tutorial');
    await shared.sign('Anterior');
    await waitForPage(page, 'clock', 'alarm');
  });

  it('sets an alarm with digit signs, stores it on disk, rings at its time, and keeps it when the edge is re-created', async () => {
    const own = await startDisplayEdge({ fakes, stateDir: join(shared.stateDir, 'alarm-edge') });
    let again: DisplayEdge | undefined;
    try {
      context = await newDisplayContext(browser);
      const page = await openDisplay(context, own.url, (p) => p.clock.install({ time: MORNING }));
      await own.sign('Start');
      await waitForBody(page, 'armed', 'true');
      await own.sign('Alarma');
      await waitForPage(page, 'clock', 'alarm');
      for (const d of ['0', '7', '3', '0']) await own.sign(d);
      await page.waitForSelector('[data-alarm="07:30"]', { timeout: WAIT_MS });

      // Saved atomically in the state folder.
      const saved = JSON.parse(await readFile(join(own.stateDir, 'alarms.json'), 'utf8')) as unknown;
      expect(saved).toEqual(expect.arrayContaining([expect.objectContaining({ time: '07:30', enabled: true })]));

      // 07:28:30 + 2 min: the alarm rings, with sound.
      await page.clock.fastForward('02:00');
      await waitForBody(page, 'ringing', 'alarm');
      expect(await page.locator('.ringing').innerText()).toContain('07:30');
      expect(await page.evaluate(() => (window as { __helenSound?: number }).__helenSound ?? 0)).toBeGreaterThan(0);

      // Any sign stops it (the window has long expired: not armed) and does nothing else.
      await own.sign('Inicio');
      await waitForBody(page, 'ringing', '');
      expect(await page.evaluate(() => document.body.dataset.page)).toBe('clock');
      await context.close();
      context = undefined;
      await own.stop();

      // A new edge on the same folder, this time without Home Assistant.
      again = await startDisplayEdge({ fakes, stateDir: own.stateDir, withoutHomeAssistant: true });
      const alarms = await (await fetch(`${again.url}/api/alarms`)).json() as { time: string; enabled: boolean }[];
      expect(alarms).toEqual([expect.objectContaining({ time: '07:30', enabled: true })]);
      context = await newDisplayContext(browser);
      const page2 = await openDisplay(context, again.url);
      await again.sign('Start');
      await waitForBody(page2, 'armed', 'true');
      await again.sign('Reloj');
      await waitForPage(page2, 'clock', 'alarm');
      await page2.waitForSelector('[data-alarm="07:30"]', { timeout: WAIT_MS });

      // The devices page explains what to set when Home Assistant is not configured.
      await again.sign('Dispositivos');
      await waitForPage(page2, 'devices');
      await page2.getByText('HELEN_HA_API_URL').waitFor({ timeout: WAIT_MS });
      const devices = await text(page2, 'main[data-page="devices"]');
      expect(devices).toContain('HELEN_HA_API_URL');
      expect(devices).toContain('HELEN_HA_API_TOKEN');
    } finally {
      await again?.stop();
      await own.stop().catch(() => undefined);
    }
  }, 120_000);

  it('runs a timer entered with digits and rings at zero', async () => {
    const page = await open();
    await go(page, 'Reloj', 'clock', 'alarm');
    await shared.sign('Reloj'); // on the clock: next tab
    await waitForPage(page, 'clock', 'timer');
    for (const d of ['0', '0', '0', '3']) await shared.sign(d);
    await waitForBody(page, 'ringing', 'timer');
    expect(await page.evaluate(() => (window as { __helenSound?: number }).__helenSound ?? 0)).toBeGreaterThan(0);
    await page.locator('.ringing').click();
    await waitForBody(page, 'ringing', '');
  });

  it('lists Home Assistant devices and toggles one by its digit', async () => {
    const page = await open();
    await go(page, 'Dispositivos', 'devices');
    await page.waitForSelector('[data-entity="light.kitchen"]', { timeout: WAIT_MS });
    const names = await page.locator('.device-name').allInnerTexts();
    // Switchable domains only, by name, numbered from 1.
    expect(names).toEqual(['Bedroom fan', 'Coffee maker', 'Kitchen', 'Living room']);
    expect(await page.locator('[data-entity="light.kitchen"] .device-index').innerText()).toBe('3');

    await shared.sign('3');
    await page.waitForSelector('[data-entity="light.kitchen"]:not(.on)', { timeout: WAIT_MS });
    const call = fakes.homeAssistant.requests.find((r) => r.method === 'POST' && r.path === '/api/services/light/toggle');
    expect(call).toBeDefined();
    expect(JSON.parse(call?.body ?? '{}')).toEqual({ entity_id: 'light.kitchen' });
    expect(call?.authorization).toBe(`Bearer ${fakes.homeAssistant.token}`);
  });

  it('lists the Wi-Fi networks nmcli sees', async () => {
    const page = await open();
    await go(page, 'Wifi', 'settings', 'wifi');
    await page.waitForSelector('.network-name', { timeout: WAIT_MS });
    expect(await page.locator('.network-name').allInnerTexts()).toEqual(['Casa', 'Vecino:5G', 'Cafe libre']);
    expect(await text(page, '[data-testid="wifi-status"]')).toContain('Casa');
  });

  it('switches language and sensitivity from settings; info shows the model and the broker', async () => {
    const page = await open();
    try {
      await go(page, 'Ajustes', 'settings', 'general');
      expect(await text(page, 'main[data-page="settings"]')).toContain('Idioma');
      await shared.sign('1'); // option 1: language
      await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: WAIT_MS });
      const english = await text(page, 'main[data-page="settings"]');
      expect(english).toContain('Language');
      expect(english).not.toContain('Idioma');

      // Option 3 cycles sensitivity normal → sensitive → strict. Today's "sensitive" preset has the
      // same numbers as "normal" (decision/settings.ts), so the pipeline is checked on "strict"
      // (the original client's numbers, so probEnter 0.95 instead of the configured 0.9).
      const before = JSON.stringify(shared.edge.pipeline?.engine.settings);
      await shared.sign('3');
      await page.locator('.seg.active', { hasText: 'Sensitive' }).waitFor({ timeout: WAIT_MS });
      await shared.sign('3');
      await page.locator('.seg.active', { hasText: 'Strict' }).waitFor({ timeout: WAIT_MS });
      const preset = Object.entries(decisionPreset('strict'));
      expect(preset.length).toBeGreaterThan(0);
      const current = () => shared.edge.pipeline?.engine.settings as unknown as Record<string, unknown>;
      await waitFor(() => preset.every(([k, v]) => current()[k] === v), WAIT_MS, 'the strict preset in the pipeline');
      expect(JSON.stringify(shared.edge.pipeline?.engine.settings)).not.toBe(before);

      await page.getByRole('tab', { name: 'Info' }).click();
      await waitForPage(page, 'settings', 'info');
      // The grid first shows the info loaded with the page; wait for the one that names the new preset.
      await page.waitForFunction(() => /helen-bigru@[\s\S]*strict/.test(document.querySelector('.info-grid')?.textContent ?? ''), null, { timeout: WAIT_MS });
      const info = await text(page, '.info-grid');
      expect(info).toContain('disconnected'); // no broker in this test: the local model serves
      expect(info).toContain('strict');
    } finally {
      // The edge is shared: back to the defaults for the next tests.
      await fetch(`${shared.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'es', sensitivity: 'normal' }) });
    }
  });

  it('tutorial: plays the sign on a canvas, then judges the next sign right or wrong', async () => {
    const page = await open();
    await go(page, 'Tutorial', 'tutorial');
    await shared.sign('5'); // a digit on the tutorial shows that sign
    await page.waitForSelector('main[data-page="tutorial"][data-phase="demo"] canvas.tutorial-canvas', { timeout: WAIT_MS });
    // The animation draws: something on the canvas, and the picture changes over time.
    const snapshot = () => page.evaluate(() => {
      const canvas = document.querySelector('canvas.tutorial-canvas') as HTMLCanvasElement;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
      return { painted, url: canvas.toDataURL() };
    });
    // The first frame is drawn on an animation frame after the sign's data arrives: wait for it
    // (a snapshot taken as soon as the canvas has a size can still be blank on a loaded machine).
    await page.waitForFunction(() => {
      const c = document.querySelector('canvas.tutorial-canvas') as HTMLCanvasElement | null;
      if (c === null || c.width === 0) return false;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; data && i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
      return painted > 100;
    }, null, { timeout: WAIT_MS });
    const first = await snapshot();
    await page.waitForTimeout(400);
    const second = await snapshot();
    expect(first.painted).toBeGreaterThan(100);
    expect(second.url).not.toBe(first.url);

    await page.waitForSelector('main[data-phase="trying"]', { timeout: WAIT_MS });
    await shared.sign('5');
    await page.waitForSelector('main[data-phase="correct"]', { timeout: WAIT_MS });
    expect(await text(page, '.tutorial-status')).toMatch(/Correcto|¡/);

    await page.getByRole('button', { name: 'Otra vez' }).click();
    await page.waitForSelector('main[data-phase="trying"]', { timeout: WAIT_MS });
    await shared.sign('7');
    await page.waitForSelector('main[data-phase="wrong"]', { timeout: WAIT_MS });
    // The tries were consumed by the check: still on the tutorial.
    expect(await page.evaluate(() => document.body.dataset.page)).toBe('tutorial');
  });

  it('weather shows the forecast, then an offline badge with the data\'s age once the service is gone', async () => {
    const page = await open(async (p) => p.clock.install({ time: new Date() }));
    await go(page, 'Clima', 'weather');
    await page.waitForSelector('.temp-big', { timeout: WAIT_MS });
    expect(await text(page, '.temp-big')).toContain('14');
    expect(await page.locator('[data-testid="weather-age"]').getAttribute('class')).not.toContain('badge-warn');

    // The service goes away; reopening the page asks again and gets the cached answer, stale.
    await fakes.weather.close();
    await go(page, 'Inicio', 'home');
    await shared.sign('Clima');
    await waitForPage(page, 'weather');
    await page.waitForSelector('[data-testid="weather-age"].badge-warn', { timeout: WAIT_MS });
    // Three minutes on the page's clock: the badge tells the data's age.
    await page.clock.fastForward('03:00');
    await until(page, () => /hace [34] min/.test(document.querySelector('[data-testid="weather-age"]')?.textContent ?? ''), null, 'the age on the badge');
    expect(await text(page, '[data-testid="weather-age"]')).toMatch(/^Sin conexión · datos de hace [34] min$/);
    expect(await text(page, '.temp-big')).toContain('14');
  });

  it('fits 800x480, 1024x600 and 1920x1080 without scrolling on any page', async () => {
    for (const viewport of [{ width: 800, height: 480 }, { width: 1024, height: 600 }, { width: 1920, height: 1080 }]) {
      context = await newDisplayContext(browser, viewport);
      const page = await openDisplay(context, shared.url);
      for (const id of ['home', 'clock', 'weather', 'devices', 'settings', 'tutorial']) {
        await fetch(`${shared.url}/mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ page: id }) });
        await waitForPage(page, id);
        await page.waitForTimeout(150); // let data that arrives with the page render
        const size = await page.evaluate(() => ({
          scroll: document.scrollingElement?.scrollHeight ?? 0, inner: innerHeight, width: document.scrollingElement?.scrollWidth ?? 0, innerWidth,
        }));
        expect(size.scroll, `${id} at ${viewport.width}x${viewport.height}`).toBeLessThanOrEqual(size.inner);
        expect(size.width, `${id} at ${viewport.width}x${viewport.height}`).toBeLessThanOrEqual(size.innerWidth);
      }
      await context.close();
      context = undefined;
    }
  }, 90_000);
});
