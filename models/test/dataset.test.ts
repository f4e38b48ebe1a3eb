import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_LABELS } from '@helen/schemas';
import { prepareModelInput, windowsFromFrames } from '@helen/features';
import { buildDataset, generateRecordingSet, readDataset, splitByRecording, SPLITS, type DatasetMeta } from '../src/index';
import { generateRecording, readRecording, RecordingError, writeRecording } from '@helen/synthetic-signer';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'helen-models-ds-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('recordings on disk', () => {
  it('round-trips frames through JSON Lines', async () => {
    const frames = generateRecording({ seed: 4, label: 'Foco', frames: 12, startTs: 1_000 });
    const path = join(dir, 'rt', 'Foco', 'a.jsonl');
    await writeRecording(path, frames);
    expect(await readRecording(path)).toEqual(frames);
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(12);
  });

  it('rejects a malformed line with file:line and the reason, never skipping it', async () => {
    const frames = generateRecording({ seed: 4, label: '1', frames: 4 });
    const lines = frames.map((f) => JSON.stringify(f));
    const notJson = join(dir, 'bad-json.jsonl');
    await writeFile(notJson, [lines[0], lines[1], '{"ts": 1, "hands": [', lines[3]].join('\n'));
    await expect(readRecording(notJson)).rejects.toThrow(new RegExp(`^${notJson}:3: not JSON`));

    const bad = structuredClone(frames[1]);
    bad?.hands[0]?.landmarks.pop();
    const badShape = join(dir, 'bad-shape.jsonl');
    await writeFile(badShape, [lines[0], JSON.stringify(bad), lines[2]].join('\n'));
    const err = await readRecording(badShape).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordingError);
    expect((err as RecordingError).line).toBe(2);
    expect((err as Error).message).toMatch(new RegExp(`^${badShape}:2: /hands/0/landmarks must NOT have fewer than 21 items`));
  });

  it('stops the dataset build on a malformed line, naming it', async () => {
    const inDir = join(dir, 'with-bad');
    await generateRecordingSet({ outDir: inDir, seed: 3, perClass: 1, frames: 32, labels: ['1', '2'] });
    const victim = join(inDir, '2', '2_s3_0.jsonl');
    const lines = (await readFile(victim, 'utf8')).trim().split('\n');
    lines[6] = lines[6]?.replace('"ts":', '"ts":"x","was":') ?? '';
    await writeFile(victim, lines.join('\n') + '\n');
    await expect(buildDataset({ inDir, outDir: join(dir, 'with-bad-out') })).rejects.toThrow(`${victim}:7: `);
  });

  it('refuses a recording whose label is not a class nor idle/none', async () => {
    const inDir = join(dir, 'wave-in');
    const frames = generateRecording({ seed: 1, label: '5', frames: 31 }).map((f) => ({ ...f, label: 'wave' }));
    await writeRecording(join(inDir, 'x', 'wave.jsonl'), frames);
    await expect(buildDataset({ inDir, outDir: join(dir, 'wave-out') })).rejects.toThrow(/wave\.jsonl:1: label "wave" is not one of the model's classes/);
  });
});

describe('dataset builder', () => {
  let meta: DatasetMeta;
  let inDir: string;
  let outDir: string;
  beforeAll(async () => {
    inDir = join(dir, 'rec');
    outDir = join(dir, 'ds');
    await generateRecordingSet({ outDir: inDir, seed: 21, perClass: 7, frames: 44 });
    meta = await buildDataset({ inDir, outDir, stride: 7, splitSeed: 5 });
  });

  it('never puts windows of one recording in two splits', async () => {
    const { splits } = await readDataset(outDir);
    const seen = new Map<number, string>();
    for (const s of SPLITS) {
      for (const r of splits[s].recording) {
        expect(seen.get(r) ?? s, `recording ${r}`).toBe(s);
        seen.set(r, s);
        expect(meta.recordings[r]?.split).toBe(s);
      }
    }
    // Every recording made windows, and each split holds every class.
    expect(seen.size).toBe(22 * 7);
    for (const s of SPLITS) for (const c of CLASS_LABELS) expect(meta.splits[s].per_class[c]).toBeGreaterThan(0);
  });

  it('stores the feature pipeline output of each recording, labelled by its class', async () => {
    const { splits } = await readDataset(outDir);
    const s = splits.val;
    const k = 3;
    const rec = meta.recordings[s.recording[k] as number];
    expect(rec).toBeDefined();
    const frames = await readRecording(join(inDir, rec?.file ?? ''));
    const expected = windowsFromFrames(frames, { useZ: false, seqLen: 30, stride: 7 }).map((w) => prepareModelInput(w, 30).data);
    const firstOfRec = s.recording.indexOf(s.recording[k] as number);
    const T = meta.seq_len * meta.feature_dim;
    expect(Array.from(s.X.subarray(k * T, (k + 1) * T))).toEqual(Array.from(expected[k - firstOfRec] ?? []));
    expect(CLASS_LABELS[s.y[k] as number]).toBe(rec?.label);
    // 44 frames, windows end at frames 30, 37 and 44.
    expect(rec?.windows).toBe(3);
    expect(meta.splits.train.windows + meta.splits.val.windows + meta.splits.test.windows).toBe(22 * 7 * 3);
  });

  it('records shapes, seeds and the generator manifest in meta.json', () => {
    expect(meta).toMatchObject({ feature_dim: 84, seq_len: 30, use_z: false, stride: 7, split_seed: 5 });
    expect(meta.class_labels).toEqual([...CLASS_LABELS]);
    expect(meta.source).toMatchObject({ seed: 21, per_class: 7, frames: 44 });
  });

  it('builds use_z datasets with 126 features', async () => {
    const small = join(dir, 'recz');
    await generateRecordingSet({ outDir: small, seed: 2, perClass: 3, frames: 30, labels: ['5'] });
    const m = await buildDataset({ inDir: small, outDir: join(dir, 'dsz'), useZ: true });
    expect(m.feature_dim).toBe(126);
    const { splits } = await readDataset(join(dir, 'dsz'));
    expect(splits.train.X.length).toBe(splits.train.count * 30 * 126);
  });

  it('reads a dataset without recording ids (a stream dataset) with every window in no recording', async () => {
    const copy = join(dir, 'ds-streamlike');
    await mkdir(copy, { recursive: true });
    for (const name of ['meta.json', ...SPLITS.flatMap((s) => [`X_${s}.f32`, `y_${s}.i32`])]) await writeFile(join(copy, name), await readFile(join(outDir, name)));
    const { splits } = await readDataset(copy);
    const original = await readDataset(outDir);
    for (const s of SPLITS) {
      expect(splits[s].y).toEqual(original.splits[s].y);
      expect(splits[s].recording).toEqual(new Int32Array(splits[s].count).fill(-1));
    }
  });

  it('lays out the class folder of a set as <out>/<label>/*.jsonl', async () => {
    await mkdir(join(dir, 'empty'), { recursive: true });
    await expect(buildDataset({ inDir: join(dir, 'empty'), outDir: join(dir, 'empty-out') })).rejects.toThrow(/no \.jsonl recordings/);
  });
});

