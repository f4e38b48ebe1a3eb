/**
 * A folder of synthetic recordings, one sub-folder per class, the way a person would lay out
 * camera recordings for training: `<out>/<label>/<label>_s<seed>_<n>.jsonl` plus a
 * manifest.json with everything needed to regenerate it byte for byte.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASS_LABELS, type ClassLabel } from '@helen/schemas';
import { DEFAULT_FPS, GENERATOR_VERSION, generateRecording, mixSeed, writeRecording, type StepLabel } from '@helen/synthetic-signer';

export interface RecordingSetOptions {
  outDir: string;
  seed: number;
  perClass: number;
  frames?: number;
  fps?: number;
  /** Default: the 22 classes. `idle` / `none` make "no sign" recordings (outlier windows, dataset target -1). */
  labels?: readonly StepLabel[];
  /** Hand size range [min, max]; default the generator's training range. */
  handScale?: readonly [number, number];
}

export interface RecordingSetManifest {
  generator: 'helen-synthetic';
  generator_version: number;
  seed: number;
  per_class: number;
  frames: number;
  fps: number;
  labels: string[];
  recordings: number;
  hand_scale?: [number, number];
}

/** Seed salt of a label: its class index, and 22 / 23 for `idle` / `none`. */
function labelIndex(label: StepLabel): number {
  if (label === 'idle') return CLASS_LABELS.length;
  if (label === 'none') return CLASS_LABELS.length + 1;
  return CLASS_LABELS.indexOf(label as ClassLabel);
}

/** The seed of recording n of a class: distinct per (set seed, class, n). */
export function recordingSeed(seed: number, classIndex: number, n: number): number {
  return mixSeed(seed, classIndex, n);
}

export async function generateRecordingSet(opts: RecordingSetOptions): Promise<RecordingSetManifest> {
  const frames = opts.frames ?? 72;
  const fps = opts.fps ?? DEFAULT_FPS;
  const labels = opts.labels ?? CLASS_LABELS;
  for (const label of labels) {
    const c = labelIndex(label);
    for (let n = 0; n < opts.perClass; n++) {
      const seed = recordingSeed(opts.seed, c, n);
      // Start times differ per recording, as real takes would.
      const rec = generateRecording({ seed, label, frames, fps, startTs: 1_700_000_000_000 + seed, ...(opts.handScale ? { handScale: opts.handScale } : {}) });
      await writeRecording(join(opts.outDir, label, `${label}_s${opts.seed}_${n}.jsonl`), rec);
    }
  }
  const manifest: RecordingSetManifest = {
    generator: 'helen-synthetic',
    generator_version: GENERATOR_VERSION,
    seed: opts.seed,
    per_class: opts.perClass,
    frames,
    fps,
    labels: [...labels],
    recordings: labels.length * opts.perClass,
    ...(opts.handScale ? { hand_scale: [opts.handScale[0], opts.handScale[1]] as [number, number] } : {}),
  };
  await mkdir(opts.outDir, { recursive: true });
  await writeFile(join(opts.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
