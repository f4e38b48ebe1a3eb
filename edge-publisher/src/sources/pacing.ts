/** Emits frames at their own timestamps (real time) or as fast as the event loop allows. */
import type { LandmarkFrame } from '@helen/schemas';

export interface Pacer {
  /** Resolves when `frames` is exhausted or `signal` aborts. */
  run(frames: Iterable<LandmarkFrame>, onFrame: (f: LandmarkFrame) => void, signal: AbortSignal): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  if (signal.aborted) return resolve();
  const t = setTimeout(done, Math.max(0, ms));
  function done() {
    clearTimeout(t);
    signal.removeEventListener('abort', done);
    resolve();
  }
  signal.addEventListener('abort', done, { once: true });
});

/**
 * Real time: frame i goes out when the wall clock has advanced (ts_i - ts_0) since the
 * first. Sleeping to an absolute schedule keeps the rate exact over minutes (no drift), and
 * a late event loop catches up instead of slowing the stream.
 */
export const realTime: Pacer = {
  async run(frames, onFrame, signal) {
    let t0: number | undefined;
    let wall0 = 0;
    for (const f of frames) {
      if (signal.aborted) return;
      if (t0 === undefined) {
        t0 = f.ts;
        wall0 = performance.now();
      } else {
        const due = wall0 + (f.ts - t0);
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait, signal);
        if (signal.aborted) return;
      }
      onFrame(f);
    }
  },
};

/** As fast as possible, yielding to I/O every `batch` frames. */
export function asFastAsPossible(batch = 32): Pacer {
  return {
    async run(frames, onFrame, signal) {
      let n = 0;
      for (const f of frames) {
        if (signal.aborted) return;
        onFrame(f);
        if (++n % batch === 0) await new Promise((r) => setImmediate(r));
      }
    },
  };
}
