/**
 * Camera bench: speed, CPU and landmark quality of camera settings against the defaults,
 * through the real capture page (Chromium, tasks-vision) at 640x480.
 *
 *   npx tsx edge-publisher/bench/camera-bench.ts [options] [--variant SPEC ...]
 *
 *   --variant SPEC  `name:key=value,...` (CameraConfig keys, e.g. `w320:processWidth=320`) or a
 *                   preset name (bench/camera/variants.ts); `--preset all` = every preset
 *   --seconds N     measured seconds per live run (default 10, after a 2 s warm-up)
 *   --rounds N      paired rounds: default, variant, default, variant, ... (default 3)
 *   --scenes LIST   one (the fixture clip, one hand) and/or two (a still two-hand photo); default one,two
 *   --frames N      clip frames for the quality check (default 378, the whole clip)
 *   --no-live / --no-quality
 *   --model PATH / --fixtures DIR  default: the shared data folder (../shared or $HELEN_SHARED_DIR)
 *
 * Live runs of the default and a variant alternate, so drift in the machine's load hits
 * both alike; each row gives the 1-minute load average at its start and end. The quality
 * check runs the same frames through the page's detector with each setting and compares
 * landmarks with what the defaults give.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { sharedPath } from '@helen/runtime/testing';
import { defaultCameraConfig } from '../src/camera/config';
import { liveRun, type LiveResult } from './camera/live';
import { compare, detectAll, loadFrames, PHOTOS, type Detections } from './camera/quality';
import { BASELINE, parseVariant, PRESETS, type Variant } from './camera/variants';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', multiple: true, default: [] },
    preset: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    scenes: { type: 'string', default: 'one,two' },
    frames: { type: 'string', default: '378' },
    'no-live': { type: 'boolean', default: false },
    'no-quality': { type: 'boolean', default: false },
    model: { type: 'string', default: sharedPath('models', 'hand_landmarker.task') },
    fixtures: { type: 'string', default: sharedPath('fixtures', 'hands') },
  },
});
const specs = [...(values.preset === 'all' ? Object.keys(PRESETS) : []), ...(values.variant ?? [])];
const variants: Variant[] = specs.map(parseVariant);
const chromiumPath = defaultCameraConfig().chromiumPath;
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const describe = (v: Variant) => (Object.keys(v.overrides).length ? Object.entries(v.overrides).map(([k, x]) => `${k}=${String(x)}`).join(', ') : 'defaults');

async function quality(): Promise<void> {
  const sequences = await loadFrames(values.fixtures, Number(values.frames));
  const base = await detectAll(BASELINE, values.model, chromiumPath, sequences);
  console.log(`\n### Landmark quality against the defaults (${sequences.clip?.length ?? 0} clip frames; ${PHOTOS.length} photos x 15 still frames)\n`);
  console.log('| variant | clip hands/frame (default -> variant) | clip frames with another hand count | clip mean / p95 px | photos hands/frame (default -> variant) | photos mean / p95 px |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  const row = (name: string, d: Detections) => {
    const c = compare(base, d, ['clip']);
    const p = compare(base, d, PHOTOS);
    console.log(`| ${name} | ${f2(c.baseHandsPerFrame)} -> ${f2(c.handsPerFrame)} | ${f1(c.countDiffers * 100)} % | ${f2(c.meanPx)} / ${f2(c.p95Px)} | ${f2(p.baseHandsPerFrame)} -> ${f2(p.handsPerFrame)} | ${f2(p.meanPx)} / ${f2(p.p95Px)} |`);
  };
  row('default (run again)', await detectAll(BASELINE, values.model, chromiumPath, sequences));
  for (const v of variants) row(`${v.name} (${describe(v)})`, await detectAll(v, values.model, chromiumPath, sequences));
}

async function live(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'helen-camera-bench-'));
  const ffmpeg = (args: string[]) => promisify(execFile)('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
  const scenes: Record<string, string> = { one: join(dir, 'clip.mjpeg'), two: join(dir, 'two-hands.mjpeg') };
  await ffmpeg(['-i', join(values.fixtures, 'handpose3d_cam0_test.mp4'), '-vf', 'scale=640:480,fps=30', '-q:v', '4', '-f', 'mjpeg', scenes.one as string]);
  await ffmpeg(['-loop', '1', '-i', join(values.fixtures, 'google_sample_woman_hands.jpg'), '-t', '5',
    '-vf', 'scale=-2:480,pad=640:480:(ow-iw)/2:0,fps=30', '-q:v', '4', '-f', 'mjpeg', scenes.two as string]);
  const label: Record<string, string> = { one: 'clip, one hand', two: 'photo, two hands' };
  const opts = { seconds: Number(values.seconds), modelPath: values.model };
  const rounds = Number(values.rounds);
  const summary: string[] = [];
  console.log(`\n### Live runs (${opts.seconds} s each after 2 s warm-up, ${availableParallelism()} cores; CPU = Chromium's process tree)\n`);
  console.log('| scene | variant | round | fps | detect p50 / p95 ms | hands/frame | CPU cores | CPU ms/frame | load 1 min (start-end) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const line = (scene: string, name: string, round: number, r: LiveResult) =>
    console.log(`| ${label[scene]} | ${name} | ${round} | ${f1(r.fps)} | ${f1(r.detectP50)} / ${f1(r.detectP95)} | ${f2(r.handsPerFrame)} | ${f2(r.cpuCores)} | ${f1(r.cpuMsPerFrame)} | ${f1(r.load[0])}-${f1(r.load[1])} |`);
  try {
    for (const scene of values.scenes.split(',')) {
      const mjpeg = scenes[scene];
      if (!mjpeg) throw new Error(`unknown scene ${scene} (one, two)`);
      const only = variants.length === 0 ? [BASELINE] : variants;
      for (const v of only) {
        const fps: [number, number][] = [];
        const cpu: [number, number][] = [];
        for (let round = 1; round <= rounds; round++) {
          const b = await liveRun(BASELINE, { ...opts, mjpeg });
          line(scene, 'default', round, b);
          if (v === BASELINE) continue;
          const r = await liveRun(v, { ...opts, mjpeg });
          line(scene, v.name, round, r);
          fps.push([r.fps, b.fps]);
          cpu.push([r.cpuMsPerFrame, b.cpuMsPerFrame]);
        }
        if (v !== BASELINE) {
          summary.push(`| ${label[scene]} | ${v.name} (${describe(v)}) | ${fps.map(([a, b]) => `${f1(a)}/${f1(b)}`).join(', ')} | ${f2(median(fps.map(([a, b]) => a / b)))} | ${f2(median(cpu.map(([a, b]) => a / b)))} |`);
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (summary.length > 0) {
    console.log('\n### Paired ratios (variant / default in the same round; median of the rounds)\n');
    console.log('| scene | variant | fps per round (variant/default) | fps ratio | CPU ms per frame ratio |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const s of summary) console.log(s);
  }
}

if (!values['no-quality']) await quality();
if (!values['no-live']) await live();
