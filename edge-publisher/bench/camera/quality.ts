/**
 * Landmark quality of a variant against the defaults on the same frames: the fixture clip
 * frame by frame (VIDEO mode timestamps 33 ms apart, tracking as in the page) and each photo
 * as a still 15-frame sequence, all letterboxed or scaled to 640x480 like the fake camera.
 * Detection runs through the page's own detector.js in a real Chromium, so every setting
 * that changes landmarks (numHands, confidences, processWidth, runningMode, probeEvery) acts
 * as in the capture page. worker / preview / frameSource do not change the computation.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CaptureHub } from '../../src/camera/hub';
import { chromiumArgs, isLoopbackHost } from '../../src/camera/chromium';
import { DETECTION_KEYS, startCaptureServer, type PageSettings } from '../../src/camera/capture-server';
import { defaultCameraConfig } from '../../src/camera/config';
import type { Variant } from './variants';

type Point = number[];
interface Hand { handedness: string; landmarks: Point[] }
/** Hands per frame, per sequence (the clip, then each photo). */
export type Detections = Record<string, Hand[][]>;

export const PHOTOS = ['victory', 'thumbs_up', 'pointing_up', 'thumbs_down', 'google_sample_woman_hands'];
const PHOTO_FRAMES = 15;
const W = 640;
const H = 480;

const DETECT_IN_PAGE = `async ({ cfg, sequences }) => {
  const { HandDetector } = await import('/detector.js');
  const out = {};
  for (const [name, frames] of Object.entries(sequences)) {
    const detector = await HandDetector.create(cfg); // fresh tracking state per sequence
    const bitmaps = [];
    for (const b64 of new Set(frames)) bitmaps.push([b64, await createImageBitmap(await (await fetch('data:image/jpeg;base64,' + b64)).blob())]);
    const byData = new Map(bitmaps);
    out[name] = frames.map((b64, i) => detector.detect(byData.get(b64), i * 1000 / 30).hands.map((h) => ({ handedness: h.handedness, landmarks: h.landmarks })));
    for (const [, b] of bitmaps) b.close();
  }
  return out;
}`;

/** The clip's frames and the photos as base64 JPEGs at 640x480. */
export async function loadFrames(fixtures: string, maxFrames: number): Promise<Record<string, string[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'helen-camera-quality-'));
  const ffmpeg = (args: string[]) => promisify(execFile)('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
  try {
    await ffmpeg(['-i', join(fixtures, 'handpose3d_cam0_test.mp4'), '-vf', `scale=${W}:${H},fps=30`, '-frames:v', String(maxFrames), '-q:v', '4', join(dir, 'clip-%04d.jpg')]);
    const sequences: Record<string, string[]> = { clip: [] };
    for (const f of (await readdir(dir)).sort()) sequences.clip?.push((await readFile(join(dir, f))).toString('base64'));
    for (const photo of PHOTOS) {
      const out = join(dir, `${photo}.jpg`);
      await ffmpeg(['-i', join(fixtures, `${photo}.jpg`), '-vf', `scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2`, '-q:v', '4', out]);
      sequences[photo] = Array<string>(PHOTO_FRAMES).fill((await readFile(out)).toString('base64'));
    }
    return sequences;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs every sequence through the page's detector with the variant's settings. */
export async function detectAll(variant: Variant, modelPath: string, chromiumPath: string, sequences: Record<string, string[]>): Promise<Detections> {
  const c = defaultCameraConfig(variant.overrides);
  const page: PageSettings = { numHands: c.numHands, delegate: c.delegate, handedness: 'as-reported', width: W, height: H, frameRate: 30, frameSource: c.frameSource, mirror: false };
  for (const key of DETECTION_KEYS) Object.assign(page, { [key]: c[key] });
  const server = await startCaptureServer({ hub: new CaptureHub({ handedness: 'as-reported' }), modelPath, page, host: '127.0.0.1', port: 0 });
  const profile = await mkdtemp(join(tmpdir(), 'helen-quality-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumArgs({ mode: 'headless', gpu: c.delegate === 'GPU' }) });
  try {
    await context.route('**/*', (route) => (isLoopbackHost(new URL(route.request().url()).hostname) ? route.continue() : route.abort('blockedbyclient')));
    const tab = context.pages()[0] ?? (await context.newPage());
    await tab.goto(`${server.url}config.json`);
    const cfg: unknown = await tab.evaluate('fetch("/config.json").then((r) => r.json())');
    return (await tab.evaluate(`(${DETECT_IN_PAGE})(${JSON.stringify({ cfg, sequences })})`)) as Detections;
  } finally {
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** Mean pixel distance (640x480) over the 21 landmarks of two hands. */
function handDistance(a: Hand, b: Hand): number {
  let sum = 0;
  a.landmarks.forEach((p, i) => {
    const q = b.landmarks[i] ?? [0, 0];
    sum += Math.hypot(((p[0] ?? 0) - (q[0] ?? 0)) * W, ((p[1] ?? 0) - (q[1] ?? 0)) * H);
  });
  return sum / a.landmarks.length;
}

export interface Agreement {
  frames: number;
  baseHandsPerFrame: number;
  handsPerFrame: number;
  /** Share of frames where the variant found another number of hands than the baseline. */
  countDiffers: number;
  /** Over hands both found (same label, else the nearest): mean and p95 of per-hand mean px distance. */
  meanPx: number;
  p95Px: number;
}

/** The variant's detections against the baseline's on the named sequences. */
export function compare(base: Detections, variant: Detections, names: string[]): Agreement {
  let frames = 0, baseHands = 0, hands = 0, differs = 0;
  const dists: number[] = [];
  for (const name of names) {
    const b = base[name] ?? [];
    const v = variant[name] ?? [];
    b.forEach((bh, i) => {
      const vh = v[i] ?? [];
      frames += 1;
      baseHands += bh.length;
      hands += vh.length;
      if (bh.length !== vh.length) differs += 1;
      const free = [...vh];
      for (const h of bh) {
        if (free.length === 0) break;
        let k = free.findIndex((x) => x.handedness === h.handedness);
        if (k < 0) k = 0;
        dists.push(handDistance(h, free[k] as Hand));
        free.splice(k, 1);
      }
    });
  }
  dists.sort((a, b) => a - b);
  const mean = dists.reduce((s, d) => s + d, 0) / Math.max(1, dists.length);
  return {
    frames,
    baseHandsPerFrame: baseHands / Math.max(1, frames),
    handsPerFrame: hands / Math.max(1, frames),
    countDiffers: differs / Math.max(1, frames),
    meanPx: mean,
    p95Px: dists[Math.min(dists.length - 1, Math.floor(dists.length * 0.95))] ?? 0,
  };
}
