import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateLandmarkFrame, type Hand } from '@helen/schemas';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureHub, mapHandedness, startCaptureServer, type CaptureServer } from '../../src/camera/index';
import { browserSkipReason, FIXTURES, launchTestBrowser, MODEL_PATH } from './helpers';

const skip = browserSkipReason();
if (skip) console.warn(skip);

// SOURCES.md: IMAGE mode, numHands 2, what tasks-vision 1.1.0 reports per photo.
const EXPECTED: Record<string, ('Left' | 'Right')[]> = {
  victory: ['Right'],
  thumbs_up: ['Right'],
  pointing_up: ['Left'],
  thumbs_down: ['Right'],
  google_sample_woman_hands: ['Left', 'Right'],
};

/**
 * Chirality in the image plane: cross(index MCP - wrist, pinky MCP - wrist), y down. For
 * the frame convention (models' synthetic hand.ts: a Right hand, palm to the camera, in a
 * mirrored selfie image, MCPs index (-0.27, 0.95) and pinky (0.42, 0.84), y up) it is
 * (0.27*0.84 + 0.95*0.42) > 0; a Left hand, or the back of the hand, gives < 0.
 */
function chirality(h: Hand): number {
  const [w, i, p] = [h.landmarks[0], h.landmarks[5], h.landmarks[17]].map((q) => q ?? [0, 0, 0]) as number[][];
  const [wx = 0, wy = 0] = w ?? [];
  const [ix = 0, iy = 0] = i ?? [];
  const [px = 0, py = 0] = p ?? [];
  return (ix - wx) * (py - wy) - (iy - wy) * (px - wx);
}

// Runs in the page: imports the page's own landmarker module (IMAGE mode) and detects on a
// JPEG. A string, because vitest rewrites import() inside test functions.
const DETECT_IN_PAGE = `async (data) => {
  const m = await import('/landmarker.js');
  window.imageLandmarker ??= await m.createHandLandmarker({
    wasmUrl: 'vendor/tasks-vision/wasm', modelUrl: 'model/hand_landmarker.task', numHands: 2, delegate: 'CPU', runningMode: 'IMAGE',
  });
  const img = new Image();
  img.src = 'data:image/jpeg;base64,' + data;
  await img.decode();
  return m.toHands(window.imageLandmarker.detect(img));
}`;

describe.skipIf(skip !== null)('fixture photos through the page code (IMAGE mode)', () => {
  let server: CaptureServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const results = new Map<string, Hand[]>();

  beforeAll(async () => {
    server = await startCaptureServer({
      hub: new CaptureHub({ handedness: 'as-reported' }),
      modelPath: MODEL_PATH,
      page: { numHands: 2, delegate: 'CPU', handedness: 'as-reported', width: 640, height: 480, frameRate: 30, frameSource: 'track', mirror: true },
      host: '127.0.0.1',
      port: 0,
    });
    profile = await mkdtemp(join(tmpdir(), 'helen-photos-'));
    context = await launchTestBrowser(profile);
    page = context.pages()[0] ?? (await context.newPage());
    // Any same-origin document will do: the test imports the page's own landmarker module.
    await page.goto(`${server.url}config.json`);
    for (const name of Object.keys(EXPECTED)) {
      const b64 = (await readFile(join(FIXTURES, `${name}.jpg`))).toString('base64');
      const hands: unknown = await page.evaluate(`(${DETECT_IN_PAGE})(${JSON.stringify(b64)})`);
      const frame = validateLandmarkFrame({ ts: Date.now(), hands, source: 'camera' });
      if (!frame.ok) throw new Error(`${name}: page produced an invalid frame: ${frame.error}`);
      results.set(name, frame.value.hands);
    }
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it.each(Object.entries(EXPECTED))('%s: the hands and handedness SOURCES.md lists, 21 landmarks each', (name, labels) => {
    const hands = results.get(name) ?? [];
    expect(hands.map((h) => h.handedness).sort()).toEqual([...labels].sort());
    for (const h of hands) {
      expect(h.landmarks).toHaveLength(21);
      expect(h.score).toBeGreaterThan(0.9);
      for (const [x, y] of h.landmarks) {
        expect(x).toBeGreaterThan(-0.1);
        expect(x).toBeLessThan(1.1);
        expect(y).toBeGreaterThan(-0.1);
        expect(y).toBeLessThan(1.1);
      }
    }
  });

  it('tasks-vision names the real hand on an unmirrored photo (so it does not assume a selfie image)', () => {
    // google_sample_woman_hands: her right arm crosses to her forehead (upper hand), her left
    // hand reaches out low; pointing_up: she raises her left hand on the image's right.
    const woman = results.get('google_sample_woman_hands') ?? [];
    const meanY = (h?: Hand) => (h ? h.landmarks.reduce((s, p) => s + (p[1] ?? 0), 0) / 21 : NaN);
    expect(meanY(woman.find((h) => h.handedness === 'Right'))).toBeLessThan(meanY(woman.find((h) => h.handedness === 'Left')));
    const pointing = results.get('pointing_up')?.[0];
    expect(pointing?.handedness).toBe('Left');
    expect(pointing?.landmarks[0]?.[0]).toBeGreaterThan(0.5);
  });

  it('mirror (the default) gives the frame convention: label and hand shape agree; as-reported does not', () => {
    // Photos with the palm towards the camera.
    for (const name of ['victory', 'pointing_up', 'thumbs_down']) {
      const raw = { ts: 0, hands: results.get(name) ?? [] };
      const [mirrored] = mapHandedness(raw, 'mirror').hands;
      const [asReported] = raw.hands;
      if (!mirrored || !asReported) throw new Error(`${name}: no hand`);
      const want = mirrored.handedness === 'Right' ? 1 : -1;
      expect(Math.sign(chirality(mirrored)), `${name} mirror`).toBe(want);
      expect(Math.sign(chirality(asReported)), `${name} as-reported`).toBe(-want);
      // swap is the other self-consistent choice: opposite label, unmirrored shape.
      const [swapped] = mapHandedness(raw, 'swap').hands;
      expect(Math.sign(chirality(swapped as Hand)), `${name} swap`).toBe(swapped?.handedness === 'Right' ? 1 : -1);
    }
  });
});
