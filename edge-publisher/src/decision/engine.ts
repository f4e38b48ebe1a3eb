/**
 * The gesture decision, ported from the original client (inference_classifier_video.py): a
 * presence/area gate on the window, probability smoothing, enter/exit hysteresis on
 * probability, margin and entropy, hysteresis on motion that tells moving from static
 * windows, consecutive votes, stricter numbers for a static window to enter, an early
 * trigger on partial windows and a per-label cooldown. An event fires on the transition
 * from no label to a label, so a held sign fires once.
 *
 * Pure: no timers, no I/O. Time is the frames' capture time (`stats.ts`), so a recording
 * replayed faster than real time decides exactly as it did live.
 *
 * Where the original code and ARCHITECTURE.md differ, ARCHITECTURE.md's reading is used:
 * - motion enter 0.015 / exit 0.005 is hysteresis on motion, and "a static window needs
 *   p >= 0.995, margin >= 0.5, hand score >= 0.8": a window whose motion is below the motion
 *   threshold in force (enter while no label is active, exit while one is, judged when the
 *   window arrives) is a static window. A static window may still enter, but only with
 *   those stricter numbers (plus every other enter rule); in the original code it never
 *   could, as its motion was already below the enter threshold. There is no other notion of
 *   "static" (no separate motion or feature-spread threshold).
 * - an active label stays while the stay rules hold (probability, margin and entropy exit
 *   thresholds, still the top class), moving or static: a sign held still does not drop
 *   out and fire again. So the motion exit threshold only decides whether a window that
 *   arrives while a label is active counts as static, which matters only when that window
 *   also leaves the label and casts the first vote for another one.
 * - staying in a label also needs that label to still be the top class, so a new sign
 *   right after another one exits the first and fires too (the original only looked at the
 *   averaged numbers, which usually but not always dipped between two signs).
 * - the per-label cooldown is enforced (the original recorded send times but did not check them).
 */
import { DEFAULT_DECISION_SETTINGS, type DecisionSettings } from './settings';
import type { WindowStats } from './stats';

export interface GestureDecision {
  label: string;
  /** Averaged top probability when the label was entered. */
  score: number;
  /** Capture time (epoch ms) of the last frame of the window that decided it. */
  ts: number;
  /** The window was partial and the early trigger counted. */
  early: boolean;
}

export interface DecisionOutcome {
  /** Set when this prediction fired an event. */
  fired?: GestureDecision;
  /** A label was entered but its cooldown kept it from firing. */
  suppressed?: { label: string; remainingMs: number };
  active: string | null;
  top: string;
  p1: number;
  margin: number;
  entropy: number;
  /** The prediction was for a window from before the last gate reset, and was ignored. */
  stale?: boolean;
  /**
   * Which enter conditions held (diagnostics: why a sign did or did not fire). `motion`: at
   * least the enter threshold; `static`: below the threshold in force (see above);
   * `staticStrong`: the stricter numbers a static window needs.
   */
  checks?: { prob: boolean; margin: boolean; entropy: boolean; area: boolean; motion: boolean; static: boolean; staticStrong: boolean; early: boolean; handScore: boolean };
}

export function entropy(probs: ArrayLike<number>, eps = 1e-8): number {
  let h = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(Math.max(probs[i] as number, eps), 1);
    h -= p * Math.log(p);
  }
  return h;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

function topTwo(v: ArrayLike<number>): { top: number; p1: number; p2: number } {
  const top = argmax(v);
  let p2 = 0;
  for (let i = 0; i < v.length; i++) if (i !== top && (v[i] as number) > p2) p2 = v[i] as number;
  return { top, p1: v[top] as number, p2: v.length > 1 ? p2 : 0 };
}

export class DecisionEngine {
  readonly settings: Readonly<DecisionSettings>;
  private presenceOk = false;
  private activeIndex: number | null = null;
  private readonly probBuffer: Float64Array[] = [];
  private readonly votes: number[] = [];
  private readonly lastFired = new Map<string, number>();
  private gateEpoch = 0;
  private gateOpen = false;

  constructor(private readonly labels: readonly string[], settings: Partial<DecisionSettings> = {}) {
    if (labels.length < 1) throw new Error('the decision engine needs at least one class label');
    this.settings = Object.freeze({ ...DEFAULT_DECISION_SETTINGS, ...settings });
  }

  /** The label currently held, or null. */
  get active(): string | null {
    return this.activeIndex === null ? null : (this.labels[this.activeIndex] ?? null);
  }

  /** Increases whenever the gate closes; predictions for windows of an older epoch are ignored. */
  get epoch(): number {
    return this.gateEpoch;
  }

