/**
 * Where a guided session's takes come from. A live source (the camera, a replay) runs for the
 * whole session and only the frames inside a take are kept: starting Chromium and MediaPipe
 * again for every take would cost seconds each. The synthetic source gets a one-step script
 * per take instead, so it signs exactly the sign the prompt asked for.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { mixSeed } from '@helen/synthetic-signer';
import type { LandmarkFrame } from '@helen/schemas';
import type { LandmarkSource } from '../sources/source';
import { SyntheticSource } from '../sources/synthetic';

/** What the signer is asked to sign now; `serial` counts every take of the session, retakes included. */
export interface TakeCue { label: string; serial: number }

export interface TakeFeed {
  readonly kind: LandmarkSource['kind'];
  /** Delivers the take's frames to `onFrame` for `seconds` (less if `signal` aborts or the source ends). */
  capture(cue: TakeCue, seconds: number, onFrame: (frame: LandmarkFrame) => void, signal: AbortSignal): Promise<void>;
  /** True once a finite source (a replay) has nothing more to give. */
  readonly ended: boolean;
  close(): Promise<void>;
}

/** Resolves when `signal` aborts; `dispose` removes the listener (one per take would pile up on the session's signal). */
export function untilAbort(signal: AbortSignal): { promise: Promise<void>; dispose(): void } {
  let onAbort = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** A source started once; each take listens to it for `seconds`. */
export function liveFeed(source: LandmarkSource): TakeFeed {
  let listener: ((frame: LandmarkFrame) => void) | undefined;
  let started: Promise<void> | undefined;
  let ended = false;
  void source.finished.then(() => (ended = true));
  return {
    kind: source.kind,
    get ended() {
      return ended;
    },
    async capture(_cue, seconds, onFrame, signal) {
      started ??= source.start((frame) => listener?.(frame));
      await started;
      if (ended) return;
      const timer = new AbortController();
      const stop = untilAbort(signal);
      listener = onFrame;
      try {
        await Promise.race([delay(seconds * 1000, undefined, { signal: timer.signal }).catch(() => undefined), source.finished, stop.promise]);
      } finally {
        listener = undefined;
        timer.abort();
        stop.dispose();
      }
    },
    async close() {
      if (started) await source.stop();
    },
  };
}

export interface SyntheticFeedOptions {
  seed: number;
  fps: number;
  handScale?: readonly [number, number];
  /** `fast` delivers a take's frames at once (tests); default paced like a camera. */
  timing?: 'realtime' | 'fast';
}

/** The synthetic signer, told per take what to sign (a one-step script, its own seed per take). */
export function syntheticFeed(opts: SyntheticFeedOptions): TakeFeed {
  return {
    kind: 'synthetic',
    ended: false,
    async capture(cue, seconds, onFrame, signal) {
      const source = new SyntheticSource({
        script: [{ label: cue.label, durationMs: seconds * 1000 }], seed: mixSeed(opts.seed, cue.serial), fps: opts.fps,
        timing: opts.timing ?? 'realtime', ...(opts.handScale ? { handScale: opts.handScale } : {}),
      });
      const stop = untilAbort(signal);
      await source.start(onFrame);
      try {
        await Promise.race([source.finished, stop.promise]);
      } finally {
        stop.dispose();
        await source.stop();
      }
    },
    async close() {},
  };
}
