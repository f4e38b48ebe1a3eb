/**
 * The training label of a stream window (dataset.ts): the sign it holds enough of, "no
 * sign" (-1) when it holds almost none, or null when it is in between (left out).
 */
import { CLASS_LABELS } from '@helen/schemas';
import type { SignSpan } from './frames';

/** Sign time a window must hold to be labelled with it, and the most a "no sign" window may hold. */
export const SIGN_MIN_MS = 450;
export const IDLE_MAX_MS = 100;
/** The model's window: 30 frames on its 30 fps grid. */
export const WINDOW_MS = 1000;
export const OUTLIER = -1;

export function windowLabel(endTs: number, signs: readonly SignSpan[]): number | null {
  let best = 0, label = '';
  for (const s of signs) {
    const overlap = Math.min(endTs, s.end) - Math.max(endTs - WINDOW_MS, s.onset);
    if (overlap > best) { best = overlap; label = s.label; }
  }
  if (best >= SIGN_MIN_MS) return (CLASS_LABELS as readonly string[]).indexOf(label);
  return best <= IDLE_MAX_MS ? OUTLIER : null;
}

