/**
 * `helen models <command>`: synthetic recordings, dataset building and model checks.
 * Each command is a thin shell over the library functions the tests call too.
 */
import { dirname, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { generateRecordingSet } from './dataset/recording-set';
import type { StepLabel } from '@helen/synthetic-signer';
import { buildDataset } from './dataset/build';
import { SPLITS, type Split } from './dataset/split';
import { checkGolden, readGolden } from './golden';
import { checkMetadataAgainstSession, createSession, DEFAULT_GOLDEN_PATH, DEFAULT_MODEL_PATH, loadModelMetadata } from '@helen/model-runtime';
import { evaluateDataset, evaluateWindows, formatEvaluation, syntheticWindows } from './evaluate';
import { CLASS_LABELS } from '@helen/schemas';
import { formatReport, reportRecordings } from './report';
import { adaptModel } from './adapt/adapt';

type Command = { summary: string; usage: string; options: NonNullable<ParseArgsConfig['options']>; run(v: Values): Promise<number> };
type Values = Record<string, string | boolean | undefined>;

const int = (v: Values, name: string, fallback?: number): number => {
  const raw = v[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer (got "${String(raw)}")`);
  return n;
};
const str = (v: Values, name: string, fallback?: string): string => {
  const raw = v[name];
  if (typeof raw === 'string' && raw !== '') return raw;
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
};

const commands: Record<string, Command> = {
  generate: {
    summary: 'write synthetic recordings (JSONL landmark frames), one folder per class',
    usage: 'helen models generate --out DIR --seed S --per-class N [--frames 72] [--fps 30] [--labels L1,L2|idle,none] [--hand-scale MIN-MAX]',
    options: {
      out: { type: 'string' }, seed: { type: 'string' }, 'per-class': { type: 'string' }, frames: { type: 'string' }, fps: { type: 'string' },
      labels: { type: 'string' }, 'hand-scale': { type: 'string' },
    },
    async run(v) {
      const t0 = Date.now();
      const labels = v.labels === undefined ? undefined : str(v, 'labels').split(',').map((l) => l.trim());
      for (const l of labels ?? []) {
        if (l !== 'idle' && l !== 'none' && !(CLASS_LABELS as readonly string[]).includes(l)) {
          throw new Error(`--labels: "${l}" is not a class, idle or none`);
        }
      }
      let handScale: [number, number] | undefined;
      if (v['hand-scale'] !== undefined) {
        const parts = str(v, 'hand-scale').split('-').map(Number);
        if (parts.length !== 2 || !(parts[0]! > 0 && parts[1]! >= parts[0]!)) throw new Error(`--hand-scale must be MIN-MAX with 0 < MIN <= MAX (got "${String(v['hand-scale'])}")`);
        handScale = [parts[0]!, parts[1]!];
      }
      const m = await generateRecordingSet({
        outDir: str(v, 'out'), seed: int(v, 'seed'), perClass: int(v, 'per-class'),
        frames: int(v, 'frames', 72), fps: int(v, 'fps', 30),
        ...(labels ? { labels: labels as StepLabel[] } : {}), ...(handScale ? { handScale } : {}),
      });
      process.stdout.write(`wrote ${m.recordings} recordings (${m.frames} frames each, seed ${m.seed}) to ${str(v, 'out')} in ${Date.now() - t0} ms\n`);
      return 0;
    },
  },
  dataset: {
    summary: 'recordings -> feature windows -> train/val/test split by recording (numpy-readable)',
    usage: 'helen models dataset --in DIR[,DIR2...] --out DIR [--seq-len 30] [--use-z] [--stride 4] [--split-seed 1]  (idle/none recordings -> target -1)',
    options: {
      in: { type: 'string' }, out: { type: 'string' }, 'seq-len': { type: 'string' }, 'use-z': { type: 'boolean' },
      stride: { type: 'string' }, 'split-seed': { type: 'string' },
    },
    async run(v) {
      const t0 = Date.now();
      const meta = await buildDataset({
        inDir: str(v, 'in').split(','), outDir: str(v, 'out'), seqLen: int(v, 'seq-len', 30), useZ: v['use-z'] === true,
        stride: int(v, 'stride', 4), splitSeed: int(v, 'split-seed', 1),
      });
      const s = meta.splits;
      process.stdout.write(
        `windows: train ${s.train.windows} (${s.train.recordings} recordings), val ${s.val.windows} (${s.val.recordings}), ` +
        `test ${s.test.windows} (${s.test.recordings}); T=${meta.seq_len} F=${meta.feature_dim}; ${Date.now() - t0} ms -> ${str(v, 'out')}\n`,
      );
      return 0;
    },
  },
  report: {
    summary: 'what a recordings folder holds: takes per class and signer, frames, hand / two-hand %, missing classes, takes with little hand',
    usage: 'helen models report --in DIR [--json]',
    options: { in: { type: 'string' }, json: { type: 'boolean' } },
    async run(v) {
      const r = await reportRecordings(str(v, 'in'));
      process.stdout.write(v.json === true ? JSON.stringify(r, null, 2) + '\n' : formatReport(r) + '\n');
      return 0;
    },
  },
  adapt: {
    summary: 'fine-tune the committed model on your recordings (+ synthetic), export it, print accuracy before/after',
    usage: 'helen models adapt --recordings DIR --out OUTDIR [--synthetic DIR | --synthetic-per-class 20] [--epochs 3] [--threads 2] ' +
      '[--user-weight 5] [--stride 5] [--lr 5e-4] [--seed 1] [--init-onnx models/helen-bigru/model.onnx] [--name helen-bigru-adapted] ' +
      '[--python /usr/bin/python3] [--keep-work]',
    options: {
      recordings: { type: 'string' }, out: { type: 'string' }, synthetic: { type: 'string' }, 'synthetic-per-class': { type: 'string' },
      epochs: { type: 'string' }, threads: { type: 'string' }, 'user-weight': { type: 'string' }, stride: { type: 'string' }, lr: { type: 'string' },
      seed: { type: 'string' }, 'init-onnx': { type: 'string' }, name: { type: 'string' }, python: { type: 'string' }, 'keep-work': { type: 'boolean' },
      'max-minutes': { type: 'string' },
    },
    async run(v) {
      if (v.synthetic !== undefined && v['synthetic-per-class'] !== undefined) throw new Error('--synthetic and --synthetic-per-class are exclusive');
      const positive = (name: string, fallback: number): number => {
        const n = int(v, name, fallback);
        if (n < 1) throw new Error(`--${name} must be >= 1 (got ${n})`);
        return n;
      };
      const lr = v.lr === undefined ? undefined : Number(v.lr);
      if (lr !== undefined && !(lr > 0)) throw new Error(`--lr must be a positive number (got "${String(v.lr)}")`);
      const maxMinutes = v['max-minutes'] === undefined ? undefined : Number(v['max-minutes']);
      if (maxMinutes !== undefined && !(maxMinutes > 0)) throw new Error(`--max-minutes must be a positive number (got "${String(v['max-minutes'])}")`);
      await adaptModel({
        recordings: str(v, 'recordings'), outDir: str(v, 'out'),
        ...(v.synthetic !== undefined ? { synthetic: str(v, 'synthetic') } : { syntheticPerClass: positive('synthetic-per-class', 20) }),
        epochs: positive('epochs', 3), threads: positive('threads', 2), userWeight: positive('user-weight', 5), stride: positive('stride', 5),
        seed: int(v, 'seed', 1), ...(lr !== undefined ? { lr } : {}), ...(maxMinutes !== undefined ? { maxMinutes } : {}),
        ...(v['init-onnx'] !== undefined ? { initOnnx: str(v, 'init-onnx') } : {}), ...(v.name !== undefined ? { name: str(v, 'name') } : {}),
        ...(v.python !== undefined ? { python: str(v, 'python') } : {}), keepWork: v['keep-work'] === true,
      });
      return 0;
    },
  },
  verify: {
    summary: 'check an ONNX model: metadata (schema, sha256, session shapes) and golden-vector parity (max abs diff)',
    usage: 'helen models verify [--model models/helen-bigru/model.onnx] [--golden <model dir>/golden.json] [--tolerance 1e-4]',
    options: { model: { type: 'string' }, golden: { type: 'string' }, tolerance: { type: 'string' } },
    async run(v) {
      const model = str(v, 'model', DEFAULT_MODEL_PATH);
      const goldenPath = str(v, 'golden', v.model === undefined ? DEFAULT_GOLDEN_PATH : join(dirname(model), 'golden.json'));
      const meta = await loadModelMetadata(model);
      const session = await createSession(model);
      try {
        checkMetadataAgainstSession(meta, session);
      } finally {
        await session.release();
      }
      const golden = await readGolden(goldenPath);
      if (golden.sha256 !== meta.sha256) throw new Error(`${goldenPath} was made for ${golden.model_id}, not ${meta.model_id}`);
      const tolerance = v.tolerance === undefined ? golden.tolerance : Number(v.tolerance);
      const results = await checkGolden(model, golden, tolerance);
      for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} [${r.shape.join('x')}] max abs diff ${r.maxAbsDiff.toExponential(2)}\n`);
      const worst = Math.max(...results.map((r) => r.maxAbsDiff));
      const failed = results.filter((r) => !r.ok).length;
      process.stdout.write(`${meta.model_id}: metadata ok; ${results.length - failed}/${results.length} golden cases within ${tolerance} (worst ${worst.toExponential(2)}) vs ${golden.reference}\n`);
      return failed === 0 ? 0 : 1;
    },
  },
  evaluate: {
    summary: 'accuracy through onnxruntime-node: a dataset split, or fresh synthetic windows (--fresh-seed)',
    usage: 'helen models evaluate [--model PATH] (--data DIR [--split test] | --fresh-seed S [--per-class 20]) [--time T] [--batch 256]',
    options: {
      model: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, 'fresh-seed': { type: 'string' },
      'per-class': { type: 'string' }, time: { type: 'string' }, batch: { type: 'string' },
    },
    async run(v) {
      const model = str(v, 'model', DEFAULT_MODEL_PATH);
      const meta = await loadModelMetadata(model);
      const time = v.time === undefined ? undefined : int(v, 'time');
      const batch = int(v, 'batch', 256);
      if (v['fresh-seed'] !== undefined) {
        const w = syntheticWindows({ seed: int(v, 'fresh-seed'), perClass: int(v, 'per-class', 20), seqLen: meta.seq_len, useZ: meta.use_z });
        const e = await evaluateWindows(model, w, CLASS_LABELS, time ?? meta.seq_len, batch);
        process.stdout.write(formatEvaluation(e, `${meta.model_id} on fresh synthetic windows (seed ${String(v['fresh-seed'])})`) + '\n');
        return 0;
      }
      const split = str(v, 'split', 'test');
      if (!(SPLITS as readonly string[]).includes(split)) throw new Error(`--split must be one of ${SPLITS.join(', ')}`);
      const e = await evaluateDataset(model, str(v, 'data'), split as Split, time, batch);
      process.stdout.write(formatEvaluation(e, `${meta.model_id} on ${str(v, 'data')} (${split})`) + '\n');
      return 0;
    },
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage}`);
  return `usage: helen models <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(help());
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`helen models: unknown command "${name}"\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.usage}\n  ${cmd.summary}\n`);
    return 0;
  }
  const { values } = parseArgs({ args: rest, options: cmd.options, strict: true, allowPositionals: false });
  return cmd.run(values as Values);
}
