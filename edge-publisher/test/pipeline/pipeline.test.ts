/**
 * The edge pipeline's timing rules with a predictor the test answers by hand: one request
 * every `stride` frames once the window holds enough frames, a request at once when the
 * hand comes back, the window restarting (partial windows again) after the hands were gone,
 * and answers for a window from before the gate closed ignored (stale).
 */
import { describe, expect, it } from 'vitest';
import { CLASS_LABELS, type FeatureSequence, type LandmarkFrame } from '@helen/schemas';
import { minPartialFrames } from '@helen/features';
import { EdgePipeline } from '../../src/pipeline/pipeline';
import type { PredictOutcome, Predictor } from '../../src/predict/types';
import type { GestureEvent } from '@helen/schemas';
import { silent } from '../helpers';

const SEQ_LEN = 30;
const MIN = minPartialFrames(SEQ_LEN);

/** Records each request; the test settles them when it wants. */
class HeldPredictor implements Predictor {
  readonly servedBy = 'cloud' as const;
  readonly requests: { frames: number; answer(out: PredictOutcome): void }[] = [];
  predict(seq: FeatureSequence): Promise<PredictOutcome> {
    return new Promise((resolve) => this.requests.push({ frames: seq.frames, answer: resolve }));
  }
}

/** A big (area 0.08), moving, confident left hand at frame i. */
function handFrame(i: number): LandmarkFrame {
  const x0 = 0.2 + 0.01 * (i % 10);
  const landmarks = Array.from({ length: 21 }, (_, k) => [x0 + 0.02 * k, 0.4 + (k % 2) * 0.2, 0] as [number, number, number]);
  return { ts: 1_000_000 + i * 33, hands: [{ handedness: 'Left', score: 0.95, landmarks }] };
}
const emptyFrame = (i: number): LandmarkFrame => ({ ts: 1_000_000 + i * 33, hands: [] });

function result(label: string): PredictOutcome {
  const probabilities = CLASS_LABELS.map((l) => (l === label ? 0.999 : 0.001 / (CLASS_LABELS.length - 1)));
  return { kind: 'result', result: { id: 'r', probabilities, label, topIndex: CLASS_LABELS.indexOf(label as (typeof CLASS_LABELS)[number]), topProbability: 0.999, servedBy: 'cloud', trace: {} } };
}

