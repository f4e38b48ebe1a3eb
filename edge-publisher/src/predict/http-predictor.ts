/**
 * HTTP mode, for a cloud that only offers the original facade: POST {sequence, mask} to
 * `${HELEN_CLOUD_API_URL}/predict`, as the original model/cloud_inference_client.py did:
 * HELEN_CLOUD_TIMEOUT per attempt, HELEN_CLOUD_RETRIES more attempts with a
 * min(2^attempt * 0.2 s, 2 s) pause between them, and /metadata cached for
 * HELEN_CLOUD_METADATA_TTL. One request at a time; a window that arrives while one is out
 * waits, and a newer one takes its place.
 */
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { sequenceToRows, type FeatureSequence } from '@helen/schemas';
import type { ModelInfo } from '../model-info';
import type { PredictOutcome, Predictor } from './types';

export interface HttpPredictorOptions {
  url: string;
  timeoutMs: number;
  retries: number;
  metadataTtlMs: number;
  /** Sent as `Authorization: Bearer <token>` when the facade requires tokens. */
  token?: string | undefined;
}

interface Waiting {
  seq: FeatureSequence;
  captureTs: number;
  resolve(o: PredictOutcome): void;
}

export class HttpPredictor implements Predictor {
  readonly servedBy = 'http' as const;
  readonly stats = { sent: 0, answered: 0, failed: 0, retries: 0, superseded: 0 };
  private busy = false;
  private waiting: Waiting | undefined;
  private metadataCache: { info: ModelInfo; at: number } | undefined;
  private readonly abort = new AbortController();
  private seqNo = 0;

  constructor(private readonly opts: HttpPredictorOptions, private readonly log: Logger) {}

  /** GET /metadata, cached for the TTL; throws a clear error when the facade cannot be reached. */
  async metadata(force = false): Promise<ModelInfo> {
    const c = this.metadataCache;
    if (!force && c && Date.now() - c.at < this.opts.metadataTtlMs) return c.info;
    const res = await this.request('GET', '/metadata');
    if (!res.ok) throw new Error(`GET ${this.opts.url}/metadata failed after ${this.opts.retries + 1} attempts: ${res.error}`);
    // Not validateModelMetadata: the original facade's /metadata carries only these fields
    // (no sha256, input, output), and HTTP mode exists to talk to it.
    const m = res.body as Record<string, unknown>;
    const labels = m.class_labels;
    if (typeof m.seq_len !== 'number' || typeof m.feature_dim !== 'number' || !Array.isArray(labels) || typeof m.use_z !== 'boolean') {
      throw new Error(`GET ${this.opts.url}/metadata: missing seq_len, use_z, feature_dim or class_labels`);
    }
    const info: ModelInfo = {
      seqLen: m.seq_len, useZ: m.use_z, featureDim: m.feature_dim, labels: labels.map(String),
      modelId: typeof m.model_id === 'string' ? m.model_id : typeof m.model === 'string' ? m.model : undefined,
    };
    this.metadataCache = { info, at: Date.now() };
    return info;
  }

  predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    return new Promise((resolve) => {
      if (this.waiting) {
        this.waiting.resolve({ kind: 'superseded' });
        this.stats.superseded++;
      }
      this.waiting = { seq, captureTs, resolve };
      if (!this.busy) void this.pump();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.waiting?.resolve({ kind: 'unavailable', reason: 'stopping' });
    this.waiting = undefined;
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      for (let w = this.waiting; w; w = this.waiting) {
        this.waiting = undefined;
        w.resolve(await this.send(w.seq, w.captureTs));
      }
    } finally {
      this.busy = false;
    }
  }

  private async send(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    const publish = Date.now();
    // The original client's body: {"sequence": [[F] x T], "mask": [[mL, mR] x T]}.
    const body = sequenceToRows(seq);
    this.stats.sent++;
    const res = await this.request('POST', '/predict', body);
    const received = Date.now();
    if (!res.ok) {
      this.stats.failed++;
      return { kind: 'timeout' };
    }
    // Not validatePredictResponse: that is the MQTT reply (v, id, batch_size required); a
    // facade's /predict answer has the original fields only, some of them optional.
    const r = res.body as Record<string, unknown>;
    if (!Array.isArray(r.probabilities) || typeof r.prediction !== 'string' || typeof r.top_index !== 'number') {
      this.stats.failed++;
      return { kind: 'error', message: 'the /predict answer lacks prediction, probabilities or top_index' };
    }
    this.stats.answered++;
    const trace: Record<string, number> = { capture: captureTs, publish, received };
    if (typeof r.elapsed_ms === 'number') trace.inference_ms = r.elapsed_ms;
    return {
      kind: 'result',
      result: {
        id: `http.${++this.seqNo}`,
        probabilities: r.probabilities as number[],
        label: r.prediction,
        topIndex: r.top_index,
        topProbability: typeof r.top_probability === 'number' ? r.top_probability : Number(r.probabilities[r.top_index]),
        servedBy: 'http',
        model: typeof r.model === 'string' ? r.model : undefined,
        worker: typeof r.worker === 'string' ? r.worker : undefined,
        trace,
      },
    };
  }

  /**
   * One request with the original client's retries: HELEN_CLOUD_TIMEOUT per attempt, then
   * HELEN_CLOUD_RETRIES more after pauses of min(2^attempt x 0.2 s, 2 s), no jitter (p-retry's
   * minTimeout x factor^n capped at maxTimeout). stop() cuts both an attempt and a pause short.
   */
  private async request(method: 'GET' | 'POST', path: string, json?: unknown): Promise<{ ok: true; body: unknown } | { ok: false; error: string }> {
    const attempts = this.opts.retries + 1;
    const signal = this.abort.signal;
    try {
      const body = await pRetry(async (attempt) => {
        if (attempt > 1) this.stats.retries++;
        const res = await fetch(`${this.opts.url}${path}`, {
          method,
          headers: {
            ...(json === undefined ? {} : { 'content-type': 'application/json' }),
            ...(this.opts.token === undefined ? {} : { authorization: `Bearer ${this.opts.token}` }),
          },
          body: json === undefined ? null : JSON.stringify(json),
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs)]),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
        return JSON.parse(text) as unknown;
      }, {
        retries: this.opts.retries,
        minTimeout: 200,
        factor: 2,
        maxTimeout: 2000,
        randomize: false,
        signal,
        onFailedAttempt: ({ error, attemptNumber }) => {
          this.log.warn({ attempt: attemptNumber, of: attempts, err: error.message, path }, 'cloud request failed');
        },
      });
      return { ok: true, body };
    } catch (err) {
      return { ok: false, error: signal.aborted ? 'stopped' : (err as Error).message };
    }
  }
}
