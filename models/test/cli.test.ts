import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli';

let dir: string;
let out: string[];
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'helen-models-cli-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function capture() {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out.push(String(chunk)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { out.push(String(chunk)); return true; });
}

describe('helen models CLI', () => {
  it('lists its commands on --help and refuses an unknown one', async () => {
    capture();
    expect(await main(['--help'])).toBe(0);
    expect(out.join('')).toMatch(/generate[\s\S]*dataset[\s\S]*verify[\s\S]*evaluate/);
    expect(await main(['nope'])).toBe(2);
    vi.restoreAllMocks();
  });

  it('generates recordings and builds a dataset from them', async () => {
    capture();
    expect(await main(['generate', '--out', join(dir, 'rec'), '--seed', '8', '--per-class', '3', '--frames', '31'])).toBe(0);
    expect(await main(['dataset', '--in', join(dir, 'rec'), '--out', join(dir, 'ds'), '--stride', '1'])).toBe(0);
    vi.restoreAllMocks();
    expect((await readdir(join(dir, 'rec'))).length).toBe(23);
    const meta = JSON.parse(await readFile(join(dir, 'ds', 'meta.json'), 'utf8')) as { splits: Record<'train' | 'val' | 'test', { windows: number }> };
    expect(meta.splits.train.windows + meta.splits.val.windows + meta.splits.test.windows).toBe(22 * 3 * 2);
  });

  it('generates idle recordings at a chosen hand scale and combines folders into one dataset', async () => {
    capture();
    expect(await main(['generate', '--out', join(dir, 'idle'), '--seed', '9', '--per-class', '3', '--frames', '31', '--labels', 'idle', '--hand-scale', '0.1-0.3'])).toBe(0);
    expect(await main(['dataset', '--in', `${join(dir, 'rec')},${join(dir, 'idle')}`, '--out', join(dir, 'ds-oe'), '--stride', '1'])).toBe(0);
    vi.restoreAllMocks();
    expect(await readdir(join(dir, 'idle'))).toEqual(['idle', 'manifest.json']);
    const meta = JSON.parse(await readFile(join(dir, 'ds-oe', 'meta.json'), 'utf8')) as { outlier_labels: string[]; splits: Record<'train' | 'val' | 'test', { windows: number }> };
    expect(meta.outlier_labels).toEqual(['idle']);
    expect(meta.splits.train.windows + meta.splits.val.windows + meta.splits.test.windows).toBe(22 * 3 * 2 + 3 * 2);
    await expect(main(['generate', '--out', dir, '--seed', '1', '--per-class', '1', '--labels', 'wave'])).rejects.toThrow('--labels: "wave" is not a class, idle or none');
    await expect(main(['generate', '--out', dir, '--seed', '1', '--per-class', '1', '--hand-scale', '0.3-0.1'])).rejects.toThrow('--hand-scale must be MIN-MAX');
  });

  it('rejects a bad option value with a clear message', async () => {
    await expect(main(['generate', '--out', dir, '--seed', 'x', '--per-class', '1'])).rejects.toThrow('--seed must be an integer (got "x")');
    await expect(main(['generate', '--out', dir, '--per-class', '1'])).rejects.toThrow('--seed is required');
  });

  it('verifies the default model (metadata and golden parity)', async () => {
    capture();
    const code = await main(['verify']);
    vi.restoreAllMocks();
    expect(out.join('')).toMatch(/metadata ok; (\d+)\/\1 golden cases within 0\.0001/);
    expect(code).toBe(0);
  });
});
