/**
 * Training data from streams (issue 12 item 3): the windows the edge itself sends on
 * synthetic streams of the `train` seed range (disjoint from the tuning and held-out seeds),
 * labelled by how much of a sign they hold, written in the dataset format train.py reads.
 *
 *   npx tsx edge-publisher/bench/stream/dataset.ts --out models/data/ds-stream --streams 400
 *     [--seed-base 0] [--clean models/data/ds-oe --clean-share 0.25] [--sign-every 4] [--idle-every 12]
 *     [--hard-model model.onnx --hard-min-p 0.3]   (keep every "no sign" window that model is unsure about)
 *
 * A window (the last second of frames, on the model's 30 fps grid) is labelled with a sign
 * when it holds at least SIGN_MIN_MS of that sign, and is a "no sign" window (target -1,
 * outlier exposure) when it holds at most IDLE_MAX_MS of any sign; between the two it is
 * ambiguous and left out. So the model learns to name a sign from its first half second,
 * through transitions, entering and leaving hands, far hands and 15 fps cameras, and to
 * spread its probability on people who do not sign.
 * Only full windows are written: train.py cuts every batch to its last 15-30 frames, which
 * makes the partial windows the edge sends after a gap.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareModelInput } from '@helen/features';
import { DEFAULT_MODEL_PATH, loadModel, loadModelMetadata } from '@helen/model-runtime';
import { CLASS_LABELS, type FeatureSequence } from '@helen/schemas';
import { createRng } from '@helen/synthetic-signer';
import pino from 'pino';
import { ORIGINAL_DECISION_SETTINGS } from '../../src/decision/settings';
import { modelInfoFromMetadata } from '../../src/model-info';
import { EdgePipeline } from '../../src/pipeline/pipeline';
import type { PredictOutcome, Predictor } from '../../src/predict/types';
import { renderScenario } from './frames';
import { scoreWindows } from './runner';
import { generateScenario, TRAIN_SEEDS } from './scenario';
import { IDLE_MAX_MS, OUTLIER, SIGN_MIN_MS, windowLabel } from './window-label';

class Keeper implements Predictor {
  readonly servedBy = 'edge' as const;
  readonly windows: { seq: FeatureSequence; ts: number }[] = [];
  predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    this.windows.push({ seq, ts: captureTs });
    return Promise.resolve({ kind: 'unavailable', reason: 'dataset' });
  }
}

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    streams: { type: 'string', default: '400' },
    'seed-base': { type: 'string', default: '0' },
    clean: { type: 'string' },
    'clean-share': { type: 'string', default: '0.25' },
    'sign-every': { type: 'string', default: '4' },
    'idle-every': { type: 'string', default: '12' },
    'val-share': { type: 'string', default: '0.1' },
    /** Hard negatives: "no sign" windows this model gives a top probability >= --hard-min-p are all kept. */
    'hard-model': { type: 'string' },
    'hard-min-p': { type: 'string', default: '0.3' },
  },
});
if (!values.out) throw new Error('--out is required');
const meta = await loadModelMetadata(DEFAULT_MODEL_PATH);
const T = meta.seq_len, F = meta.feature_dim;
const streams = Number(values.streams), seedBase = Number(values['seed-base']);
const signEvery = Number(values['sign-every']), idleEvery = Number(values['idle-every']);
const rows: Record<'train' | 'val', { x: Float32Array[]; y: number[] }> = { train: { x: [], y: [] }, val: { x: [], y: [] } };
const counts = { sign: 0, outlier: 0, ambiguous: 0, partial: 0 };
const rng = createRng(0x57ea);
const hardModel = values['hard-model'] ? await loadModel([values['hard-model']], 'main', { intraOpThreads: 1, spinning: false }) : undefined;
const hardMinP = Number(values['hard-min-p']);
const counts2 = { hard: 0 };

