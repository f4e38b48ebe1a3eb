/**
 * Recordings (JSONL landmark frames) -> feature windows through the one feature pipeline in
 * @helen/schemas -> a dataset directory numpy reads directly:
 *   meta.json                       shapes, labels, counts, seeds, provenance
 *   X_<split>.f32                   float32 little-endian, N x seq_len x feature_dim
 *   y_<split>.i32                   int32 little-endian class index per window
 *   r_<split>.i32                   int32 recording index per window (into meta.recordings)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { CLASS_LABELS, isClassLabel, type LandmarkFrame } from '@helen/schemas';
import { featureDim, prepareModelInput, windowsFromFrames } from '@helen/features';
import { GENERATOR_VERSION, readRecording, RecordingError } from '@helen/synthetic-signer';
import { SPLITS, splitByRecording, type Split, type SplitFractions } from './split';

export const DATASET_FORMAT = 'helen-dataset/1';

export interface BuildOptions {
  /** A recordings folder, or several (e.g. sign recordings + idle recordings) combined into one dataset. */
  inDir: string | readonly string[];
  outDir: string;
  seqLen?: number;
  useZ?: boolean;
  /** Frames between the ends of consecutive windows of one recording. */
  stride?: number;
  /** Seed of the split shuffle. */
  splitSeed?: number;
  fractions?: SplitFractions;
}

export interface SplitInfo { windows: number; recordings: number; per_class: Record<string, number> }

export interface DatasetMeta {
  format: typeof DATASET_FORMAT;
  feature_dim: number;
  seq_len: number;
  use_z: boolean;
  stride: number;
  class_labels: string[];
  split_seed: number;
  /**
   * Labels whose windows carry target -1 ("no sign": idle = resting/wandering hands, none = no
   * hands), split by recording like the classes; per_class counts them under their label.
   * Absent (older datasets) or empty: every target is a class index.
   */
  outlier_labels?: string[];
  outlier_target?: number;
  splits: Record<Split, SplitInfo>;
  /** Path (relative to the input dir), label and split of every recording, indexed by r_<split>.i32. */
  recordings: { file: string; label: string; split: Split; frames: number; windows: number }[];
  /** The generator's manifest.json when the recordings are synthetic. */
  source: Record<string, unknown> | null;
  generator_version: number;
  created: string;
}