  /**
   * The presence (with hysteresis) and hand-area gates, evaluated on every frame's window.
   * Returns whether the window may be sent for a prediction; a closed gate also drops the
   * active label and the smoothing state, as the original did.
   */
  gate(stats: Pick<WindowStats, 'presence' | 'areaLeft' | 'areaRight'>): boolean {
    const s = this.settings;
    this.presenceOk = this.presenceOk ? stats.presence >= s.presenceExit : stats.presence >= s.presenceEnter;
    if (this.presenceOk && this.areaOk(stats)) {
      this.gateOpen = true;
      return true;
    }
    if (this.gateOpen) this.gateEpoch++;
    this.gateOpen = false;
    this.activeIndex = null;
    this.probBuffer.length = 0;
    this.votes.length = 0;
    return false;
  }

  /** Feeds one prediction (softmax probabilities in label order) for a window with `stats`. */
  onPrediction(probabilities: ArrayLike<number>, stats: WindowStats, epoch = this.gateEpoch): DecisionOutcome {
    const s = this.settings;
    if (probabilities.length !== this.labels.length) {
      throw new Error(`prediction has ${probabilities.length} probabilities, the model has ${this.labels.length} labels`);
    }
    this.probBuffer.push(Float64Array.from(probabilities));
    if (this.probBuffer.length > s.smoothWindow) this.probBuffer.shift();
    const avg = this.average();
    const { top, p1, p2 } = topTwo(avg);
    const margin = p1 - p2;
    const h = entropy(avg);
    const base = { top: this.labels[top] as string, p1, margin, entropy: h };
    if (epoch !== this.gateEpoch) {
      // The hand left (gate closed) after this window was sent: its answer is about the past.
      this.probBuffer.pop();
      return { ...base, active: this.active, stale: true };
    }

    // Hysteresis on motion: the threshold in force when this window arrives.
    const isStatic = stats.motion < (this.activeIndex === null ? s.motionEnter : s.motionExit);
    const staticStrong = p1 >= s.staticProb && margin >= s.staticMargin && stats.handScore >= s.staticHandScore;
    // The same area rule as the gate (ARCHITECTURE.md: one hand >= areaSingle OR both >= areaTotal).
    const area = this.areaOk(stats);
    const enterOk = p1 >= s.probEnter && margin >= s.marginEnter && h <= s.entropyEnter && area
      && (!isStatic || staticStrong);
    const stayOk = p1 >= s.probExit && margin >= s.marginExit && h <= s.entropyExit && top === this.activeIndex;

    const early = stats.frames < stats.seqLen && p1 >= s.earlyProb && margin >= s.earlyMargin
      && stats.handScore >= s.minHandScore && this.recentConsensus(top, s.earlyConsecutive);

    let fired: GestureDecision | undefined;
    let suppressed: DecisionOutcome['suppressed'];
    if (this.activeIndex !== null && !stayOk) this.activeIndex = null;
    if (this.activeIndex === null) {
      if (enterOk || early) {
        this.votes.push(top);
        if (this.votes.length > s.smoothWindow) this.votes.shift();
        const last = this.votes.slice(-s.minConsecutive);
        if (last.length === s.minConsecutive && last.every((v) => v === top) && h <= s.entropyEnter && stats.handScore >= s.minHandScore) {
          this.activeIndex = top;
          this.votes.length = 0;
          this.probBuffer.length = 0;
          const label = this.labels[top] as string;
          const since = stats.ts - (this.lastFired.get(label) ?? -Infinity);
          if (since >= s.cooldownMs) {
            this.lastFired.set(label, stats.ts);
            fired = { label, score: p1, ts: stats.ts, early: early && !enterOk };
          } else {
            suppressed = { label, remainingMs: s.cooldownMs - since };
          }
        }
      } else {
        this.votes.length = 0;
      }
    }
    const out: DecisionOutcome = {
      ...base, active: this.active,
      checks: {
        prob: p1 >= s.probEnter, margin: margin >= s.marginEnter, entropy: h <= s.entropyEnter, area,
        motion: stats.motion >= s.motionEnter, static: isStatic, staticStrong, early, handScore: stats.handScore >= s.minHandScore,
      },
    };
    if (fired) out.fired = fired;
    if (suppressed) out.suppressed = suppressed;
    return out;
  }

  /** Forgets everything but the cooldown clock (e.g. after switching the inference path). */
  reset(): void {
    this.presenceOk = false;
    this.gateOpen = false;
    this.activeIndex = null;
    this.probBuffer.length = 0;
    this.votes.length = 0;
    this.gateEpoch++;
  }

  private areaOk(stats: Pick<WindowStats, 'areaLeft' | 'areaRight'>): boolean {
    const s = this.settings;
    return stats.areaLeft >= s.areaSingle || stats.areaRight >= s.areaSingle || stats.areaLeft + stats.areaRight >= s.areaTotal;
  }

  private average(): Float64Array {
    const n = this.probBuffer.length;
    const out = new Float64Array(this.labels.length);
    for (const p of this.probBuffer) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (p[i] as number) / n;
    return out;
  }

  private recentConsensus(index: number, required: number): boolean {
    if (this.probBuffer.length < required) return false;
    return this.probBuffer.slice(-required).every((p) => argmax(p) === index);
  }
}
