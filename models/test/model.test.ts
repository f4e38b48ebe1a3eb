import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_LABELS, type ModelMetadata } from '@helen/schemas';
import { featureDim, prepareModelInput, windowsFromFrames } from '@helen/features';
import { generateRecording } from '@helen/synthetic-signer';
import { DEFAULT_GOLDEN_PATH, DEFAULT_METADATA_PATH, DEFAULT_MODEL_DIR, DEFAULT_MODEL_PATH, checkMetadataAgainstSession, createSession, loadModelMetadata, runBatch, sha256File, type Session } from '@helen/model-runtime';
import { checkGolden, evaluateWindows, readGolden, syntheticWindows } from '../src/index';
import { NO_SIGN } from '../src/evaluate';

/** Never used for training data: the default model's recordings came from seed 1 (see its provenance). */
const FRESH_SEED = 20_240_611;

let session: Session;
let meta: ModelMetadata;
let tmp: string;
beforeAll(async () => {
  meta = await loadModelMetadata(DEFAULT_MODEL_PATH);
  session = await createSession(DEFAULT_MODEL_PATH);
  tmp = await mkdtemp(join(tmpdir(), 'helen-model-'));
});
afterAll(async () => {
  await session?.release();
  await rm(tmp, { recursive: true, force: true });
});

describe('default model files', () => {
  it('live at the exported paths', () => {
    expect(DEFAULT_MODEL_PATH).toBe(join(DEFAULT_MODEL_DIR, 'model.onnx'));
    expect(DEFAULT_METADATA_PATH).toBe(join(DEFAULT_MODEL_DIR, 'metadata.json'));
    expect(DEFAULT_MODEL_DIR.endsWith(join('models', 'helen-bigru'))).toBe(true);
  });

  it('have metadata that matches the contract and the ONNX session', async () => {
    expect(meta.class_labels).toEqual([...CLASS_LABELS]);
    expect(meta.feature_dim).toBe(featureDim(meta.use_z));
    expect(meta.model_id).toBe(`${meta.name}@${(await sha256File(DEFAULT_MODEL_PATH)).slice(0, 12)}`);
    // The "no sign" output (train.py --no-sign-class): 23 outputs inside, the 22 signs' share out.
    expect(meta.output.kind).toBe('probabilities');
    expect(meta.architecture).toMatchObject({ num_classes: meta.num_classes + 1, no_sign_output: true });
    expect(session.inputNames).toEqual([meta.input.name]);
    expect(session.outputNames).toEqual([meta.output.name]);
    expect(() => checkMetadataAgainstSession(meta, session)).not.toThrow();
  });

  it('runs partial windows (T < seq_len) and batches', async () => {
    const F = meta.feature_dim;
    const out = await runBatch(session, new Float32Array(3 * 15 * F).fill(0.5), 3, 15, F);
    expect(out).toHaveLength(3 * meta.num_classes);
    expect(Array.from(out.subarray(0, meta.num_classes))).toEqual(Array.from(out.subarray(meta.num_classes, 2 * meta.num_classes)));
  });
});