/** All *.jsonl files below dir, sorted, so the dataset does not depend on directory order. */
export async function listRecordings(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Recordings with these labels are "no sign" windows (resting / wandering hands, no hands):
 * target index -1 (OUTLIER_TARGET). The model keeps its 22 outputs; train.py trains them towards
 * the uniform distribution (outlier exposure), evaluation leaves them out of accuracy.
 */
export const OUTLIER_LABELS = ['idle', 'none'] as const;
export const OUTLIER_TARGET = -1;
const isOutlierLabel = (l: string): boolean => (OUTLIER_LABELS as readonly string[]).includes(l);

/** The recording's class: every frame's `label` (all equal), else its folder's name. */
export function recordingLabel(file: string, frames: LandmarkFrame[]): string {
  const folder = basename(dirname(file));
  let label: string | undefined;
  frames.forEach((f, i) => {
    const l = f.label ?? undefined;
    if (l === undefined) return;
    if (label === undefined) label = l;
    else if (l !== label) throw new RecordingError(file, i + 1, `label "${l}" differs from the recording's "${label}"`);
  });
  const chosen = label ?? folder;
  if (!isClassLabel(chosen) && !isOutlierLabel(chosen)) {
    throw new RecordingError(file, 1, `label "${chosen}" is not one of the model's classes (${CLASS_LABELS.join(', ')}) nor a "no sign" label (${OUTLIER_LABELS.join(', ')})`);
  }
  return chosen;
}

async function readSource(inDir: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(join(inDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function buildDataset(opts: BuildOptions): Promise<DatasetMeta> {
  if (endianness() !== 'LE') throw new Error('the dataset files are little-endian; this machine is big-endian');
  const seqLen = opts.seqLen ?? 30;
  const useZ = opts.useZ ?? false;
  const stride = opts.stride ?? 4;
  const splitSeed = opts.splitSeed ?? 1;
  const F = featureDim(useZ);
  const inDirs = typeof opts.inDir === 'string' ? [opts.inDir] : [...opts.inDir];
  if (inDirs.length === 0) throw new Error('no input folder');
  // One folder: paths relative to it (as before). Several: each path starts with its folder's name.
  const listed: { file: string; rel: string }[] = [];
  for (const d of inDirs) {
    const found = await listRecordings(d);
    if (found.length === 0) throw new Error(`no .jsonl recordings under ${d}`);
    for (const file of found) listed.push({ file, rel: inDirs.length === 1 ? relative(d, file) : join(basename(d), relative(d, file)) });
  }

  const recs: { file: string; label: string; frames: number; windows: Float32Array[] }[] = [];
  for (const { file, rel } of listed) {
    const frames = await readRecording(file);
    const label = recordingLabel(file, frames);
    // The same feature code as the edge at run time, then the same input preparation as the worker.
    const windows = windowsFromFrames(frames, { useZ, seqLen, stride }).map((w) => prepareModelInput(w, seqLen).data);
    recs.push({ file: rel, label, frames: frames.length, windows });
  }
  const splitOf = splitByRecording(recs, (r) => r.label, splitSeed, opts.fractions);

  await mkdir(opts.outDir, { recursive: true });
  const present = new Set(recs.map((r) => r.label));
  const outlierLabels = OUTLIER_LABELS.filter((l) => present.has(l));
  const emptyInfo = (): SplitInfo => ({ windows: 0, recordings: 0, per_class: Object.fromEntries([...CLASS_LABELS, ...outlierLabels].map((c) => [c, 0])) });
  const splits = Object.fromEntries(SPLITS.map((s) => [s, emptyInfo()])) as Record<Split, SplitInfo>;
  for (const split of SPLITS) {
    const members = recs.map((r, i) => ({ r, i })).filter(({ i }) => splitOf[i] === split);
    const n = members.reduce((acc, { r }) => acc + r.windows.length, 0);
    const X = new Float32Array(n * seqLen * F);
    const y = new Int32Array(n);
    const rid = new Int32Array(n);
    let k = 0;
    for (const { r, i } of members) {
      const cls = isOutlierLabel(r.label) ? OUTLIER_TARGET : (CLASS_LABELS as readonly string[]).indexOf(r.label);
      for (const w of r.windows) {
        X.set(w, k * seqLen * F);
        y[k] = cls;
        rid[k] = i;
        k++;
      }
      const info = splits[split];
      info.recordings++;
      info.per_class[r.label] = (info.per_class[r.label] ?? 0) + r.windows.length;
    }
    splits[split].windows = n;
    await writeFile(join(opts.outDir, `X_${split}.f32`), new Uint8Array(X.buffer));
    await writeFile(join(opts.outDir, `y_${split}.i32`), new Uint8Array(y.buffer));
    await writeFile(join(opts.outDir, `r_${split}.i32`), new Uint8Array(rid.buffer));
  }
  const meta: DatasetMeta = {
    format: DATASET_FORMAT,
    feature_dim: F,
    seq_len: seqLen,
    use_z: useZ,
    stride,
    class_labels: [...CLASS_LABELS],
    split_seed: splitSeed,
    ...(outlierLabels.length > 0 ? { outlier_labels: [...outlierLabels], outlier_target: OUTLIER_TARGET } : {}),
    splits,
    recordings: recs.map((r, i) => ({ file: r.file, label: r.label, split: splitOf[i] as Split, frames: r.frames, windows: r.windows.length })),
    source: inDirs.length === 1
      ? await readSource(inDirs[0] as string)
      : { inputs: await Promise.all(inDirs.map(async (d) => ({ dir: basename(d), manifest: await readSource(d) }))) },
    generator_version: GENERATOR_VERSION,
    created: new Date().toISOString(),
  };
  await writeFile(join(opts.outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

export interface SplitData { X: Float32Array; y: Int32Array; recording: Int32Array; count: number }

/** Reads a dataset directory back (evaluation and tests). */
export async function readDataset(dir: string): Promise<{ meta: DatasetMeta; splits: Record<Split, SplitData> }> {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as DatasetMeta;
  if (meta.format !== DATASET_FORMAT) throw new Error(`${dir}/meta.json: format "${String(meta.format)}", expected ${DATASET_FORMAT}`);
  const load = async <T>(name: string, make: (b: ArrayBuffer) => T): Promise<T> => {
    const buf = await readFile(join(dir, name));
    return make(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  };
  const out = {} as Record<Split, SplitData>;
  for (const s of SPLITS) {
    const X = await load(`X_${s}.f32`, (b) => new Float32Array(b));
    const y = await load(`y_${s}.i32`, (b) => new Int32Array(b));
    // Stream datasets (edge-publisher/bench/stream/dataset.ts) come from streams, not recordings,
    // and write no r_*.i32: their windows belong to no recording (-1).
    const recording = existsSync(join(dir, `r_${s}.i32`)) ? await load(`r_${s}.i32`, (b) => new Int32Array(b)) : new Int32Array(y.length).fill(-1);
    if (X.length !== y.length * meta.seq_len * meta.feature_dim) throw new Error(`${dir}/X_${s}.f32: size does not match y_${s}.i32 and meta.json`);
    out[s] = { X, y, recording, count: y.length };
  }
  return { meta, splits: out };
}
