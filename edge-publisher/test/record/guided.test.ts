import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CLASS_LABELS, validateLandmarkFrame, type LandmarkFrame } from '@helen/schemas';
import { readRecording } from '@helen/synthetic-signer';
import { main } from '../../src/main';
import { liveFeed, syntheticFeed, type TakeFeed } from '../../src/recording/feeds';
import { checkSigner, parseGuidedLabels, recordGuided } from '../../src/recording/guided';
import { signHint } from '../../src/recording/hints';
import { SyntheticSource } from '../../src/sources/synthetic';

const root = mkdtempSync(join(tmpdir(), 'helen-guided-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hand = { handedness: 'Right' as const, score: 0.9, landmarks: Array.from({ length: 21 }, (_, i) => [0.4 + i * 0.004, 0.5 + i * 0.003, 0]) };

/** A feed that plays given takes in order: each entry is how many frames, and how many of them hold a hand. */
function scriptedFeed(takes: { frames: number; withHand: number; abortAfter?: AbortController }[]): TakeFeed & { cues: string[] } {
  const cues: string[] = [];
  let n = 0;
  return {
    kind: 'camera', ended: false, cues,
    async capture(cue, _seconds, onFrame) {
      cues.push(cue.label);
      const t = takes[n++] ?? { frames: 10, withHand: 10 };
      for (let i = 0; i < t.frames; i++) onFrame({ ts: 1000 + i * 33, hands: i < t.withHand ? [hand] : [] });
      t.abortAfter?.abort();
    },
    async close() {},
  };
}

const base = { countdown: 0, seconds: 0.1, pause: 0, takes: 1, print: () => undefined };

describe('helen edge record --guided (synthetic source)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('records every asked sign and take into <out>/<signer>/<label>/<signer>-<label>-<take>.jsonl', async () => {
    process.env.HELEN_EDGE_SOURCE = 'synthetic';
    process.env.HELEN_LOG_LEVEL = 'silent';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const dir = join(root, 'cli');
    expect(await main(['record', '--guided', '--signer', 'ana', '--out', dir, '--labels', 'Inicio,Agregar', '--takes', '2',
      '--countdown', '0', '--seconds', '0.4', '--pause', '0'])).toBe(0);
    const text = out.mock.calls.map((c) => String(c[0])).join('');
    vi.restoreAllMocks();
    expect(readdirSync(join(dir, 'ana')).sort()).toEqual(['Agregar', 'Inicio']);
    for (const label of ['Inicio', 'Agregar']) {
      expect(readdirSync(join(dir, 'ana', label)).sort()).toEqual([`ana-${label}-1.jsonl`, `ana-${label}-2.jsonl`]);
      for (const take of [1, 2]) {
        const file = join(dir, 'ana', label, `ana-${label}-${take}.jsonl`);
        const lines = readFileSync(file, 'utf8').trim().split('\n');
        expect(lines.length).toBeGreaterThanOrEqual(10); // 0.4 s at 30 fps
        for (const l of lines) expect(validateLandmarkFrame(JSON.parse(l)).ok).toBe(true);
        const frames = await readRecording(file);
        expect(new Set(frames.map((f) => f.label))).toEqual(new Set([label]));
        expect(new Set(frames.map((f) => f.source))).toEqual(new Set(['synthetic']));
      }
    }
    // The synthetic signer signs what was asked: Agregar is the two-hand sign.
    const agregar = await readRecording(join(dir, 'ana', 'Agregar', 'ana-Agregar-1.jsonl'));
    expect(agregar.filter((f) => f.hands.length === 2).length / agregar.length).toBeGreaterThan(0.7);
    expect(text).toContain(`sign Inicio (${signHint('Inicio')}), take 1/2`);
    expect(text).toMatch(/\n {2}go\n/);
    expect(text).toContain('4 take(s) saved');
  });

  it('refuses a missing signer, unknown labels, bad numbers, and guided options without --guided', async () => {
    process.env.HELEN_EDGE_SOURCE = 'synthetic';
    process.env.HELEN_LOG_LEVEL = 'silent';
    const dir = join(root, 'refused');
    await expect(main(['record', '--guided', '--out', dir])).rejects.toThrow(/--signer/);
    await expect(main(['record', '--guided', '--signer', 'a/b', '--out', dir])).rejects.toThrow(/letters, digits/);
    await expect(main(['record', '--guided', '--signer', 'ana', '--out', dir, '--labels', 'Hola'])).rejects.toThrow(/"Hola" is not one of/);
    await expect(main(['record', '--guided', '--signer', 'ana', '--out', dir, '--takes', '0'])).rejects.toThrow(/--takes must be an integer >= 1/);
    await expect(main(['record', '--guided', '--signer', 'ana', '--out', dir, '--seconds', '0'])).rejects.toThrow(/--seconds must be a number > 0/);
    await expect(main(['record', '--guided', '--signer', 'ana', '--out', dir, '--label', 'Inicio'])).rejects.toThrow(/--label is for a single recording/);
    await expect(main(['record', '--label', 'Inicio', '--out', join(dir, 'x.jsonl'), '--takes', '3'])).rejects.toThrow(/--takes needs --guided/);
  });

  it('a synthetic feed signs each take\'s label; a live feed keeps only the frames inside the take', async () => {
    const got: LandmarkFrame[] = [];
    const feed = syntheticFeed({ seed: 3, fps: 30, timing: 'fast' });
    await feed.capture({ label: 'Wifi', serial: 0 }, 0.5, (f) => got.push(f), new AbortController().signal);
    expect(got).toHaveLength(15);
    expect(new Set(got.map((f) => f.label))).toEqual(new Set(['Wifi']));

    const live = liveFeed(new SyntheticSource({ script: [{ label: 'Inicio', durationMs: 60_000 }], seed: 1 }));
    const take: LandmarkFrame[] = [];
    await live.capture({ label: 'Inicio', serial: 0 }, 0.3, (f) => take.push(f), new AbortController().signal);
    await new Promise((r) => setTimeout(r, 200));
    const count = take.length;
    await live.close();
    expect(count).toBeGreaterThanOrEqual(6);
    expect(count).toBeLessThanOrEqual(12);
    expect(take.length).toBe(count); // nothing arrives between takes
  });
});

