import { describe, expect, it } from 'vitest';
import { CLASS_LABELS } from '@helen/schemas';
import { DecisionEngine } from '../../src/decision/engine';
import { DEFAULT_DECISION_SETTINGS, ORIGINAL_DECISION_SETTINGS, type DecisionSettings } from '../../src/decision/settings';
import type { WindowStats } from '../../src/decision/stats';

/*
 * The static-onset rule (issue 12): a hand resting in a sign-like pose is not a sign. Windows
 * every 2 frames at 30 fps; a segment is a run of windows with one probability for `label`.
 */
const LABELS = CLASS_LABELS;
const WINDOW_MS = 2000 / 30;

interface Segment { windows: number; label?: string; p?: number; motion?: number }

function probs(label: string | undefined, p: number): number[] {
  const idx = label === undefined ? -1 : LABELS.indexOf(label as (typeof LABELS)[number]);
  const rest = idx < 0 ? 1 / LABELS.length : (1 - p) / (LABELS.length - 1);
  return LABELS.map((_, i) => (i === idx ? p : rest));
}

function fired(settings: Partial<DecisionSettings>, segments: Segment[]): string[] {
  const engine = new DecisionEngine(LABELS, settings);
  const out: string[] = [];
  let ts = 1_000_000;
  for (const seg of segments) {
    for (let i = 0; i < seg.windows; i++) {
      ts += WINDOW_MS;
      const stats: WindowStats = {
        frames: 30, seqLen: 30, presence: 1, areaLeft: 0.06, areaRight: 0,
        motion: seg.motion ?? 0.02, featureStd: 0.05, handScore: 0.95, ts,
      };
      if (!engine.gate(stats)) continue;
      const decision = engine.onPrediction(probs(seg.label, seg.p ?? 0.99), stats);
      if (decision.fired) out.push(decision.fired.label);
    }
  }
  return out;
}

const idle = (windows: number, motion = 0.02): Segment => ({ windows, motion });
const STILL = 0.001;

describe('static-onset rule', () => {
  it('is off by default and in the original numbers', () => {
    expect(DEFAULT_DECISION_SETTINGS.staticOnsetMs).toBe(0);
    expect(ORIGINAL_DECISION_SETTINGS.staticOnsetMs).toBe(0);
    expect(fired({}, [idle(45, STILL), { windows: 20, label: 'Alarma', p: 0.999, motion: STILL }])).toEqual(['Alarma']);
  });

  it('keeps a hand that has rested still for longer than staticOnsetMs from entering on a static window', () => {
    const longStill: Segment[] = [idle(45, STILL), { windows: 20, label: 'Alarma', p: 0.999, motion: STILL }];
    expect(fired({ staticOnsetMs: 1000 }, longStill)).toEqual([]);
    // The hand moved 3 windows before: the static window may enter.
    const justMoved: Segment[] = [idle(45, STILL), idle(3), { windows: 20, label: 'Alarma', p: 0.999, motion: STILL }];
    expect(fired({ staticOnsetMs: 1000 }, justMoved)).toEqual(['Alarma']);
  });

  it('counts a window as moving from staticOnsetMotion, not from the static threshold', () => {
    // Motion 0.006 is static (under motionEnter 0.015) but, at staticOnsetMotion 0.005, moving enough.
    const slowIn: Segment[] = [idle(45, STILL), idle(3, 0.006), { windows: 20, label: 'Alarma', p: 0.999, motion: STILL }];
    expect(fired({ staticOnsetMs: 1000, staticOnsetMotion: 0.005 }, slowIn)).toEqual(['Alarma']);
    expect(fired({ staticOnsetMs: 1000, staticOnsetMotion: 0.015 }, slowIn)).toEqual([]);
  });

  it('leaves moving windows alone: they enter by the plain rules whenever the hand last moved', () => {
    expect(fired({ staticOnsetMs: 1000 }, [idle(45, STILL), { windows: 20, label: 'Alarma', p: 0.999 }])).toEqual(['Alarma']);
  });
});
