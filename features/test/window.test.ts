import { describe, expect, it } from 'vitest';
import {
  FeatureWindow, FrameFeaturizer, minPartialFrames, prepareModelInput, windowsFromFrames,
  type FrameFeatures,
} from '../src/index';
import type { FeatureSequence } from '@helen/schemas';
import { frame, handAt } from './helpers';

const ff = (ts: number, dim = 4, mask: [number, number] = [1, 0]): FrameFeatures => ({
  ts, vector: new Float32Array(dim).fill(ts), mask, slots: [null, null],
});

describe('FeatureWindow', () => {
  it('holds a partial window as it is and the last seqLen frames when full, oldest first', () => {
    const w = new FeatureWindow(3, 4);
    w.push(ff(1));
    w.push(ff(2, 4, [0, 1]));
    expect(w.length).toBe(2);
    expect(w.isFull).toBe(false);
    expect(w.toSequence()).toEqual({
      frames: 2, featureDim: 4, data: new Float32Array([1, 1, 1, 1, 2, 2, 2, 2]), mask: new Float32Array([1, 0, 0, 1]),
    });
    for (const t of [3, 4, 5]) w.push(ff(t));
    expect(w.isFull).toBe(true);
    expect(w.length).toBe(3);
    expect(w.frames().map((f) => f.ts)).toEqual([3, 4, 5]);
    const s = w.toSequence();
    expect(s.frames).toBe(3);
    expect(Array.from(s.data)).toEqual([3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5]);
    w.clear();
    expect(w.length).toBe(0);
    w.push(ff(9));
    expect(w.frames().map((f) => f.ts)).toEqual([9]);
    expect(() => w.push(ff(1, 6))).toThrow(/6 features, window expects 4/);
  });

  it('minPartialFrames = max(6, floor(seqLen / 2)), capped at seqLen', () => {
    expect(minPartialFrames(30)).toBe(15);
    expect(minPartialFrames(31)).toBe(15);
    expect(minPartialFrames(13)).toBe(6);
    expect(minPartialFrames(10)).toBe(6);
    expect(minPartialFrames(4)).toBe(4);
  });
});

describe('prepareModelInput', () => {
  const seq: FeatureSequence = {
    frames: 4, featureDim: 4,
    data: new Float32Array([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]),
    mask: new Float32Array([1, 1, 1, 0, 0, 1, 0.5, 1]),
  };

  it('keeps the last seqLen frames and multiplies each hand by its mask', () => {
    const p = prepareModelInput(seq, 3);
    expect(p.frames).toBe(3);
    // frame 2 mask [1,0] -> [2,2,0,0]; frame 3 mask [0,1] -> [0,0,3,3]; frame 4 mask [0.5,1] -> [2,2,4,4].
    expect(Array.from(p.data)).toEqual([2, 2, 0, 0, 0, 0, 3, 3, 2, 2, 4, 4]);
    expect(Array.from(p.mask ?? [])).toEqual([1, 0, 0, 1, 0.5, 1]);
    expect(seq.data[4]).toBe(2); // input untouched
  });

  it('never pads a shorter sequence and passes values through without a mask', () => {
    expect(prepareModelInput(seq, 30).frames).toBe(4);
    const nomask = prepareModelInput({ frames: 2, featureDim: 2, data: new Float32Array([1, 2, 3, 4]) }, 1);
    expect(nomask).toEqual({ frames: 1, featureDim: 2, data: new Float32Array([3, 4]) });
  });
});

describe('windowsFromFrames', () => {
  const frames = Array.from({ length: 40 }, (_, t) => frame(t, t % 9 === 8 ? [] : [handAt('Left', 0.9, 0.2 + t * 0.005), handAt('Right', 0.9, 0.7)]));

  it('emits the first full window, then one every stride frames, equal to a manual featurizer pass', () => {
    const windows = windowsFromFrames(frames, { useZ: false, seqLen: 30, stride: 5 });
    expect(windows.length).toBe(3); // ending at frames 29, 34, 39
    const fz = new FrameFeaturizer({ useZ: false });
    const w = new FeatureWindow(30, 84);
    const manual: FeatureSequence[] = [];
    frames.forEach((f, i) => {
      w.push(fz.push(f));
      if (i === 29 || i === 34 || i === 39) manual.push(w.toSequence());
    });
    expect(windows).toEqual(manual);
    expect(windowsFromFrames(frames, { useZ: true, seqLen: 30, stride: 1 }).length).toBe(11);
    expect(windowsFromFrames(frames.slice(0, 29), { useZ: true, seqLen: 30, stride: 1 })).toEqual([]);
    expect(() => windowsFromFrames(frames, { useZ: true, seqLen: 30, stride: 0 })).toThrow(/stride/);
  });
});
