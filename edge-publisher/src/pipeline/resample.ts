/**
 * Frame-rate normalisation: the model was trained on 30 fps recordings, so a window of 30
 * frames is one second of signing. A camera that delivers 15 fps (a loaded Pi) or drops
 * frames would put two seconds, most of it the pause around a short sign, into the same
 * 30 frames, and the motion per frame would be twice what the model learned. This fills
 * each gap between two frames with frames interpolated on the model's time grid, so the
 * window always spans the time the model expects.
 *
 * - A hand in both frames (same handedness) is interpolated linearly, landmarks and score.
 * - A hand in only one of them (entering or leaving) is held by the nearer frame in time.
 * - A gap longer than `maxGapMs` is not filled: the camera stalled and nothing is known
 *   about what happened; the window sees the jump as it did before.
 */
import type { LandmarkFrame } from '@helen/schemas';

type Hand = LandmarkFrame['hands'][number];

export interface ResampleOptions {
  /** The model's frame rate; 0 turns normalisation off. */
  fps: number;
  /** Longest gap between two frames that is filled (ms). */
  maxGapMs: number;
}

export const DEFAULT_RESAMPLE: ResampleOptions = { fps: 30, maxGapMs: 400 };

function lerpHand(a: Hand, b: Hand, t: number): Hand {
  return {
    ...a,
    score: a.score + (b.score - a.score) * t,
    landmarks: a.landmarks.map((p, i) => {
      const q = b.landmarks[i] ?? p;
      return [0, 1, 2].map((k) => (p[k] ?? 0) + ((q[k] ?? 0) - (p[k] ?? 0)) * t);
    }),
  } as Hand;
}

/** The frame at fraction `t` (0..1) of the way from `a` to `b`. */
export function interpolateFrame(a: LandmarkFrame, b: LandmarkFrame, t: number): LandmarkFrame {
  const hands: Hand[] = [];
  const nearer = t < 0.5 ? a : b;
  for (const side of ['Left', 'Right'] as const) {
    const ha = a.hands.find((h) => h.handedness === side);
    const hb = b.hands.find((h) => h.handedness === side);
    if (ha && hb) hands.push(lerpHand(ha, hb, t));
    else {
      const held = nearer.hands.find((h) => h.handedness === side);
      if (held) hands.push(held);
    }
  }
  const frame: LandmarkFrame = { ts: a.ts + (b.ts - a.ts) * t, hands };
  if (a.source !== undefined) frame.source = a.source;
  return frame;
}

export class FrameRateNormalizer {
  private previous: LandmarkFrame | undefined;
  private readonly stepMs: number;

  constructor(private readonly opts: ResampleOptions = DEFAULT_RESAMPLE) {
    this.stepMs = opts.fps > 0 ? 1000 / opts.fps : 0;
  }

  /** The frames to feed for `frame`: interpolated ones filling the gap since the last, then `frame` itself. */
  push(frame: LandmarkFrame): LandmarkFrame[] {
    const prev = this.previous;
    this.previous = frame;
    if (this.stepMs === 0 || !prev) return [frame];
    const gap = frame.ts - prev.ts;
    if (!(gap > this.stepMs * 1.5) || gap > this.opts.maxGapMs) return [frame];
    // Frames to insert so that consecutive frames are about one model step apart.
    const missing = Math.round(gap / this.stepMs) - 1;
    const out: LandmarkFrame[] = [];
    for (let i = 1; i <= missing; i++) out.push(interpolateFrame(prev, frame, i / (missing + 1)));
    out.push(frame);
    return out;
  }

  reset(): void {
    this.previous = undefined;
  }
}
