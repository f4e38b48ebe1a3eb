/**
 * Capture bench: processed fps, detectForVideo latency and CPU use of the camera path at
 * 640x480 with numHands 1, 2 and auto, through Chromium's fake camera: the fixture clip (one
 * hand) and a two-hand scene (the google_sample_woman_hands photo held still).
 *
 *   npx tsx edge-publisher/bench/camera-bench.ts [seconds=15] [model] [fixtures]
 *
 * model and fixtures default to `models/hand_landmarker.task` and `fixtures/hands` in the shared
 * data folder (`../shared` beside the repository, or $HELEN_SHARED_DIR).
 *
 * Prints one line per setting and the machine's load average: other work on the machine
 * lowers every figure here.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sharedPath } from '@helen/runtime/testing';
import { CameraSource } from '../src/camera/camera-source';
import { defaultCameraConfig, type NumHands } from '../src/camera/config';

const seconds = Number(process.argv[2] ?? 15);
const modelPath = process.argv[3] ?? sharedPath('models', 'hand_landmarker.task');
const fixtures = process.argv[4] ?? sharedPath('fixtures', 'hands');
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

async function run(scene: string, numHands: NumHands, mjpeg: string): Promise<void> {
  const source = new CameraSource(defaultCameraConfig({ port: 0, numHands, modelPath, fakeVideoPath: mjpeg }));
  let frames = 0;
  let withHand = 0;
  let handsSeen = 0;
  const t0 = performance.now();
  await source.start((f) => {
    frames += 1;
    if (f.hands.length > 0) withHand += 1;
    handsSeen += f.hands.length;
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
  const hands0 = handsSeen;
  const [f0, h0, ticks0, node0, w0, load0] = [frames, withHand, await treeTicks(pid), process.cpuUsage(), performance.now(), loadavg()[0] ?? 0];
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const hands1 = handsSeen;
  const [f1, h1, ticks1, node1, w1, load1] = [frames, withHand, await treeTicks(pid), process.cpuUsage(node0), performance.now(), loadavg()[0] ?? 0];
  const log = ((await page?.evaluate(`window.helen.detectLog.slice(${logStart})`)) as number[]).sort((a, b) => a - b);
  await source.stop();
  const wall = (w1 - w0) / 1000;
  console.log(JSON.stringify({
    scene,
    numHands,
    handsPerFrame: +((hands1 - hands0) / Math.max(1, f1 - f0)).toFixed(2),
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
const ffmpeg = (args: string[]) => promisify(execFile)('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
const clip = join(dir, 'clip.mjpeg');
const still = join(dir, 'two-hands.mjpeg');
await ffmpeg(['-i', join(fixtures, 'handpose3d_cam0_test.mp4'), '-vf', 'scale=640:480,fps=30', '-q:v', '4', '-f', 'mjpeg', clip]);
await ffmpeg(['-loop', '1', '-i', join(fixtures, 'google_sample_woman_hands.jpg'), '-t', '5',
  '-vf', 'scale=-2:480,pad=640:480:(ow-iw)/2:0,fps=30', '-q:v', '4', '-f', 'mjpeg', still]);
try {
  for (const numHands of [1, 2, 'auto'] as const) await run('clip, one hand', numHands, clip);
  for (const numHands of [2, 'auto'] as const) await run('photo, two hands', numHands, still);
} finally {
  await rm(dir, { recursive: true, force: true });
}
