import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CLASS_LABELS, type LandmarkFrame } from '@helen/schemas';
import { generateRecording } from '@helen/synthetic-signer';
import { main } from '../src/cli';
import { buildDataset } from '../src/dataset/build';
import { formatReport, reportRecordings } from '../src/report';

const root = mkdtempSync(join(tmpdir(), 'helen-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const hand = (x: number) => ({ handedness: 'Right' as const, score: 0.9, landmarks: Array.from({ length: 21 }, (_, i) => [x + i * 0.004, 0.5 + i * 0.003, 0]) });

/** A take of `frames` frames of which the first `one` have one hand and the next `two` two hands; the rest none. */
function take(dir: string, signer: string, label: string, n: number, frames: number, one: number, two = 0): void {
  const lines = Array.from({ length: frames }, (_, i): LandmarkFrame => ({
    ts: 1000 + i * 33, label, source: 'camera',
    hands: i < one ? [hand(0.4)] : i < one + two ? [hand(0.3), hand(0.6)] : [],
  }));
  mkdirSync(join(dir, signer, label), { recursive: true });
  writeFileSync(join(dir, signer, label, `${signer}-${label}-${n}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

describe('helen models report', () => {
  const dir = join(root, 'household');
  take(dir, 'ana', 'Inicio', 1, 10, 10);
  take(dir, 'ana', 'Inicio', 2, 10, 3); // hand in 30%: flagged
  take(dir, 'ana', 'Agregar', 1, 20, 4, 12);
  take(dir, 'ben', 'Inicio', 1, 10, 6, 2);
  take(dir, 'ben', 'idle', 1, 10, 10);

  it('counts takes, frames, hand and two-hand share per class and signer', async () => {
    const r = await reportRecordings(dir);
    expect(r.takes).toBe(5);
    expect(r.frames).toBe(60);
    expect(r.signers).toEqual(['ana', 'ben']);
    // Model class order (Inicio before Agregar), then the "no sign" labels; signers sorted.
    expect(r.rows.map((w) => [w.label, w.signer, w.takes, w.frames, w.handPct, w.twoHandPct])).toEqual([
      ['Inicio', 'ana', 2, 20, 65, 0],
      ['Inicio', 'ben', 1, 10, 80, 20],
      ['Agregar', 'ana', 1, 20, 80, 60],
      ['idle', 'ben', 1, 10, 100, 0],
    ]);
    expect(r.missing).toEqual(CLASS_LABELS.filter((c) => c !== 'Inicio' && c !== 'Agregar'));
    expect(r.missingBySigner.ben).toContain('Agregar');
    expect(r.missingBySigner.ana).not.toContain('Agregar');
    expect(r.lowHandTakes.map((t) => [t.file, t.handPct])).toEqual([[join('ana', 'Inicio', 'ana-Inicio-2.jsonl'), 30]]);
    const text = formatReport(r);
    expect(text).toContain('| Inicio | ana | 2 | 20 | 65.0 | 0.0 |');
    expect(text).toMatch(/missing classes \(no take by anyone\): 0, 1, 2/);
    expect(text).toMatch(/ben has no take of: .*Agregar/);
    expect(text).toContain('ana-Inicio-2.jsonl (30%)');
  });

  it('prints the same figures as JSON with --json, and reads a single signer folder', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['report', '--in', dir, '--json'])).toBe(0);
    const json = JSON.parse(out.mock.calls.map((c) => String(c[0])).join('')) as { takes: number; rows: unknown[] };
    expect(json.takes).toBe(5);
    expect(json.rows).toHaveLength(4);
    const one = await reportRecordings(join(dir, 'ana'));
    expect(one.signers).toEqual(['ana']);
    expect(one.takes).toBe(3);
  });
});

describe('the guided recorder\'s layout (<dir>/<signer>/<label>/<signer>-<label>-<take>.jsonl)', () => {
  it('is what `helen models dataset --in <dir>` reads, labels and split by take', async () => {
    const dir = join(root, 'guided');
    for (const signer of ['ana', 'ben']) {
      for (const label of ['4', '5'] as const) {
        for (let n = 1; n <= 3; n++) {
          const frames = generateRecording({ seed: n * 10 + Number(label), label, frames: 40 });
          mkdirSync(join(dir, signer, label), { recursive: true });
          writeFileSync(join(dir, signer, label, `${signer}-${label}-${n}.jsonl`), frames.map((f) => JSON.stringify(f)).join('\n'));
        }
      }
    }
    const meta = await buildDataset({ inDir: dir, outDir: join(root, 'guided-ds'), stride: 10 });
    expect(meta.recordings).toHaveLength(12);
    expect(meta.recordings[0]?.file).toBe(join('ana', '4', 'ana-4-1.jsonl'));
    expect(new Set(meta.recordings.map((r) => r.label))).toEqual(new Set(['4', '5']));
    // 6 takes per class: at least one whole take of each class held out for testing.
    for (const label of ['4', '5']) expect(meta.recordings.filter((r) => r.label === label && r.split === 'test').length).toBeGreaterThanOrEqual(1);
  });
});
