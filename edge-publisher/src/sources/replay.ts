/**
 * Replays a recording (JSON Lines of landmark frames, as `helen edge record` writes): at
 * the recorded frame times, re-stamped from the wall clock at start so latencies read like
 * live ones, or as fast as possible with the recorded stamps (the decision engine runs on
 * frame time, so it decides the same either way). A malformed line fails start() with
 * `file:line: reason`.
 */
import { readRecording } from '@helen/synthetic-signer';
import type { LandmarkFrame } from '@helen/schemas';
import { asFastAsPossible, realTime } from './pacing';
import type { LandmarkSource } from './source';

export interface ReplaySourceOptions {
  file: string;
  timing: 'recorded' | 'fast';
  loop?: boolean;
}

export class ReplaySource implements LandmarkSource {
  readonly kind = 'replay' as const;
  readonly finished: Promise<void>;
  private finish!: () => void;
  private abort: AbortController | undefined;
  private done: Promise<void> | undefined;

  constructor(private readonly opts: ReplaySourceOptions) {
    this.finished = new Promise((r) => (this.finish = r));
  }

  async start(onFrame: (frame: LandmarkFrame) => void): Promise<void> {
    if (this.abort) throw new Error('replay source already started');
    const frames = await readRecording(this.opts.file);
    if (frames.length === 0) throw new Error(`${this.opts.file}: the recording holds no frames`);
    const abort = (this.abort = new AbortController());
    const fast = this.opts.timing === 'fast';
    const first = (frames[0] as LandmarkFrame).ts;
    const span = (frames[frames.length - 1] as LandmarkFrame).ts - first + 1000 / 30;
    this.done = (async () => {
      let offset = fast ? 0 : Date.now() - first;
      do {
        const stamped = frames.map((f) => ({ ...f, ts: f.ts + offset, source: 'replay' }));
        await (fast ? asFastAsPossible() : realTime).run(stamped, onFrame, abort.signal);
        offset += span;
      } while (this.opts.loop && !abort.signal.aborted);
    })().finally(() => this.finish());
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.done;
    this.finish();
  }
}
