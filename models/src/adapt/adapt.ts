/**
 * `helen models adapt`: fine-tunes the committed model on a household's own takes.
 *
 *  1. the user's recordings -> a dataset split by take (a held-out take is never trained on);
 *  2. a synthetic set (a given folder, or generated: signs plus idle "no sign" hands, so the
 *     model keeps what outlier exposure taught it) -> a dataset split by recording;
 *  3. both merged, the user's training windows repeated `userWeight` times;
 *  4. train.py --init-onnx <model.onnx> (the committed model ships without its checkpoint;
 *     its weights load from the ONNX initializers, checked against golden.json), plain
 *     cross-entropy so the edge's 0.995 threshold stays reachable; the starting weights are
 *     kept unless an epoch validates better;
 *  5. export.py -> <outDir>/{model.onnx, metadata.json, golden.json} (parity-checked);
 *  6. accuracy before and after on the user's held-out takes and on the synthetic test split.
 *
 * Paths recorded in provenance are the ones the user gave when relative, repo-relative inside
 * the repository, otherwise only their last component: never this machine's absolute paths.
 */
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_PATH, loadModelMetadata } from '@helen/model-runtime';
import { buildDataset, type DatasetMeta } from '../dataset/build';
import { generateRecordingSet } from '../dataset/recording-set';
import { evaluateDataset, type Evaluation } from '../evaluate';
import { mergeDatasets } from './merge';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PY_DIR = join(REPO, 'models', 'python');

export interface AdaptOptions {
  recordings: string;
  outDir: string;
  /** A folder of synthetic recordings; without it one is generated with `syntheticPerClass` per class. */
  synthetic?: string;
  syntheticPerClass?: number;
  epochs?: number;
  threads?: number;
  /** Copies of each of the user's training windows. */
  userWeight?: number;
  /** Frames between windows of a user's take (takes are short; the synthetic set uses 10). */
  stride?: number;
  seed?: number;
  lr?: number;
  batch?: number;
  maxMinutes?: number;
  /** The model to start from (default the committed one). */
  initOnnx?: string;
  name?: string;
  python?: string;
  keepWork?: boolean;
  /** Progress lines (default: stdout). */
  print?: (line: string) => void;
}

export interface Figures { accuracy: number; windows: number; noSignMeanTopP?: number }
export interface AdaptResult {
  before: { modelId: string; user: Figures; synthetic: Figures };
  after: { modelId: string; user: Figures; synthetic: Figures };
  userTakes: Record<'train' | 'val' | 'test', number>;
  outDir: string;
}

/** A path as provenance records it (see the file comment). */
export function provenancePath(p: string): string {
  if (!isAbsolute(p)) return normalize(p);
  const rel = relative(REPO, p);
  if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return rel;
  return join('<outside the repository>', basename(p));
}

function figures(e: Evaluation): Figures {
  return { accuracy: e.accuracy, windows: e.windows, ...(e.outliers ? { noSignMeanTopP: e.outliers.meanTopP } : {}) };
}

async function evaluateBoth(model: string, userDs: string, synthDs: string, userTest: number) {
  const user = userTest > 0 ? figures(await evaluateDataset(model, userDs, 'test')) : { accuracy: NaN, windows: 0 };
  return { user, synthetic: figures(await evaluateDataset(model, synthDs, 'test')) };
}

