/**
 * `run.ts --list-false`: where each false event of a stream fell, so a change aimed at them
 * can be judged on what they are (an idle person drifting, a hand lowered after a sign, ...)
 * rather than on their count alone.
 */
import type { StreamDetail } from './bench';

/** One line per false event: seed, stream kind, time, label, and the script step under it. */
export function falseEventLines(seed: number, { scenario, score, start }: StreamDetail): string[] {
  return score.idleFalse.map((ev) => {
    const at = ev.ts - start;
    let stepStart = 0;
    let where = 'after the script';
    for (const [i, step] of scenario.steps.entries()) {
      if (at < stepStart + step.durationMs) {
        const kind = step.label === 'idle' ? (step.drift ? 'idle, drifting' : 'idle, still') : step.label === 'none' ? 'no hands' : `sign ${step.label}`;
        const previous = scenario.steps[i - 1];
        where = `${kind}, ${at - stepStart} ms into a ${step.durationMs} ms step${previous ? ` (after ${previous.label})` : ''}`;
        break;
      }
      stepStart += step.durationMs;
    }
    return `false event: seed ${seed} (${scenario.kind}, ${scenario.fps} fps, ${scenario.signer}), ${(at / 1000).toFixed(2)} s, ${ev.label}: ${where}`;
  });
}
