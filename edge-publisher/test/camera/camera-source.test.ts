import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LandmarkFrame } from '@helen/schemas';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraSource, defaultCameraConfig } from '../../src/camera/index';
import { displaysStatus } from '../../src/sources/source';
import { browserSkipReason, clipAsMjpeg, clipSkipReason, launchTestBrowser, MODEL_PATH, processAlive, profileOf, sleep, twoHandsAsMjpeg } from './helpers';

const skip = browserSkipReason() ?? clipSkipReason();
if (skip) console.warn(skip);

/** Counts overlay-magenta pixels of a PNG screenshot inside and outside a box (in the page). */
const COUNT_IN_PAGE = `async ({ png, box }) => {
  const bitmap = await createImageBitmap(await (await fetch('data:image/png;base64,' + png)).blob());
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const g = c.getContext('2d');
  g.drawImage(bitmap, 0, 0);
  const { data, width } = g.getImageData(0, 0, bitmap.width, bitmap.height);
  let inside = 0, outside = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (!(data[i] > 180 && data[i + 1] < 100 && data[i + 2] > 180)) continue;
    const x = (i / 4) % width, y = Math.floor(i / 4 / width);
    if (x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1) inside++; else outside++;
  }
  return { inside, outside };
}`;

/** The screen box around the hands the page last drew, from its canvas position. */
const HAND_BOX_IN_PAGE = `(() => {
  const r = document.getElementById('overlay').getBoundingClientRect();
  const pts = window.helen.hands.flatMap((h) => h.landmarks);
  if (pts.length === 0) return null;
  const xs = pts.map((p) => 1 - p[0]), ys = pts.map((p) => p[1]); // preview is mirrored
  const m = 0.08;
  return { x0: r.left + (Math.min(...xs) - m) * r.width, x1: r.left + (Math.max(...xs) + m) * r.width,
           y0: r.top + (Math.min(...ys) - m) * r.height, y1: r.top + (Math.max(...ys) + m) * r.height };
})()`;

