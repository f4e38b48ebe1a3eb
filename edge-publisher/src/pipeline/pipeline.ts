/**
 * Frames in, gesture events out: features -> window -> gates -> (every `stride` frames) a
 * prediction request -> decision engine -> sinks. `onFrame` never waits: predictions come
 * back asynchronously and sinks queue their own work.
 */
import type { Logger } from 'pino';
import { FrameFeaturizer, minPartialFrames } from '@helen/features';
import type { GestureEvent, LandmarkFrame } from '@helen/schemas';
import { DecisionEngine, type DecisionOutcome, type GestureDecision } from '../decision/engine';
import type { DecisionSettings } from '../decision/settings';
import type { WindowStats } from '../decision/stats';
import type { ModelInfo } from '../model-info';
import type { PredictionResult, Predictor } from '../predict/types';
import type { GestureSink } from '../sinks/types';
import { DEFAULT_RESAMPLE, FrameRateNormalizer, type ResampleOptions } from './resample';
import { HopTimings } from './timings';
import { EdgeWindow } from './window';

export interface PipelineOptions {
  model: ModelInfo;
  decision: Partial<DecisionSettings>;
  stride: number;
  deviceId: string;
  sessionId: string;
  predictor: Predictor;
  sinks: readonly GestureSink[];
  log: Logger;
  /** Frame-rate normalisation to the model's frame rate (resample.ts); default 30 fps. */
  resample?: ResampleOptions;
}

export interface PipelineCounters {
  frames: number;
  badFrames: number;
  gatedFrames: number;
  requests: number;
  results: number;
  superseded: number;
  timeouts: number;
  unavailable: number;
  errors: number;
  events: number;
  suppressed: number;
}

export type PredictionListener = (r: PredictionResult, d: DecisionOutcome) => void;
/** `decision.ts` is the capture time of the newest frame of the window that decided. */
export type EventListener = (e: GestureEvent, decision: GestureDecision) => void;

export class EdgePipeline {
  private decisionEngine: DecisionEngine;
  readonly timings = new HopTimings();
  readonly counters: PipelineCounters = { frames: 0, badFrames: 0, gatedFrames: 0, requests: 0, results: 0, superseded: 0, timeouts: 0, unavailable: 0, errors: 0, events: 0, suppressed: 0 };
  private readonly featurizer: FrameFeaturizer;
  private readonly window: EdgeWindow;
  private readonly resampler: FrameRateNormalizer;
  private readonly minFrames: number;
  private sinceSend: number;
  private sequence = 0;
  private readonly predictionListeners: PredictionListener[] = [];
  private readonly eventListeners: EventListener[] = [];
  private readonly gateListeners: ((stats: WindowStats, open: boolean) => void)[] = [];
  private readonly sendListeners: ((stats: WindowStats) => void)[] = [];
  private stopped = false;
  private lastResult: PredictionResult | undefined;
  /** Bumped by setDecision: answers to windows sent before belong to the old engine. */
  private engineGeneration = 0;

  constructor(private readonly opts: PipelineOptions) {
    const m = opts.model;
    this.featurizer = new FrameFeaturizer({ useZ: m.useZ });
    if (this.featurizer.featureDim !== m.featureDim) {
      throw new Error(`model metadata says feature_dim ${m.featureDim}, but use_z=${m.useZ} gives ${this.featurizer.featureDim}`);
    }
    this.window = new EdgeWindow(m.seqLen, m.featureDim);
    this.resampler = new FrameRateNormalizer(opts.resample ?? DEFAULT_RESAMPLE);
    this.minFrames = minPartialFrames(m.seqLen);
    this.decisionEngine = new DecisionEngine(m.labels, opts.decision);
    this.sinceSend = opts.stride;
  }

  get engine(): DecisionEngine {
    return this.decisionEngine;
  }

  /**
   * New decision numbers on top of the configured ones (a sensitivity preset chosen on the
   * display). The engine starts over: a held label, votes and smoothing belong to the old
   * numbers. Windows already sent answer into the new engine's epoch check and are dropped.
   */
  setDecision(numbers: Partial<DecisionSettings>): void {
    this.decisionEngine = new DecisionEngine(this.opts.model.labels, { ...this.opts.decision, ...numbers });
    this.engineGeneration++;
  }

  get last(): PredictionResult | undefined {
    return this.lastResult;
  }

  onPrediction(fn: PredictionListener): void {
    this.predictionListeners.push(fn);
  }

