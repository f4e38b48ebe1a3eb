/**
 * End to end as a user runs it (issue 13, item 6): `HELEN_EDGE_SOURCE=synthetic node
 * bin/helen.mjs edge`, no cloud (a closed broker port: after a short wait for metadata the edge
 * serves signs with its local model), and the display open in Chromium. The synthetic signer's
 * default script signs `Start`, then `Reloj`: the model recognises both, so the display arms and
 * opens the clock, with nothing posted by the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHealth } from '@helen/runtime';
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openSse } from '../../helpers';
import { displayBrowserSkipReason, launchDisplayBrowser, newDisplayContext, waitForPage } from './helpers';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const skip = displayBrowserSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== null)('synthetic edge process with the display', () => {
  let edge: ChildProcess | undefined;
  let browser: Browser | undefined;
  let stateDir: string | undefined;
  afterEach(async () => {
    if (edge && edge.exitCode === null) {
      const exited = new Promise((r) => edge?.once('exit', r));
      edge.kill('SIGTERM');
      await exited;
    }
    await browser?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    edge = browser = stateDir = undefined;
  });

  it('Start then Reloj from the synthetic signer opens the clock page', async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'helen-display-e2e-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('HELEN_')) delete env[key];
    Object.assign(env, {
      HELEN_EDGE_SOURCE: 'synthetic', HELEN_EDGE_UI_PORT: String(port), HELEN_DISPLAY_STATE_DIR: stateDir,
      // No cloud. The metadata wait is also the time the display has to load before the first sign.
      HELEN_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`, HELEN_EDGE_METADATA_TIMEOUT: '3',
      HELEN_LOG_LEVEL: 'warn',
      // What the default URL means on the Pi (UI on 5000, posting to itself), without touching
      // whatever may listen on 5000 here.
      HELEN_BACKEND_GESTURE_URL: `http://127.0.0.1:${port}/gestures/gesture-key`,
    });
    const output: string[] = [];
    edge = spawn(process.execPath, ['bin/helen.mjs', 'edge'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    edge.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
    edge.stderr?.on('data', (c: Buffer) => output.push(c.toString()));

    const url = `http://127.0.0.1:${port}`;
    const launching = launchDisplayBrowser();
    const exited = () => edge?.exitCode !== null;
    if (!await waitForHealth(`${url}/health`, 30_000, exited)) throw new Error(`the edge did not come up:\n${output.join('')}`);
    const events = await openSse(`${url}/events`);
    browser = await launching;
    const page = await (await newDisplayContext(browser)).newPage();
    await page.goto(`${url}/`);
    try {
      await waitForPage(page, 'home');
      await page.waitForFunction(() => document.body.dataset.page === 'clock', null, { timeout: 40_000 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\nevents: ${events.messages.join(' | ')}\nedge output:\n${output.join('').slice(-3000)}`);
    }
    const gestures = events.messages.map((m) => JSON.parse(m) as { gesture?: string }).flatMap((m) => (m.gesture ? [m.gesture] : []));
    events.close();
    expect(gestures.slice(0, 2)).toEqual(['Start', 'Reloj']);
    expect(await page.evaluate(() => document.body.dataset.tab)).toBe('alarm');
  }, 90_000);
});
