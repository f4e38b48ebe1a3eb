/**
 * One live run: the CameraSource with a variant's settings on a fake camera (an MJPEG file
 * Chromium plays at 30 fps), through the real page. Measures landmark frames per second
 * received by the edge, the page's detection time, and the CPU of Chromium's whole process
 * tree from /proc (browser, renderer, GPU and utility processes).
 */
import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { CameraSource } from '../../src/camera/camera-source';
import { defaultCameraConfig } from '../../src/camera/config';
import type { Variant } from './variants';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU ticks used so far by `root` and all its descendants. */
export async function treeTicks(root: number): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!text) continue;
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
  }
  let total = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    total += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) queue.push(child);
  }
  return total;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LiveResult {
  fps: number;
  detectP50: number;
  detectP95: number;
  handsPerFrame: number;
  /** Chromium CPU seconds per captured (wall) second, i.e. cores. */
  cpuCores: number;
  /** Chromium CPU milliseconds per landmark frame. */
  cpuMsPerFrame: number;
  load: [number, number];
}

export async function liveRun(variant: Variant, opts: { mjpeg: string; seconds: number; modelPath: string }): Promise<LiveResult> {
  const config = defaultCameraConfig({ ...variant.overrides, port: 0, modelPath: opts.modelPath, fakeVideoPath: opts.mjpeg });
  const source = new CameraSource(config);
  let frames = 0;
  let hands = 0;
  await source.start((f) => {
    frames += 1;
    hands += f.hands.length;
  });
  try {
    await source.waitForReady(90_000);
    while (frames === 0) await sleep(5);
    await sleep(2000); // warm-up: the first frames include the landmarker's own
    const page = source.chromium?.page;
    const pid = (await source.chromium?.browserPid()) as number;
    const logStart = (await page?.evaluate('window.helen.detectLog.length')) as number;
    const [f0, h0, t0, w0, l0] = [frames, hands, await treeTicks(pid), performance.now(), loadavg()[0] ?? 0];
    await sleep(opts.seconds * 1000);
    const [f1, h1, t1, w1, l1] = [frames, hands, await treeTicks(pid), performance.now(), loadavg()[0] ?? 0];
    const log = ((await page?.evaluate(`window.helen.detectLog.slice(${logStart})`)) as number[]).sort((a, b) => a - b);
    const wall = (w1 - w0) / 1000;
    const cpuS = (t1 - t0) / TICKS_PER_S;
    const n = Math.max(1, f1 - f0);
    return {
      fps: (f1 - f0) / wall,
      detectP50: pct(log, 0.5),
      detectP95: pct(log, 0.95),
      handsPerFrame: (h1 - h0) / n,
      cpuCores: cpuS / wall,
      cpuMsPerFrame: (cpuS * 1000) / n,
      load: [l0, l1],
    };
  } finally {
    await source.stop();
  }
}