  onEvent(fn: EventListener): void {
    this.eventListeners.push(fn);
  }

  /** Every frame's gate decision (benchmarks replay the decision engine from these). */
  onGate(fn: (stats: WindowStats, open: boolean) => void): void {
    this.gateListeners.push(fn);
  }

  /** Every window sent for a prediction, with the stats the decision will see. */
  onSend(fn: (stats: WindowStats) => void): void {
    this.sendListeners.push(fn);
  }

  stop(): void {
    this.stopped = true;
  }

  onFrame(frame: LandmarkFrame): void {
    if (this.stopped) return;
    this.counters.frames++;
    try {
      // Frames interpolated into a gap first (resample.ts), then this one; only this one is gated and may be sent.
      for (const f of this.resampler.push(frame)) {
        const features = this.featurizer.push(f);
        const score = f.hands.length === 0 ? 0 : f.hands.reduce((a, h) => a + h.score, 0) / f.hands.length;
        this.window.push(features, score);
      }
    } catch (err) {
      // One bad frame (e.g. a malformed landmark from a page) must not stop the stream.
      this.resampler.reset();
      this.counters.badFrames++;
      if (this.counters.badFrames <= 5 || this.counters.badFrames % 1000 === 0) this.opts.log.warn({ err: (err as Error).message, bad: this.counters.badFrames }, 'frame skipped');
      return;
    }
    const stats = this.window.stats(false, this.engine.settings.areaFrames);
    const open = this.engine.gate(stats);
    for (const l of this.gateListeners) l(stats, open);
    if (!open) {
      this.counters.gatedFrames++;
      this.sinceSend = this.opts.stride; // send at once when a hand is back
      return;
    }
    this.sinceSend++;
    if (this.window.length < this.minFrames || this.sinceSend < this.opts.stride) return;
    this.sinceSend = 0;
    this.send(this.window.stats(true, this.engine.settings.areaFrames));
  }

  private send(stats: WindowStats): void {
    const seq = this.window.toSequence();
    const epoch = this.engine.epoch;
    const generation = this.engineGeneration;
    this.counters.requests++;
    for (const l of this.sendListeners) l(stats);
    void this.opts.predictor.predict(seq, stats.ts).then((out) => {
      if (this.stopped) return;
      switch (out.kind) {
        case 'result': return generation === this.engineGeneration ? this.onResult(out.result, stats, epoch) : undefined;
        case 'superseded': this.counters.superseded++; return;
        case 'timeout': this.counters.timeouts++; return;
        case 'unavailable': this.counters.unavailable++; return;
        case 'error':
          this.counters.errors++;
          this.opts.log.warn({ err: out.message }, 'prediction failed');
          return;
      }
    });
  }

  private onResult(result: PredictionResult, stats: WindowStats, epoch: number): void {
    this.counters.results++;
    this.lastResult = result;
    this.timings.addTrace(result.trace);
    let decision: DecisionOutcome;
    try {
      decision = this.engine.onPrediction(result.probabilities, stats, epoch);
    } catch (err) {
      this.counters.errors++;
      this.opts.log.warn({ err: (err as Error).message }, 'prediction does not fit the model metadata');
      return;
    }
    for (const l of this.predictionListeners) l(result, decision);
    if (decision.suppressed) {
      this.counters.suppressed++;
      this.opts.log.debug(decision.suppressed, 'gesture held back by its cooldown');
    }
    if (!decision.fired) return;
    const event: GestureEvent = {
      gesture: decision.fired.label,
      character: decision.fired.label,
      score: Math.round(decision.fired.score * 1e4) / 1e4,
      timestamp: new Date().toISOString(),
      session_id: this.opts.sessionId,
      sequence: ++this.sequence,
      source: 'edge-publisher',
      device: this.opts.deviceId,
      served_by: result.servedBy,
    };
    this.counters.events++;
    const fromResult = Date.now() - (result.trace.received ?? Date.now());
    this.timings.add('result_to_event_ms', fromResult);
    this.opts.log.info({ gesture: event.gesture, score: event.score, served_by: event.served_by, early: decision.fired.early, latency_ms: Date.now() - stats.ts }, 'gesture');
    for (const sink of this.opts.sinks) {
      try {
        sink.send(event);
      } catch (err) {
        this.opts.log.warn({ sink: sink.name, err: (err as Error).message }, 'sink failed');
      }
    }
    for (const l of this.eventListeners) l(event, decision.fired);
  }
}
