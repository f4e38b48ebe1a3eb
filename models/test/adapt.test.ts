import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { checkGolden, readGolden } from '../src/golden';
import { loadModelMetadata } from '@helen/model-runtime';
import { generateRecording } from '@helen/synthetic-signer';
import { main } from '../src/cli';
import { buildDataset, readDataset } from '../src/dataset/build';
import { generateRecordingSet } from '../src/dataset/recording-set';
import { provenancePath } from '../src/adapt/adapt';
import { mergeDatasets } from '../src/adapt/merge';

const PYTHON = '/usr/bin/python3';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) console.warn('helen models adapt end-to-end test skipped: /usr/bin/python3 lacks torch or onnx');

const root = mkdtempSync(join(tmpdir(), 'helen-adapt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Takes in the guided recorder's layout: <dir>/<signer>/<label>/<signer>-<label>-<n>.jsonl. */
function userTakes(dir: string, signer: string, labels: readonly ('4' | '5')[], takes: number, frames: number): void {
  for (const label of labels) {
    for (let n = 1; n <= takes; n++) {
      const rec = generateRecording({ seed: 7000 + 10 * n + Number(label), label, frames, handScale: [0.2, 0.3] });
      mkdirSync(join(dir, signer, label), { recursive: true });
      writeFileSync(join(dir, signer, label, `${signer}-${label}-${n}.jsonl`), rec.map((f) => JSON.stringify(f)).join('\n') + '\n');
    }
  }
}

describe('provenance paths', () => {
  it('keeps relative paths as given, makes repo paths repo-relative and drops the rest of an outside absolute path', () => {
    expect(provenancePath('recordings/household')).toBe(join('recordings', 'household'));
    expect(provenancePath(join(REPO, 'models', 'helen-bigru', 'model.onnx'))).toBe(join('models', 'helen-bigru', 'model.onnx'));
    expect(provenancePath(join(root, 'rec'))).toBe(join('<outside the repository>', 'rec'));
  });
});

describe('merging the user\'s dataset with the synthetic one', () => {
  it('keeps each part\'s splits (a held-out take stays out of training) and repeats the user\'s training windows', async () => {
    userTakes(join(root, 'm-user'), 'ana', ['4', '5'], 4, 40);
    await generateRecordingSet({ outDir: join(root, 'm-syn'), seed: 3, perClass: 3, frames: 40, labels: ['4', '5', '6'] });
    const user = await buildDataset({ inDir: join(root, 'm-user'), outDir: join(root, 'm-user-ds'), stride: 5 });
    const syn = await buildDataset({ inDir: join(root, 'm-syn'), outDir: join(root, 'm-syn-ds'), stride: 10 });
    const merged = await mergeDatasets([{ dir: join(root, 'm-syn-ds'), name: 'synthetic' }, { dir: join(root, 'm-user-ds'), name: 'user', trainRepeat: 3 }],
      join(root, 'm-ds'), { adapt: { test: true } });
    expect(merged.splits.train.windows).toBe(syn.splits.train.windows + 3 * user.splits.train.windows);
    expect(merged.splits.test.windows).toBe(syn.splits.test.windows + user.splits.test.windows);
    const back = await readDataset(join(root, 'm-ds'));
    const files = (split: 'train' | 'test') => new Set([...back.splits[split].recording].map((r) => back.meta.recordings[r]?.file));
    const userTest = [...files('test')].filter((f) => f?.startsWith('user'));
    expect(userTest.length).toBeGreaterThan(0);
    for (const f of userTest) expect(files('train').has(f)).toBe(false);
    expect(back.meta.recordings.every((r) => r.file.startsWith('user') || r.file.startsWith('synthetic'))).toBe(true);
  });
});

describe.skipIf(!hasTorch)('helen models adapt (end to end, tiny)', () => {
  it('fine-tunes from the committed ONNX model, exports a verified model and prints before/after accuracy', async () => {
    const cwd = process.cwd();
    process.chdir(root);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const t0 = Date.now();
    try {
      userTakes(join(root, 'household'), 'ana', ['4', '5'], 3, 60);
      expect(await main(['adapt', '--recordings', 'household', '--out', 'adapted', '--synthetic-per-class', '3', '--epochs', '1', '--threads', '1',
        '--python', PYTHON])).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    const seconds = (Date.now() - t0) / 1000;
    const text = out.mock.calls.map((c) => String(c[0])).join('');
    vi.restoreAllMocks();
    expect(seconds, text).toBeLessThan(120);
    const dir = join(root, 'adapted');
    for (const f of ['model.onnx', 'metadata.json', 'golden.json', 'adapt-report.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(existsSync(join(dir, '.adapt-work'))).toBe(false);

    // The exported model is served by onnxruntime-node within the golden tolerance.
    const meta = await loadModelMetadata(join(dir, 'model.onnx'));
    expect(meta.model_id).toMatch(/^helen-bigru-adapted@/);
    const golden = await readGolden(join(dir, 'golden.json'));
    expect((await checkGolden(join(dir, 'model.onnx'), golden, golden.tolerance)).every((r) => r.ok)).toBe(true);

    // Provenance: started from the committed model, user paths as given, no absolute path of this machine.
    const raw = readFileSync(join(dir, 'metadata.json'), 'utf8');
    expect(raw).not.toContain(root);
    expect(raw).not.toContain(REPO);
    expect(raw).not.toContain(relative(REPO, root));
    interface Training {
      args: { init_onnx: string };
      previous: { model_id: string; golden_max_abs_diff: number };
      dataset_source: { adapt: { recordings: string; user_takes: Record<string, number> } };
    }
    const training = (JSON.parse(raw) as { provenance: { training: Training } }).provenance.training;
    expect(training.args.init_onnx).toBe(join('models', 'helen-bigru', 'model.onnx'));
    expect(training.previous.model_id).toMatch(/^helen-bigru@/);
    expect(training.previous.golden_max_abs_diff).toBeLessThanOrEqual(1e-4);
    expect(training.dataset_source.adapt.recordings).toBe('household');
    expect(training.dataset_source.adapt.user_takes).toEqual({ train: 2, val: 2, test: 2 });

    // Before / after on the user's held-out takes and on the synthetic test split.
    expect(text).toMatch(/\| your held-out takes \| \d+ \| \d+\.\d% \| \d+\.\d% \|/);
    expect(text).toMatch(/\| synthetic test split \| \d+ \| \d+\.\d% \| \d+\.\d% \|/);
    expect(text).toContain('HELEN_MODEL_PATHS=');
    const report = JSON.parse(readFileSync(join(dir, 'adapt-report.json'), 'utf8')) as { before: { user: { windows: number } }; after: { synthetic: { accuracy: number } } };
    expect(report.before.user.windows).toBeGreaterThan(0);
    expect(report.after.synthetic.accuracy).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'adapt-report.json'), 'utf8')).not.toContain(root);
  }, 150_000);
});