describe('metadata checks catch drift', () => {
  const variant = async (edit: (m: Record<string, unknown>) => void): Promise<string> => {
    const d = await mkdtemp(join(tmp, 'v-'));
    await copyFile(DEFAULT_MODEL_PATH, join(d, 'model.onnx'));
    const m = JSON.parse(await readFile(DEFAULT_METADATA_PATH, 'utf8')) as Record<string, unknown>;
    edit(m);
    await writeFile(join(d, 'metadata.json'), JSON.stringify(m));
    return join(d, 'model.onnx');
  };

  it('refuses metadata of another ONNX file (sha256)', async () => {
    const p = await variant((m) => { m.sha256 = 'a'.repeat(64); m.model_id = `x@${'a'.repeat(12)}`; });
    await expect(loadModelMetadata(p)).rejects.toThrow(/sha256 aaaaaaaaaaaa\.\.\. is not the ONNX file's/);
  });

  it('refuses metadata that breaks the schema, naming the field', async () => {
    const p = await variant((m) => { delete m.seq_len; });
    await expect(loadModelMetadata(p)).rejects.toThrow(/metadata\.json: .*seq_len/);
  });

  it('names an input, output or dimension the session does not have', () => {
    const bad = (patch: Partial<ModelMetadata>) => () => checkMetadataAgainstSession({ ...meta, ...patch }, session);
    expect(bad({ input: { ...meta.input, name: 'x' } })).toThrow(/input: metadata names "x"/);
    expect(bad({ output: { ...meta.output, name: 'probs' } })).toThrow(/output: metadata names "probs"/);
    expect(bad({ feature_dim: 126 })).toThrow(/last dim 84, metadata feature_dim 126/);
    expect(bad({ num_classes: 21 })).toThrow(/metadata num_classes 21/);
  });
});

describe('default model numbers', () => {
  it('reproduces PyTorch on every golden vector within 1e-4 (onnxruntime-node)', async () => {
    const golden = await readGolden(DEFAULT_GOLDEN_PATH);
    expect(golden.sha256).toBe(meta.sha256);
    expect(golden.tolerance).toBeLessThanOrEqual(1e-4);
    expect(new Set(golden.cases.map((c) => c.kind))).toEqual(new Set(['random', 'real']));
    expect(golden.cases.some((c) => c.kind === 'real' && c.shape[1] < meta.seq_len)).toBe(true);
    const results = await checkGolden(DEFAULT_MODEL_PATH, golden, 1e-4);
    for (const r of results) expect(r.maxAbsDiff, r.name).toBeLessThanOrEqual(1e-4);
    // The real sign windows are predicted as the class they were recorded as; a real "no sign"
    // window (idle / none recording, dataset target -1) gets no confident class at all.
    for (const c of golden.cases.filter((x) => x.kind === 'real')) {
      const top = Math.max(...c.expected);
      const best = c.expected.indexOf(top);
      if (c.label === 'idle' || c.label === 'none') {
        const topP = 1 / c.expected.reduce((a, x) => a + Math.exp(x - top), 0);
        expect(topP, c.name).toBeLessThan(0.5);
      } else {
        expect(meta.class_labels[best], c.name).toBe(c.label);
      }
    }
  });

  it('classifies fresh synthetic windows (a seed never used in training) at >= 97%', async () => {
    type Source = { seed?: number; inputs?: { manifest: { seed?: number } | null }[]; kind?: string; streams?: number; seed_base?: number };
    type Training = { dataset_source?: Source; previous?: Training | null };
    // Every run of the training chain: one recordings folder (its manifest), several (sign + idle
    // recordings), or synthetic streams (train seeds 200,001 + seed_base onwards, edge-publisher/bench/stream):
    // no seed is the fresh one.
    const seeds: number[] = [];
    const streamRanges: [number, number][] = [];
    for (let t = (meta.provenance as { training?: Training } | undefined)?.training; t; t = t.previous ?? undefined) {
      const source = t.dataset_source;
      if (source?.kind === 'streams') streamRanges.push([200_001 + (source.seed_base ?? 0), 200_001 + (source.seed_base ?? 0) + (source.streams ?? 0) - 1]);
      seeds.push(...[source?.seed, ...(source?.inputs ?? []).map((i) => i.manifest?.seed)].filter((x): x is number => x !== undefined));
    }
    expect(seeds.length + streamRanges.length).toBeGreaterThan(0);
    expect(seeds).not.toContain(FRESH_SEED);
    for (const [first, last] of streamRanges) expect(FRESH_SEED < first || FRESH_SEED > last).toBe(true);
    const windows = syntheticWindows({ seed: FRESH_SEED, perClass: 12, seqLen: meta.seq_len, useZ: meta.use_z });
    expect(windows.count).toBe(22 * 12 * 2);
    const full = await evaluateWindows(DEFAULT_MODEL_PATH, windows, meta.class_labels);
    expect(full.accuracy).toBeGreaterThanOrEqual(0.97);
    // Partial windows (what the edge sends while its window fills) work too.
    const partial = await evaluateWindows(DEFAULT_MODEL_PATH, windows, meta.class_labels, 15);
    expect(partial.accuracy).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('counts a window the model calls "no sign" as a miss of its label', async () => {
    // Resting hands, labelled as if they were `5`: the model should give them to "no sign".
    const X: Float32Array[] = [];
    for (let n = 0; n < 8; n++) {
      const frames = generateRecording({ seed: FRESH_SEED + n, label: 'idle', frames: meta.seq_len + 10 });
      for (const w of windowsFromFrames(frames, { useZ: meta.use_z, seqLen: meta.seq_len, stride: 10 })) X.push(prepareModelInput(w, meta.seq_len).data);
    }
    const data = new Float32Array(X.length * meta.seq_len * meta.feature_dim);
    X.forEach((x, i) => data.set(x, i * meta.seq_len * meta.feature_dim));
    const five = CLASS_LABELS.indexOf('5');
    const e = await evaluateWindows(DEFAULT_MODEL_PATH, { X: data, y: new Int32Array(X.length).fill(five), count: X.length, seqLen: meta.seq_len, featureDim: meta.feature_dim }, meta.class_labels);
    const toNoSign = e.confusions.find((c) => c.expected === '5' && c.predicted === NO_SIGN)?.count ?? 0;
    expect(toNoSign).toBeGreaterThanOrEqual(Math.ceil(0.9 * X.length));
    expect(e.accuracy).toBeLessThanOrEqual(0.1);
  });

  it('leaves "no sign" windows (target -1) out of the accuracy and reports their top probability', async () => {
    const w = syntheticWindows({ seed: FRESH_SEED, perClass: 1, seqLen: meta.seq_len, useZ: meta.use_z });
    const all = await evaluateWindows(DEFAULT_MODEL_PATH, w, meta.class_labels);
    const y = Int32Array.from(w.y);
    y[0] = -1;
    y[1] = -1;
    const some = await evaluateWindows(DEFAULT_MODEL_PATH, { ...w, y }, meta.class_labels);
    expect(some.windows).toBe(w.count - 2);
    expect(some.outliers?.windows).toBe(2);
    expect(some.outliers?.meanTopP).toBeGreaterThan(1 / 22);
    expect(some.outliers?.meanTopP).toBeLessThanOrEqual(1);
    expect(all.outliers).toBeUndefined();
    expect(some.perClass.reduce((a, p) => a + p.windows, 0)).toBe(w.count - 2);
  }, 60_000);
});

describe('committed model files', () => {
  it('record no absolute path of the machine they were built on (provenance paths are repository-relative)', async () => {
    const absolute: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (typeof value === 'string' && (value.startsWith('/') || /^[A-Za-z]:\\/.test(value))) absolute.push(`${path} = ${value}`);
      else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(JSON.parse(await readFile(DEFAULT_METADATA_PATH, 'utf8')), 'metadata');
    expect(absolute).toEqual([]);
  });
});
