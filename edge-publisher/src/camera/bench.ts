/**
 * Capture bench: processed fps, detectForVideo latency and CPU use of the camera path at
 * 640x480 with numHands 1 and 2, on the fixture clip through Chromium's fake camera.
 *
 *   npx tsx edge-publisher/src/camera/bench.ts [seconds=15] [model=/work/shared/models/hand_landmarker.task] [clip.mp4]
 *
 * Prints one line per setting and the machine's load average: other work on the machine
 * lowers every figure here.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CameraSource } from './camera-source';
import { defaultCameraConfig } from './config';

const seconds = Number(process.argv[2] ?? 15);
const modelPath = process.argv[3] ?? '/work/shared/models/hand_landmarker.task';
const clip = process.argv[4] ?? '/work/shared/fixtures/hands/handpose3d_cam0_test.mp4';
const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU ticks used so far by `root` and all its descendants. */
async function treeTicks(root: number): Promise<number> {
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

async function run(numHands: number, mjpeg: string): Promise<void> {
  const source = new CameraSource(defaultCameraConfig({ port: 0, numHands, modelPath, fakeVideoPath: mjpeg }));
  let frames = 0;
  let withHand = 0;
  const t0 = performance.now();
  await source.start((f) => {
    frames += 1;
    if (f.hands.length > 0) withHand += 1;
  });
  await source.waitForReady(60_000);
  const ready = performance.now();
  while (frames === 0) await new Promise((r) => setTimeout(r, 5));
  const firstFrameMs = performance.now() - t0;
  const firstAfterReadyMs = performance.now() - ready;
  await new Promise((r) => setTimeout(r, 2000)); // warm-up
  const page = source.chromium?.page;
  const pid = (await source.chromium?.browserPid()) as number;
  const logStart = (await page?.evaluate('window.helen.detectLog.length')) as number;
  const [f0, h0, ticks0, node0, w0, load0] = [frames, withHand, await treeTicks(pid), process.cpuUsage(), performance.now(), loadavg()[0] ?? 0];
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const [f1, h1, ticks1, node1, w1, load1] = [frames, withHand, await treeTicks(pid), process.cpuUsage(node0), performance.now(), loadavg()[0] ?? 0];
  const log = ((await page?.evaluate(`window.helen.detectLog.slice(${logStart})`)) as number[]).sort((a, b) => a - b);
  await source.stop();
  const wall = (w1 - w0) / 1000;
  console.log(JSON.stringify({
    numHands,
    fps: +((f1 - f0) / wall).toFixed(1),
    handInFrames: +((h1 - h0) / Math.max(1, f1 - f0)).toFixed(3),
    detectMs: { p50: +pct(log, 0.5).toFixed(1), p95: +pct(log, 0.95).toFixed(1), n: log.length },
    chromiumCpuCores: +((ticks1 - ticks0) / TICKS_PER_S / wall).toFixed(2),
    nodeCpuCores: +((node1.user + node1.system) / 1e6 / wall).toFixed(3),
    startToFirstFrameMs: Math.round(firstFrameMs),
    readyToFirstFrameMs: Math.round(firstAfterReadyMs),
    loadavg1: [+load0.toFixed(2), +load1.toFixed(2)],
    cores: availableParallelism(),
  }));
}

const dir = await mkdtemp(join(tmpdir(), 'helen-camera-bench-'));
const mjpeg = join(dir, 'clip.mjpeg');
await promisify(execFile)('ffmpeg', ['-loglevel', 'error', '-y', '-i', clip, '-vf', 'scale=640:480,fps=30', '-q:v', '4', '-f', 'mjpeg', mjpeg]);
try {
  for (const numHands of [1, 2]) await run(numHands, mjpeg);
} finally {
  await rm(dir, { recursive: true, force: true });
}
