/**
 * Matches the events of one stream to its signs by time, the way a user at the display
 * would judge them. An event counts for a sign when it comes between the sign's onset and
 * `toleranceMs` after its last frame (the decision needs a window of the sign, so it lags):
 * - an event with the sign's label is the sign caught (the first one; any further one for
 *   that sign is a double fire);
 * - an event with another label in that span is a wrong event for that sign;
 * - an event in no sign's span is a false event during idle.
 * When spans overlap (a sign starts within the tolerance of the previous one) an event goes
 * to the latest sign with its label, else to the latest sign.
 */
import type { SignSpan } from './frames';
import type { BenchEvent } from './runner';

export const DEFAULT_TOLERANCE_MS = 1000;

/** Exactly one event with the right label; none at all; some event with another label; the right label more than once. */
export type SignOutcome = 'exact' | 'missed' | 'wrong' | 'double';

export interface ScoredSign {
  label: string;
  outcome: SignOutcome;
  correctEvents: number;
  wrongEvents: number;
  /** Onset to the first event with the sign's label. */
  latencyMs?: number;
  tags: readonly string[];
}

export interface StreamScore {
  signs: ScoredSign[];
  /** Events outside every sign's span. */
  idleFalse: BenchEvent[];
  /** Frame time outside every sign's span. */
  idleMs: number;
  /** The part of it with hands in view (outside the `empty` stretches). */
  idleHandsMs: number;
}

/** `empty`: stretches with no hands in view, [start, end) in frame time. */
export function scoreStream(
  signs: readonly SignSpan[], events: readonly BenchEvent[], range: { start: number; end: number }, toleranceMs = DEFAULT_TOLERANCE_MS,
  empty: readonly { start: number; end: number }[] = [],
): StreamScore {
  const tally = signs.map(() => ({ correct: [] as number[], wrong: 0 }));
  const idleFalse: BenchEvent[] = [];
  for (const ev of [...events].sort((a, b) => a.ts - b.ts)) {
    let target = -1;
    let sameLabel = false;
    signs.forEach((s, i) => {
      if (ev.ts < s.onset || ev.ts > s.end + toleranceMs) return;
      const same = s.label === ev.label;
      // Latest sign with the event's label wins; otherwise the latest sign at all.
      if (same || !sameLabel) { target = i; sameLabel = same; }
    });
    const t = tally[target];
    if (!t) idleFalse.push(ev);
    else if (sameLabel) t.correct.push(ev.ts);
    else t.wrong++;
  }
  const scored = signs.map((s, i): ScoredSign => {
    const t = tally[i] as { correct: number[]; wrong: number };
    const outcome: SignOutcome = t.wrong > 0 ? 'wrong' : t.correct.length === 0 ? 'missed' : t.correct.length > 1 ? 'double' : 'exact';
    const out: ScoredSign = { label: s.label, outcome, correctEvents: t.correct.length, wrongEvents: t.wrong, tags: s.tags };
    if (t.correct.length > 0) out.latencyMs = (t.correct[0] as number) - s.onset;
    return out;
  });
  const spans = signs.map((s) => ({ start: s.onset, end: s.end + toleranceMs }));
  return { signs: scored, idleFalse, idleMs: uncovered(spans, range), idleHandsMs: uncovered([...spans, ...empty], range) };
}

/** The part of [range.start, range.end) covered by none of `spans`. */
function uncovered(spans: readonly { start: number; end: number }[], range: { start: number; end: number }): number {
  const clipped = spans.map((s) => [Math.max(range.start, s.start), Math.min(range.end, s.end)] as const)
    .filter(([a, b]) => b > a).sort((p, q) => p[0] - q[0]);
  let covered = 0;
  let reach = range.start;
  for (const [a, b] of clipped) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return Math.max(0, range.end - range.start - covered);
}
