/**
 * Screenshots of the Helen display for the docs, from the real thing: an edge on the local
 * model with the display, loopback fakes for Open-Meteo, Home Assistant and nmcli (the same as
 * the browser tests), and headless Chromium at the Pi screen's 800x480. The page clock is fixed
 * (Thursday 26 November 2026, 07:28 UTC) so the pictures only change when the display does.
 *
 *   npx tsx edge-publisher/scripts/display-screenshots.ts [--out docs/display]
 *
 * Writes home.png, clock-alarm.png, clock-timer.png, clock-stopwatch.png, weather.png,
 * devices.png, settings.png, wifi.png, help.png, info.png, tutorial.png, armed.png, ringing.png.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  launchDisplayBrowser, newDisplayContext, openDisplay, startDisplayEdge, startFakes, until, waitForBody, waitForPage, WAIT_MS,
} from '../test/display/browser/helpers';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MOMENT = new Date('2026-11-26T07:28:30Z');

function outDir(argv: readonly string[]): string {
  const i = argv.indexOf('--out');
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && !value) throw new Error('--out needs a folder');
  return value ? resolve(value) : join(ROOT, 'docs', 'display');
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text()}`);
}

async function main(): Promise<void> {
  const out = outDir(process.argv.slice(2));
  await mkdir(out, { recursive: true });
  const fakes = await startFakes();
  const display = await startDisplayEdge({ fakes });
  const browser = await launchDisplayBrowser();
  try {
    await post(`${display.url}/api/alarms`, { time: '07:45', label: 'Despertar' });
    await post(`${display.url}/api/alarms`, { time: '22:15', label: 'Pastillas' });
    const context = await newDisplayContext(browser);
    const page = await openDisplay(context, display.url, (p) => p.clock.install({ time: MOMENT }));
    // Loading took the first seconds; from here time moves only when the script says so.
    await page.clock.pauseAt(new Date(await page.evaluate(() => Date.now()) + 500));

    const shot = async (name: string): Promise<void> => {
      // Let effects (canvas, countdown) run a few frames on the paused clock.
      await page.clock.runFor(200);
      await page.screenshot({ path: join(out, `${name}.png`) });
      console.log(join(out, `${name}.png`));
    };
    const goTo = async (id: string): Promise<void> => {
      await post(`${display.url}/mode`, { page: id });
      await waitForPage(page, id);
    };
    const tab = async (name: string, id: string, tabId: string): Promise<void> => {
      await page.getByRole('tab', { name }).click();
      await waitForPage(page, id, tabId);
    };
    const seen = (selector: string) => page.waitForSelector(selector, { timeout: WAIT_MS });

    await seen('.glance-main');
    await shot('home');

    await goTo('clock');
    await seen('[data-alarm="22:15"]');
    await shot('clock-alarm');

    await tab('Temporizador', 'clock', 'timer');
    await page.locator('.big-readout .btn').first().click(); // "+ Temporizador"
    for (const key of ['0', '5', '0', '0']) await page.locator('.keypad .key', { hasText: key }).first().click();
    await page.clock.runFor(72_000);
    await shot('clock-timer');

    await tab('Cronómetro', 'clock', 'stopwatch');
    await page.locator('.big-readout .btn').first().click();
    await page.clock.runFor(83_400);
    await shot('clock-stopwatch');

    await goTo('weather');
    await seen('.temp-big');
    await shot('weather');

    await goTo('devices');
    await seen('.device-name');
    await shot('devices');

    await goTo('settings');
    await shot('settings');
    await tab('Wi-Fi', 'settings', 'wifi');
    await seen('.network-name');
    await shot('wifi');
    await tab('Ayuda', 'settings', 'help');
    await shot('help');
    await tab('Información', 'settings', 'info');
    await until(page, () => /helen-bigru@/.test(document.querySelector('.info-grid')?.textContent ?? ''), null, 'the model id');
    await shot('info');

    await goTo('tutorial');
    await page.locator('[data-label="Reloj"]').click();
    await seen('main[data-phase="demo"] canvas.tutorial-canvas');
    await page.clock.runFor(700);
    await shot('tutorial');

    await goTo('home');
    await armed(page, display.sign);
    await shot('armed');

    // An alarm for the page clock's next minute, then a minute on: it rings.
    const next = await page.evaluate(() => new Date(Date.now() + 60_000).toISOString().slice(11, 16));
    await post(`${display.url}/api/alarms`, { time: next, label: 'Café' });
    await until(page, (t) => document.querySelector('.home-glance')?.textContent?.includes(t) === true, next, 'the new alarm on the page');
    await page.clock.runFor(61_000);
    await waitForBody(page, 'ringing', 'alarm');
    await shot('ringing');
    await context.close();
  } finally {
    await browser.close();
    await display.stop();
    await fakes.close();
  }
}

/** Start: the teal ring and the countdown, caught a second into the window. */
async function armed(page: Page, sign: (label: string) => Promise<void>): Promise<void> {
  await sign('Start');
  await waitForBody(page, 'armed', 'true');
  await page.clock.runFor(1000);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