describe.skipIf(skip !== null)('CameraSource: the real clip through Chromium\'s fake camera', () => {
  let mjpeg: string;
  let source: CameraSource;
  const frames: LandmarkFrame[] = [];
  const arrivals: number[] = [];

  beforeAll(async () => {
    mjpeg = await clipAsMjpeg();
    // The shipped defaults (numHands auto, handedness mirror, width 480); the bench compares 1, 2,
    // auto. The preview is forced on: headless mode would leave it off (auto), and the overlay
    // test below looks at it.
    source = new CameraSource(
      defaultCameraConfig({ port: 0, modelPath: MODEL_PATH, fakeVideoPath: mjpeg, modelCacheDir: join(tmpdir(), 'helen-unused-cache'), preview: true }),
      { restart: { initialMs: 200, maxMs: 1000 } },
    );
    await source.start((f) => {
      frames.push(f);
      arrivals.push(performance.now());
    });
    await source.waitForReady(60_000);
  }, 90_000);

  afterAll(() => source?.stop());

  it('is a camera LandmarkSource that displays status', () => {
    expect(source.kind).toBe('camera');
    expect(displaysStatus(source)).toBe(true);
  });

  it('gives a continuous stream of landmark frames (>= 3 fps; speed: camera bench) with a hand in >= 90 % of them', async () => {
    await sleep(1000); // first frames include landmarker warm-up
    const from = frames.length;
    const t0 = performance.now();
    await sleep(8000);
    const got = frames.slice(from);
    const seconds = (performance.now() - t0) / 1000;
    const fps = got.length / seconds;
    const withHand = got.filter((f) => f.hands.length > 0).length / got.length;
    console.info(`clip: ${got.length} frames in ${seconds.toFixed(1)} s = ${fps.toFixed(1)} fps, hand in ${(withHand * 100).toFixed(1)} %, page says ${JSON.stringify(source.hub.stats)}`);
    // Frames must flow continuously; 3 fps (24 frames in 8 s) is far below any working capture
    // and still catches a stall or a page that detects once. The speed target itself (15 fps
    // and more, per numHands setting) is a benchmark's job, not a timed test's: this machine's
    // speed varies (the same clip gave 29 fps once, 12.6-15.1 fps on a quiet 2026-11-26 and
    // 4.4 fps with a mutation run beside the suite), so `npx tsx edge-publisher/bench/camera-bench.ts`
    // measures and prints it.
    expect(fps).toBeGreaterThanOrEqual(3);
    expect(withHand).toBeGreaterThanOrEqual(0.9);
    for (const f of got) {
      expect(f.source).toBe('camera');
      expect(f.hands.length).toBeLessThanOrEqual(2);
      for (const h of f.hands) expect(h.landmarks).toHaveLength(21);
    }
    // Capture times are epoch ms, increasing.
    expect(Math.abs((got.at(-1)?.ts ?? 0) - Date.now())).toBeLessThan(2000);
    expect(got.every((f, i) => i === 0 || f.ts >= (got[i - 1]?.ts ?? 0))).toBe(true);
    // The clip shows a right hand; tasks-vision says Right and mirror keeps the label.
    const right = got.filter((f) => f.hands[0]?.handedness === 'Right').length;
    expect(right / got.filter((f) => f.hands.length > 0).length).toBeGreaterThan(0.9);
  }, 30_000);

  it('shows the overlay on the hand (pixels checked) and the pushed status', async () => {
    const page = source.chromium?.page as Page;
    source.showStatus({
      broker: 'connected', workersOnline: 3, fallbackActive: true,
      prediction: { label: 'Inicio', probability: 0.973, servedBy: 'edge' },
      lastGesture: { label: 'Reloj', score: 0.99, at: new Date().toISOString() },
    });
    await expect.poll(() => page.textContent('#prediction')).toBe('Inicio');
    expect(await page.textContent('#probability')).toContain('97.3 %');
    expect(await page.textContent('#gesture')).toBe('Reloj');
    expect(await page.textContent('#workers')).toBe('3');
    expect(await page.textContent('#fallback')).toContain('active');
    expect(await page.textContent('#link')).toBe('connected');

    // The hand moves and the overlay is drawn from the newest landmarks, so one screenshot can
    // catch the overlay a frame behind the box read beside it. Take the first consistent sample
    // of up to 8: an overlay drawn in the wrong place never gives one.
    const consistent = (c: { inside: number; outside: number }) => c.inside > 300 && c.outside < c.inside * 0.2;
    let counts = { inside: 0, outside: 0 };
    for (let attempt = 0; attempt < 8 && !consistent(counts); attempt++) {
      const before = await page.evaluate(HAND_BOX_IN_PAGE);
      const png = (await page.screenshot()).toString('base64');
      const box = (before ?? (await page.evaluate(HAND_BOX_IN_PAGE))) as object | null;
      if (!box) continue;
      counts = (await page.evaluate(`(${COUNT_IN_PAGE})(${JSON.stringify({ png, box })})`)) as typeof counts;
    }
    console.info(`overlay pixels: ${counts.inside} on the hand, ${counts.outside} elsewhere`);
    expect(counts.inside).toBeGreaterThan(300);
    expect(counts.outside).toBeLessThan(counts.inside * 0.2);
  }, 30_000);

  it('restarts Chromium when it dies, and frames flow again', async () => {
    const runner = source.chromium;
    const pid = await runner?.browserPid();
    expect(pid).toBeTypeOf('number');
    const readyBefore = source.hub.readyCount;
    process.kill(pid as number, 'SIGKILL');
    await source.hub.waitForReady(60_000, readyBefore);
    expect(runner?.restarts).toBe(1);
    const n = frames.length;
    await expect.poll(() => frames.length - n, { timeout: 10_000 }).toBeGreaterThan(10);
    expect(await runner?.browserPid()).not.toBe(pid);
  }, 90_000);

  it('stop() closes the browser and removes its profile', async () => {
    const runner = source.chromium;
    const pid = (await runner?.browserPid()) as number;
    const profile = await profileOf(pid);
    expect(profile && existsSync(profile)).toBe(true);
    await source.stop();
    await expect.poll(() => processAlive(pid)).toBe(false);
    expect(existsSync(profile as string)).toBe(false);
    expect(source.url).toBeNull();
  });
});

describe.skipIf(skip !== null)('CameraSource external mode: a browser opened elsewhere captures', () => {
  it('serves the page only, takes frames from whoever opens it; auto tracks both hands of a two-hand scene', async () => {
    const source = new CameraSource(defaultCameraConfig({ mode: 'external', port: 0, modelPath: MODEL_PATH, handedness: 'swap' }));
    const frames: LandmarkFrame[] = [];
    const profile = await mkdtemp(join(tmpdir(), 'helen-kiosk-'));
    await source.start((f) => frames.push(f));
    const kiosk = await launchTestBrowser(profile, await twoHandsAsMjpeg());
    try {
      expect(source.chromium).toBeNull();
      const page = kiosk.pages()[0] ?? (await kiosk.newPage());
      await page.goto(source.url as string);
      await source.waitForReady(60_000);
      await sleep(2500); // the first probe for a second hand comes within 10 frames of the first
      const from = frames.length;
      await expect.poll(() => frames.length - from, { timeout: 20_000 }).toBeGreaterThan(30);
      const got = frames.slice(from);
      expect(got.filter((f) => f.hands.length === 2).length / got.length).toBeGreaterThan(0.9);
      // swap: her right hand (the upper one, at her forehead) arrives in the Left slot.
      const meanY = (h: LandmarkFrame['hands'][number]) => h.landmarks.reduce((s, p) => s + (p[1] ?? 0), 0) / 21;
      const two = got.find((f) => f.hands.length === 2) as LandmarkFrame;
      const [upper] = [...two.hands].sort((a, b) => meanY(a) - meanY(b));
      expect(upper?.handedness).toBe('Left');
      expect(source.hub.stats?.tracking).toBe(2);
    } finally {
      await kiosk.close();
      await source.stop();
      await rm(profile, { recursive: true, force: true });
    }
  }, 90_000);
});
