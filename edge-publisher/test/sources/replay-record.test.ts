import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecording } from '@helen/synthetic-signer';
import { validateLandmarkFrame, type LandmarkFrame } from '@helen/schemas';
import { checkRecordLabel, record } from '../../src/record';
import { ReplaySource } from '../../src/sources/replay';
import { SyntheticSource } from '../../src/sources/synthetic';
import { silent } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'helen-edge-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function frame(ts: number): LandmarkFrame {
  return { ts, hands: [{ handedness: 'Right', score: 0.9, landmarks: Array.from({ length: 21 }, (_, i) => [0.5 + i * 0.005, 0.5 + i * 0.004, 0]) }] };
}

describe('replay source', () => {
  it('replays at the recorded timing, re-stamped from now', async () => {
    const file = join(dir, 'ok.jsonl');
    writeFileSync(file, [0, 100, 200, 300].map((t) => JSON.stringify(frame(1000 + t))).join('\n') + '\n');
    const src = new ReplaySource({ file, timing: 'recorded' });
    const got: LandmarkFrame[] = [];
    const t0 = Date.now();
    await src.start((f) => got.push(f));
    await src.finished;
    const elapsed = Date.now() - t0;
    expect(got).toHaveLength(4);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
    expect((got[3] as LandmarkFrame).ts - (got[0] as LandmarkFrame).ts).toBe(300);
    expect((got[0] as LandmarkFrame).ts).toBeGreaterThanOrEqual(t0 - 5);
  });

  it('replays as fast as possible with the recorded stamps', async () => {
    const file = join(dir, 'fast.jsonl');
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => JSON.stringify(frame(i * 33))).join('\n'));
    const src = new ReplaySource({ file, timing: 'fast' });
    const got: LandmarkFrame[] = [];
    const t0 = Date.now();
    await src.start((f) => got.push(f));
    await src.finished;
    expect(got).toHaveLength(300);
    expect(Date.now() - t0).toBeLessThan(2000); // 10 s of recording
    expect(got.map((f) => f.ts).slice(0, 3)).toEqual([0, 33, 66]);
  });

  it('refuses a malformed line with file:line and the reason', async () => {
    const file = join(dir, 'bad.jsonl');
    const bad = { ...frame(33), hands: [{ handedness: 'Right', score: 0.9, landmarks: [[0.1, 0.2, 0]] }] };
    writeFileSync(file, [JSON.stringify(frame(0)), JSON.stringify(bad), '{not json'].join('\n'));
    await expect(new ReplaySource({ file, timing: 'fast' }).start(() => undefined)).rejects.toThrow(`${file}:2:`);
    writeFileSync(file, [JSON.stringify(frame(0)), '{not json'].join('\n'));
    await expect(new ReplaySource({ file, timing: 'fast' }).start(() => undefined)).rejects.toThrow(new RegExp(`${file}:2: not JSON`));
  });

  it('says so when the file is missing or empty', async () => {
    await expect(new ReplaySource({ file: join(dir, 'missing.jsonl'), timing: 'fast' }).start(() => undefined)).rejects.toThrow(/ENOENT/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n');
    await expect(new ReplaySource({ file: empty, timing: 'fast' }).start(() => undefined)).rejects.toThrow(/holds no frames/);
  });
});

describe('record mode', () => {
  it('writes labelled landmark frames the dataset tools read back', async () => {
    const out = join(dir, 'rec', 'inicio-1.jsonl');
    const source = new SyntheticSource({ script: [{ label: 'Inicio', durationMs: 5000 }], seed: 4, timing: 'fast' });
    const res = await record({ source, label: 'Inicio', out, maxFrames: 60, log: silent });
    expect(res.frames).toBe(60);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(60);
    for (const l of lines) expect(validateLandmarkFrame(JSON.parse(l)).ok).toBe(true);
    const frames = await readRecording(out);
    expect(new Set(frames.map((f) => f.label))).toEqual(new Set(['Inicio']));
  });

  it('refuses a label that is not a class', () => {
    expect(() => checkRecordLabel('Hola')).toThrow(/not one of the model's classes/);
    expect(() => checkRecordLabel(undefined)).toThrow(/--label/);
  });
});
