/**
 * The synthetic source: the seeded generator of @helen/synthetic-signer driven by a script of signs,
 * idle hands and empty stretches. Frames carry the script's label (what a test expects)
 * and are stamped with the wall clock at start, so latencies read like a camera's.
 */
import { scriptedStream } from '@helen/synthetic-signer';
import type { LandmarkFrame } from '@helen/schemas';
import type { ScriptStep } from '../config';
import { asFastAsPossible, realTime } from './pacing';
import type { LandmarkSource } from './source';

export interface SyntheticSourceOptions {
  script: readonly ScriptStep[];
  seed: number;
  fps?: number;
  /** Run the script again (new draws, next seed) when it ends. */
  loop?: boolean;
  timing?: 'realtime' | 'fast';
  /** Hand size range (how near the signer stands); default the generator's training range. */
  handScale?: readonly [number, number];
  /** First frame's timestamp (default: Date.now() at start). */
  startTs?: number;
}

export class SyntheticSource implements LandmarkSource {
  readonly kind = 'synthetic' as const;
  readonly finished: Promise<void>;
  private finish!: () => void;
  private abort: AbortController | undefined;
  private done: Promise<void> | undefined;

  constructor(private readonly opts: SyntheticSourceOptions) {
    this.finished = new Promise((r) => (this.finish = r));
  }

  async start(onFrame: (frame: LandmarkFrame) => void): Promise<void> {
    if (this.abort) throw new Error('synthetic source already started');
    const abort = (this.abort = new AbortController());
    const fps = this.opts.fps ?? 30;
    const pacer = this.opts.timing === 'fast' ? asFastAsPossible() : realTime;
    const script = this.opts.script.map((s) => ({ label: s.label, durationMs: s.durationMs })) as Parameters<typeof scriptedStream>[0]['script'];
    const totalMs = this.opts.script.reduce((a, s) => a + s.durationMs, 0);
    this.done = (async () => {
      let startTs = this.opts.startTs ?? Date.now();
      for (let round = 0; !abort.signal.aborted; round++) {
        await pacer.run(scriptedStream({ seed: this.opts.seed + round, script, fps, startTs, ...(this.opts.handScale ? { handScale: this.opts.handScale } : {}) }), onFrame, abort.signal);
        if (!this.opts.loop) break;
        startTs += totalMs;
      }
    })().finally(() => this.finish());
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.done;
    this.finish();
  }
}