describe('"no sign" recordings (outlier exposure)', () => {
  it('builds idle/none recordings as target -1 windows, split by recording, from several input folders', async () => {
    const signs = join(dir, 'oe-signs');
    const idle = join(dir, 'oe-idle');
    const outDir = join(dir, 'oe-ds');
    await generateRecordingSet({ outDir: signs, seed: 4, perClass: 4, frames: 40, labels: ['1', '5'] });
    const m = await generateRecordingSet({ outDir: idle, seed: 9, perClass: 10, frames: 40, labels: ['idle', 'none'], handScale: [0.1, 0.3] });
    expect(m).toMatchObject({ labels: ['idle', 'none'], recordings: 20, hand_scale: [0.1, 0.3] });
    const meta = await buildDataset({ inDir: [signs, idle], outDir, stride: 10, splitSeed: 3 });
    expect(meta.outlier_labels).toEqual(['idle', 'none']);
    expect(meta.outlier_target).toBe(-1);
    expect(meta.class_labels).toEqual([...CLASS_LABELS]);
    expect(meta.recordings.filter((r) => r.label === 'idle')).toHaveLength(10);
    expect(meta.recordings[0]?.file).toMatch(/^oe-signs\//);
    expect(meta.source).toMatchObject({ inputs: [{ dir: 'oe-signs', manifest: { seed: 4 } }, { dir: 'oe-idle', manifest: { seed: 9 } }] });
    const { splits } = await readDataset(outDir);
    const seen = new Map<number, string>();
    let outliers = 0;
    for (const s of SPLITS) {
      // Each label, idle and none included, has recordings in every split.
      for (const l of ['1', '5', 'idle', 'none']) expect(meta.splits[s].per_class[l], `${s} ${l}`).toBeGreaterThan(0);
      splits[s].y.forEach((y, k) => {
        const r = splits[s].recording[k] as number;
        const rec = meta.recordings[r];
        expect(seen.get(r) ?? s).toBe(s);
        seen.set(r, s);
        expect(rec?.split).toBe(s);
        if (rec?.label === 'idle' || rec?.label === 'none') { expect(y).toBe(-1); outliers++; } else expect(CLASS_LABELS[y]).toBe(rec?.label);
      });
    }
    expect(outliers).toBe(20 * 2);
  });

  it('leaves a signs-only dataset as before (no outlier fields, same split)', async () => {
    const signs = join(dir, 'oe-signs');
    const a = await buildDataset({ inDir: signs, outDir: join(dir, 'oe-a'), stride: 10, splitSeed: 3 });
    const b = await buildDataset({ inDir: [signs, join(dir, 'oe-idle')], outDir: join(dir, 'oe-b'), stride: 10, splitSeed: 3 });
    expect(a.outlier_labels).toBeUndefined();
    // Adding idle recordings does not move any sign recording to another split.
    expect(b.recordings.filter((r) => r.label !== 'idle' && r.label !== 'none').map((r) => r.split)).toEqual(a.recordings.map((r) => r.split));
  });
});

describe('splitByRecording', () => {
  it('is stratified, reproducible and puts each item in exactly one split', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ id: i, cls: `c${i % 6}` }));
    const a = splitByRecording(items, (x) => x.cls, 9);
    expect(splitByRecording(items, (x) => x.cls, 9)).toEqual(a);
    expect(splitByRecording(items, (x) => x.cls, 10)).not.toEqual(a);
    for (let c = 0; c < 6; c++) {
      const mine = a.filter((_, i) => i % 6 === c);
      expect(mine.filter((s) => s === 'test')).toHaveLength(8);
      expect(mine.filter((s) => s === 'val')).toHaveLength(8);
      expect(mine.filter((s) => s === 'train')).toHaveLength(34);
    }
  });

  it('gives a class with three recordings one in each split', () => {
    const s = splitByRecording(['a', 'b', 'c'], () => 'x', 1);
    expect([...s].sort()).toEqual(['test', 'train', 'val']);
  });
});