for (let i = 0; i < streams; i++) {
  const seed = TRAIN_SEEDS.first + seedBase + i;
  if (seed > TRAIN_SEEDS.last) throw new Error('out of train seeds');
  const stream = renderScenario(generateScenario(seed));
  const keeper = new Keeper();
  // The original gates send the fewest windows; the dataset must also cover what looser gates send, so gate loosely.
  const pipeline = new EdgePipeline({
    model: modelInfoFromMetadata(meta), decision: { ...ORIGINAL_DECISION_SETTINGS, areaSingle: 0.005, areaTotal: 0.01, presenceEnter: 0.5, presenceExit: 0.4 },
    stride: 1, deviceId: 'dataset', sessionId: 'dataset', predictor: keeper, sinks: [], log: pino({ level: 'silent' }),
  });
  for (const f of stream.frames) pipeline.onFrame(f);
  // Streams split by seed: val windows come from streams never trained on.
  const split = rng.chance(Number(values['val-share'])) ? 'val' : 'train';
  const full = keeper.windows.filter((w) => w.seq.frames >= T);
  counts.partial += keeper.windows.length - full.length;
  const labels = full.map((w) => windowLabel(w.ts, stream.signs));
  // The hard-negative model's top probability on each "no sign" window (only those are scored).
  const hardTop = new Map<number, number>();
  if (hardModel) {
    const idle = labels.flatMap((y, k) => (y === OUTLIER ? [k] : []));
    const scores = await scoreWindows(hardModel, idle.map((k) => (full[k] as { seq: FeatureSequence }).seq));
    idle.forEach((k, j) => hardTop.set(k, Math.max(...(scores[j] as number[]))));
  }
  full.forEach((w, k) => {
    const y = labels[k] ?? null;
    if (y === null) { counts.ambiguous++; return; }
    const hard = y === OUTLIER && (hardTop.get(k) ?? 0) >= hardMinP;
    if (!hard && k % (y === OUTLIER ? idleEvery : signEvery) !== 0) return;
    rows[split].x.push(prepareModelInput(w.seq, T).data);
    rows[split].y.push(y);
    counts[y === OUTLIER ? 'outlier' : 'sign']++;
    if (hard) counts2.hard++;
  });
  if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1}/${streams} streams: ${JSON.stringify({ ...counts, ...counts2 })}\n`);
}

/** A share of clean windows (the original dataset's) keeps the per-class window accuracy. */
async function mixClean(dir: string, split: 'train' | 'val', share: number): Promise<void> {
  const X = new Float32Array((await readFile(join(dir, `X_${split}.f32`))).buffer.slice(0));
  const y = new Int32Array((await readFile(join(dir, `y_${split}.i32`))).buffer.slice(0));
  const want = Math.round((rows[split].y.length * share) / (1 - share));
  const pick = createRng(0xc1ea + (split === 'val' ? 1 : 0));
  for (let n = 0; n < Math.min(want, y.length); n++) {
    const k = pick.int(0, y.length - 1);
    rows[split].x.push(X.slice(k * T * F, (k + 1) * T * F));
    rows[split].y.push(y[k] as number);
  }
}
if (values.clean) for (const s of ['train', 'val'] as const) await mixClean(values.clean, s, Number(values['clean-share']));

await mkdir(values.out, { recursive: true });
const info: Record<string, unknown> = {};
for (const split of ['train', 'val', 'test'] as const) {
  const r = split === 'test' ? rows.val : rows[split];
  const X = new Float32Array(r.y.length * T * F);
  r.x.forEach((x, k) => X.set(x, k * T * F));
  await writeFile(join(values.out, `X_${split}.f32`), Buffer.from(X.buffer));
  await writeFile(join(values.out, `y_${split}.i32`), Buffer.from(Int32Array.from(r.y).buffer));
  info[split] = { windows: r.y.length, outliers: r.y.filter((v) => v === OUTLIER).length };
}
await writeFile(join(values.out, 'meta.json'), `${JSON.stringify({
  format: 'helen-dataset/1', feature_dim: F, seq_len: T, use_z: meta.use_z, stride: 1, class_labels: [...CLASS_LABELS],
  outlier_labels: ['idle'], outlier_target: OUTLIER,
  source: { kind: 'streams', streams, seed_base: seedBase, sign_min_ms: SIGN_MIN_MS, idle_max_ms: IDLE_MAX_MS, sign_every: signEvery, idle_every: idleEvery, clean: values.clean ?? null, clean_share: Number(values['clean-share']),
    hard_negatives: values['hard-model'] ? { model: hardModel?.metadata.model_id, min_p: hardMinP, windows: counts2.hard } : null },
  splits: info, note: 'test = val (the stream benchmark is the real test)',
}, null, 2)}\n`);
await hardModel?.engine.close();
console.log(JSON.stringify({ counts: { ...counts, ...counts2 }, splits: info }));