describe('the guided session', () => {
  it('asks once more when fewer than half the frames hold a hand, and keeps the better retake', async () => {
    const feed = scriptedFeed([{ frames: 10, withHand: 3 }, { frames: 10, withHand: 9 }]);
    const lines: string[] = [];
    const r = await recordGuided({ ...base, feed, outDir: join(root, 'retake'), signer: 'ben', labels: ['5'], print: (l) => lines.push(l) });
    expect(feed.cues).toEqual(['5', '5']);
    expect(r.takes).toHaveLength(1);
    expect(r.takes[0]).toMatchObject({ take: 1, frames: 10, framesWithHands: 9, attempts: 2, flagged: false });
    expect(lines.join('\n')).toMatch(/only 30% of the frames .* once more/);
    expect(readFileSync(join(root, 'retake', 'ben', '5', 'ben-5-1.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
  });

  it('keeps and flags a take that misses the hand twice', async () => {
    const feed = scriptedFeed([{ frames: 10, withHand: 2 }, { frames: 8, withHand: 1 }]);
    const r = await recordGuided({ ...base, feed, outDir: join(root, 'twice'), signer: 'ben', labels: ['5'] });
    expect(r.takes[0]).toMatchObject({ frames: 8, framesWithHands: 1, attempts: 2, flagged: true });
  });

  it('numbers takes on from an earlier session instead of overwriting them', async () => {
    const dir = join(root, 'again');
    await recordGuided({ ...base, takes: 2, feed: scriptedFeed([]), outDir: dir, signer: 'cy', labels: ['Reloj'] });
    await recordGuided({ ...base, takes: 1, feed: scriptedFeed([]), outDir: dir, signer: 'cy', labels: ['Reloj'] });
    expect(readdirSync(join(dir, 'cy', 'Reloj')).sort()).toEqual(['cy-Reloj-1.jsonl', 'cy-Reloj-2.jsonl', 'cy-Reloj-3.jsonl']);
  });

  it('stops at an abort (Ctrl-C) and keeps every take recorded, the interrupted one included', async () => {
    const stop = new AbortController();
    const feed = scriptedFeed([{ frames: 10, withHand: 10 }, { frames: 6, withHand: 6, abortAfter: stop }]);
    const r = await recordGuided({ ...base, takes: 3, feed, outDir: join(root, 'abort'), signer: 'di', labels: ['1', '2'], signal: stop.signal });
    expect(r.interrupted).toBe(true);
    expect(feed.cues).toEqual(['1', '1']);
    expect(r.takes.map((t) => [t.take, t.frames, t.interrupted])).toEqual([[1, 10, false], [2, 6, true]]);
    expect(readdirSync(join(root, 'abort', 'di', '1')).sort()).toEqual(['di-1-1.jsonl', 'di-1-2.jsonl']);
  });

  it('waits for the signer before each take when asked to (--wait-enter)', async () => {
    let ready = 0;
    const feed = scriptedFeed([]);
    await recordGuided({ ...base, takes: 2, feed, outDir: join(root, 'enter'), signer: 'ed', labels: ['3'], waitReady: async () => void ready++ });
    expect(ready).toBe(2);
  });

  it('parses labels and signer names', () => {
    expect(parseGuidedLabels(undefined)).toEqual([...CLASS_LABELS]);
    expect(parseGuidedLabels('all')).toEqual([...CLASS_LABELS]);
    expect(parseGuidedLabels('Inicio, idle,Inicio')).toEqual(['Inicio', 'idle']);
    expect(() => checkSigner('')).toThrow(/--signer/);
    expect(checkSigner('ana-2')).toBe('ana-2');
  });
});

describe('sign hints', () => {
  it('describe every class, differently, from the synthetic signer\'s poses', () => {
    const hints = CLASS_LABELS.map(signHint);
    for (const h of hints) expect(h.length).toBeGreaterThan(5);
    expect(new Set(hints).size).toBe(CLASS_LABELS.length);
    expect(signHint('2')).toBe('index and middle up in a V, thumb folded in');
    expect(signHint('Anterior')).toMatch(/swipe side to side/);
    expect(signHint('Agregar')).toMatch(/other hand/);
  });
});