/** Runs a Python tool with its output passed on line by line; rejects on a non-zero exit. */
function runPython(python: string, args: string[], threads: number, print: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: String(threads), PYTHONUNBUFFERED: '1' },
    });
    let tail = '';
    const forward = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim() !== '') print(`  ${line}`);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (err) => reject(new Error(`${python}: ${err.message} (needs python3 with torch and onnx)`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${basename(args[0] ?? python)} exited with ${code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

const pct = (f: Figures): string => (f.windows ? `${(100 * f.accuracy).toFixed(1)}%` : 'n/a');

export function formatAdaptResult(r: AdaptResult): string {
  const row = (name: string, b: Figures, a: Figures) => `| ${name} | ${b.windows} | ${pct(b)} | ${pct(a)} |`;
  const lines = [
    `| | windows | before (${r.before.modelId}) | after (${r.after.modelId}) |`, '| --- | ---: | ---: | ---: |',
    row('your held-out takes', r.before.user, r.after.user),
    row('synthetic test split', r.before.synthetic, r.after.synthetic),
  ];
  const b = r.before.synthetic.noSignMeanTopP, a = r.after.synthetic.noSignMeanTopP;
  if (b !== undefined && a !== undefined) lines.push(`| synthetic "no sign" windows, mean top p (lower is better) | | ${b.toFixed(3)} | ${a.toFixed(3)} |`);
  const change = (before: Figures, after: Figures): string => {
    const d = 100 * (after.accuracy - before.accuracy);
    return before.windows ? `${d >= 0 ? '+' : ''}${d.toFixed(1)} points` : 'not measured (no test windows)';
  };
  lines.push('', `change on your held-out takes: ${change(r.before.user, r.after.user)}; on the synthetic test split: ${change(r.before.synthetic, r.after.synthetic)}`);
  if (!r.before.user.windows) lines.push('record 3 or more takes of a sign (5 recommended) so some are held out to measure the change on your own signing');
  return lines.join('\n');
}

export async function adaptModel(opts: AdaptOptions): Promise<AdaptResult> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const seed = opts.seed ?? 1;
  const threads = opts.threads ?? 2;
  const python = opts.python ?? '/usr/bin/python3';
  const initOnnx = opts.initOnnx ?? DEFAULT_MODEL_PATH;
  const initMeta = await loadModelMetadata(initOnnx);
  const arch = initMeta.architecture as Record<string, unknown> | undefined;
  const work = join(opts.outDir, '.adapt-work');
  await rm(work, { recursive: true, force: true });

  print(`1/5 your recordings: ${opts.recordings}`);
  const userDs = join(work, 'user-ds');
  const user = await buildDataset({ inDir: opts.recordings, outDir: userDs, stride: opts.stride ?? 5, splitSeed: seed, seqLen: initMeta.seq_len, useZ: initMeta.use_z });
  const userTakes = { train: user.splits.train.recordings, val: user.splits.val.recordings, test: user.splits.test.recordings };
  print(`  ${user.recordings.length} takes -> train ${userTakes.train}, val ${userTakes.val}, held out ${userTakes.test} (${user.splits.test.windows} windows)`);
  if (user.splits.train.windows === 0) throw new Error(`${opts.recordings}: no training windows (a take needs at least ${initMeta.seq_len} frames)`);

  let synthDirs: string[];
  let synthSource: Record<string, unknown>;
  if (opts.synthetic) {
    synthDirs = [opts.synthetic];
    synthSource = { dir: provenancePath(opts.synthetic) };
    print(`2/5 synthetic recordings: ${opts.synthetic}`);
  } else {
    const perClass = opts.syntheticPerClass ?? 20;
    const signs = join(work, 'synthetic', 'signs');
    const idle = join(work, 'synthetic', 'idle');
    // As the committed model's data (model card): 40-frame signs; idle hands at scale 0.1-0.3, about as many as one class's double.
    const signManifest = await generateRecordingSet({ outDir: signs, seed: seed + 1000, perClass, frames: 40 });
    const idleManifest = await generateRecordingSet({ outDir: idle, seed: seed + 2000, perClass: 2 * perClass, frames: 40, labels: ['idle'], handScale: [0.1, 0.3] });
    synthDirs = [signs, idle];
    synthSource = { generated: { signs: signManifest, idle: idleManifest } };
    print(`2/5 synthetic recordings: generated ${signManifest.recordings} signs + ${idleManifest.recordings} idle (seeds ${seed + 1000}, ${seed + 2000})`);
  }
  const synthDs = join(work, 'synthetic-ds');
  const synth = await buildDataset({ inDir: synthDirs, outDir: synthDs, stride: 10, splitSeed: seed, seqLen: initMeta.seq_len, useZ: initMeta.use_z });

  const userWeight = opts.userWeight ?? 5;
  const dataset = join(work, 'dataset');
  const source = {
    adapt: {
      recordings: provenancePath(opts.recordings), user_takes: userTakes, user_weight: userWeight, user_stride: opts.stride ?? 5,
      synthetic: synthSource, synthetic_windows: windowsOf(synth), init_model: initMeta.model_id,
    },
  };
  const merged = await mergeDatasets([{ dir: synthDs, name: 'synthetic' }, { dir: userDs, name: 'user', trainRepeat: userWeight }], dataset, source);
  print(`3/5 merged dataset: train ${merged.splits.train.windows} windows (your ${user.splits.train.windows} windows x ${userWeight}), val ${merged.splits.val.windows}, test ${merged.splits.test.windows}`);

  const before = { modelId: initMeta.model_id, ...(await evaluateBoth(initOnnx, userDs, synthDs, user.splits.test.windows)) };
  const checkpoint = join(work, 'adapted.pt');
  print(`4/5 fine-tuning ${initMeta.model_id} (${opts.epochs ?? 3} epoch(s), ${threads} thread(s))`);
  await runPython(python, [
    join(PY_DIR, 'train.py'), '--data', dataset, '--out', checkpoint, '--init-onnx', initOnnx,
    '--hidden', String(arch?.hidden_dim ?? 128), '--layers', String(arch?.num_layers ?? 2), '--dropout', String(arch?.dropout ?? 0.2),
    ...(arch?.bidirectional === false ? ['--unidirectional'] : []),
    // A model with the "no sign" output keeps it: the synthetic idle windows train it further.
    ...(arch?.no_sign_output === true ? ['--no-sign-class'] : []),
    '--epochs', String(opts.epochs ?? 3), '--batch', String(opts.batch ?? 32), '--lr', String(opts.lr ?? 5e-4),
    '--label-smoothing', '0', '--outlier-weight', '0.5', '--seed', String(seed), '--threads', String(threads),
    '--max-minutes', String(opts.maxMinutes ?? 30),
    // The starting model is a candidate too: adapting never returns weights that validate worse than it.
    '--keep-init-if-better',
  ], threads, print);
  print(`5/5 exporting to ${opts.outDir}`);
  await runPython(python, [join(PY_DIR, 'export.py'), checkpoint, '--out-dir', opts.outDir, '--name', opts.name ?? 'helen-bigru-adapted', '--dataset', dataset], threads, print);

  const adapted = join(opts.outDir, 'model.onnx');
  const afterMeta = await loadModelMetadata(adapted);
  const after = { modelId: afterMeta.model_id, ...(await evaluateBoth(adapted, userDs, synthDs, user.splits.test.windows)) };
  const result: AdaptResult = { before, after, userTakes, outDir: provenancePath(opts.outDir) };
  await writeFile(join(opts.outDir, 'adapt-report.json'), JSON.stringify({ ...result, source }, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2) + '\n');
  if (!opts.keepWork) await rm(work, { recursive: true, force: true });
  print(`\n${formatAdaptResult(result)}`);
  print(`\ndeploy: HELEN_MODEL_PATHS=<absolute path of ${opts.outDir}>/model.onnx on the inference workers and the edge (metadata.json beside it)`);
  return result;
}

function windowsOf(meta: DatasetMeta): Record<string, number> {
  return { train: meta.splits.train.windows, val: meta.splits.val.windows, test: meta.splits.test.windows };
}
