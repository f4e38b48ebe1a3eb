/**
 * Chooses the inference path per window: the cloud (MQTT workers or the HTTP facade) while
 * it answers, the local ONNX model when it stops answering (`after` consecutive timeouts, the
 * broker gone, or the workers' retained status saying none is online), and the cloud again
 * when it returns: the workers' status says online again, or a probe (one window every
 * `probeMs` also sent to the cloud while the local model serves) is answered.
 */
import type { Logger } from 'pino';
import type { FeatureSequence } from '@helen/schemas';
import type { PredictOutcome, Predictor, ServedBy } from './types';

export interface RouterOptions {
  /** Consecutive timeouts that switch to the fallback. */
  after: number;
  probeMs: number;
}

export type PathChange = { path: ServedBy; reason: string };

export class PredictionRouter implements Predictor {
  private usingFallback = false;
  private failures = 0;
  private lastProbe = 0;
  private probing = false;
  private readonly listeners: ((c: PathChange) => void)[] = [];
  readonly stats = { switchesToFallback: 0, switchesToCloud: 0, served: { cloud: 0, edge: 0, http: 0 } as Record<ServedBy, number> };

  constructor(
    private readonly primary: Predictor,
    private fallback: Predictor | undefined,
    private readonly opts: RouterOptions,
    private readonly log: Logger,
  ) {}

  get servedBy(): ServedBy {
    return this.usingFallback && this.fallback ? this.fallback.servedBy : this.primary.servedBy;
  }

  get fallbackActive(): boolean {
    return this.usingFallback;
  }

  onChange(fn: (c: PathChange) => void): void {
    this.listeners.push(fn);
  }

  /** The primary is known to be unable to answer (broker down, no worker online). */
  primaryDown(reason: string): void {
    if (this.fallback && !this.usingFallback) this.switchTo(true, reason);
  }

  /**
   * The fallback turned out unusable (e.g. the local model differs from the cloud's): it is
   * never switched to again, and if it was serving, the cloud takes over.
   */
  disableFallback(reason: string): void {
    const wasServing = this.usingFallback;
    this.fallback = undefined;
    if (wasServing) this.switchTo(false, reason);
  }

  /** The primary is known to be back (workers online again). */
  primaryUp(reason: string): void {
    if (this.usingFallback) this.switchTo(false, reason);
  }

  async predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    if (!this.usingFallback || !this.fallback) {
      const out = await this.primary.predict(seq, captureTs);
      this.notePrimary(out);
      return this.count(out);
    }
    const now = Date.now();
    if (!this.probing && now - this.lastProbe >= this.opts.probeMs) {
      this.lastProbe = now;
      this.probing = true;
      // The probe's answer only tells whether the cloud is back; the local model answers this window.
      void this.primary.predict(seq, captureTs).then((out) => {
        this.probing = false;
        if (out.kind === 'result') this.primaryUp('a cloud probe was answered');
      });
    }
    return this.count(await this.fallback.predict(seq, captureTs));
  }

  private count(out: PredictOutcome): PredictOutcome {
    if (out.kind === 'result') this.stats.served[out.result.servedBy]++;
    return out;
  }

  private notePrimary(out: PredictOutcome): void {
    if (out.kind === 'result' || out.kind === 'error') {
      // An error reply still proves a worker is there.
      this.failures = 0;
      return;
    }
    if (out.kind === 'unavailable') {
      this.primaryDown(out.reason);
      return;
    }
    if (out.kind === 'timeout') {
      this.failures++;
      if (this.failures >= this.opts.after) this.primaryDown(`${this.failures} requests in a row got no reply in time`);
    }
  }

  private switchTo(fallback: boolean, reason: string): void {
    this.usingFallback = fallback;
    this.failures = 0;
    this.lastProbe = Date.now();
    if (fallback) this.stats.switchesToFallback++;
    else this.stats.switchesToCloud++;
    const path = this.servedBy;
    this.log.warn({ path, reason }, fallback ? 'switching to the local model' : 'back to the cloud');
    for (const l of this.listeners) l({ path, reason });
  }
}