function pipeline(stride: number) {
  const predictor = new HeldPredictor();
  const events: GestureEvent[] = [];
  const p = new EdgePipeline({
    model: { seqLen: SEQ_LEN, useZ: false, featureDim: 84, labels: CLASS_LABELS },
    // One strong answer decides, no cooldown: each answer that counts fires an event.
    decision: { smoothWindow: 1, minConsecutive: 1, cooldownMs: 0 },
    stride, deviceId: 'pi', sessionId: 's', predictor, sinks: [{ name: 'test', send: (e) => events.push(e) }], log: silent,
  });
  let i = 0;
  /** Feeds frames; returns, per frame, how many requests it sent. */
  const feed = (n: number, make: (i: number) => LandmarkFrame) => Array.from({ length: n }, () => {
    const before = predictor.requests.length;
    p.onFrame(make(i++));
    return predictor.requests.length - before;
  });
  return { p, predictor, events, feed };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('EdgePipeline', () => {
  it(`sends the first request when the window reaches ${MIN} frames, then one every stride frames`, () => {
    const { predictor, feed } = pipeline(3);
    const sent = feed(45, handFrame);
    const at = sent.flatMap((n, frame) => (n > 0 ? [frame + 1] : []));
    expect(at[0]).toBe(MIN);
    expect(at.slice(1).map((f, k) => f - (at[k] as number))).toEqual(Array(at.length - 1).fill(3));
    expect(predictor.requests.map((r) => r.frames)).toEqual(at.map((f) => Math.min(f, SEQ_LEN)));
  });

  it('with stride 1 sends on every frame once the window is long enough', () => {
    const { predictor, feed } = pipeline(1);
    feed(MIN + 4, handFrame);
    expect(predictor.requests.map((r) => r.frames)).toEqual([MIN, MIN + 1, MIN + 2, MIN + 3, MIN + 4]);
  });

  it('sends at once when the hand is back after the gate closed, without waiting out the stride', () => {
    const { p, predictor, feed } = pipeline(5);
    feed(40, handFrame);
    const gatedBefore = p.counters.gatedFrames;
    feed(12, emptyFrame); // presence falls under 0.70: the gate closes
    expect(p.counters.gatedFrames).toBeGreaterThan(gatedBefore);
    // Hand frames until presence is back over 0.85 (the old hand frames leave the window
    // first, then the empty ones): the frame that opens the gate sends.
    const gatedFrames: number[] = [];
    const sent = feed(50, (i) => {
      gatedFrames.push(p.counters.gatedFrames);
      return handFrame(i);
    });
    const opened = sent.findIndex((n) => n > 0);
    expect(opened).toBeGreaterThan(0);
    // The frame before was still gated; this one was not.
    expect(p.counters.gatedFrames).toBe(gatedFrames[opened]);
    expect(gatedFrames[opened]).toBeGreaterThan(gatedFrames[opened - 1] as number);
    // The frames after the first request go back to one request every 5 frames.
    const later = sent.slice(opened).flatMap((n, k) => (n > 0 ? [k] : []));
    expect(later.slice(0, 3)).toEqual([0, 5, 10]);
    expect(predictor.requests.at(-1)?.frames).toBe(SEQ_LEN); // the window was kept, not restarted
  });

  it('restarts the window once it holds no hand at all: the next hand runs on partial windows again', () => {
    const { p, predictor, feed } = pipeline(2);
    feed(40, handFrame);
    expect(predictor.requests.at(-1)?.frames).toBe(SEQ_LEN);
    feed(SEQ_LEN + 5, emptyFrame); // every hand frame has left the window
    const before = predictor.requests.length;
    const gated = p.counters.gatedFrames;
    const sent = feed(20, handFrame);
    const frames = predictor.requests.slice(before).map((r) => r.frames);
    expect(frames[0]).toBe(MIN); // a fresh, partial window, not 30 frames with old zeros
    expect(sent.findIndex((n) => n > 0)).toBe(MIN - 1);
    expect(p.counters.gatedFrames).toBe(gated);
  });

  it('acts on a current answer, and ignores one for a window sent before the gate closed (stale)', async () => {
    const { p, predictor, events, feed } = pipeline(100);
    feed(MIN, handFrame);
    expect(predictor.requests).toHaveLength(1);
    predictor.requests[0]?.answer(result('Inicio'));
    await flush();
    expect(events.map((e) => e.gesture)).toEqual(['Inicio']);
    expect(events[0]).toMatchObject({ sequence: 1, device: 'pi', session_id: 's', served_by: 'cloud', source: 'edge-publisher' });
    // A request is in flight when the hand leaves and comes back.
    feed(100, handFrame);
    expect(predictor.requests).toHaveLength(2);
    feed(12, emptyFrame);
    feed(40, handFrame); // the gate opens again and sends a new window at once
    expect(predictor.requests).toHaveLength(3);
    const decisions: (boolean | undefined)[] = [];
    p.onPrediction((_r, d) => decisions.push(d.stale));
    predictor.requests[1]?.answer(result('Reloj')); // about the hand before it left
    await flush();
    expect(decisions).toEqual([true]);
    expect(events.map((e) => e.gesture)).toEqual(['Inicio']);
    predictor.requests[2]?.answer(result('Reloj'));
    await flush();
    expect(decisions).toEqual([true, undefined]);
    expect(events.map((e) => e.gesture)).toEqual(['Inicio', 'Reloj']);
    expect(p.counters).toMatchObject({ requests: 3, results: 3, events: 2 });
  });

  it('counts each kind of failed answer and stops acting after stop()', async () => {
    const { p, predictor, events, feed } = pipeline(1);
    feed(MIN + 4, handFrame);
    const outs: PredictOutcome[] = [{ kind: 'timeout' }, { kind: 'superseded' }, { kind: 'unavailable', reason: 'x' }, { kind: 'error', message: 'y' }];
    outs.forEach((o, k) => predictor.requests[k]?.answer(o));
    await flush();
    expect(p.counters).toMatchObject({ timeouts: 1, superseded: 1, unavailable: 1, errors: 1, results: 0 });
    p.stop();
    predictor.requests[4]?.answer(result('Inicio'));
    await flush();
    expect(events).toEqual([]);
    const frames = p.counters.frames;
    p.onFrame(handFrame(0));
    expect(p.counters.frames).toBe(frames);
  });
});
