/**
 * Windows as MQTT requests to the workers (QoS 0, binary float16 by default, with a deadline)
 * and their replies on `.../predictions`. At most `maxInFlight` requests wait; a newer window
 * takes the place of the oldest waiting one, and an answered window makes every older
 * unanswered one moot: a gesture decision only wants the freshest answer.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeReply, encodeRequestBinary, encodeRequestJson, type FeatureSequence } from '@helen/schemas';
import type { MqttLink } from '../mqtt/link';
import type { PredictOutcome, Predictor } from './types';

export interface MqttPredictorOptions {
  deviceId: string;
  encoding: 'f16' | 'f32' | 'json';
  maxInFlight: number;
  timeoutMs: number;
}

interface InFlight {
  seqNo: number;
  resolve(o: PredictOutcome): void;
  timer: NodeJS.Timeout;
  trace: Record<string, number>;
}

export interface MqttPredictorStats {
  sent: number;
  answered: number;
  superseded: number;
  timeouts: number;
  errors: number;
  /** Replies that came after their request was settled (superseded or timed out). */
  late: number;
  bytesSent: number;
}

export class MqttPredictor implements Predictor {
  readonly servedBy = 'cloud' as const;
  private readonly inFlight = new Map<string, InFlight>();
  private seqNo = 0;
  private readonly boot = randomBytes(3).toString('hex');
  readonly stats: MqttPredictorStats = { sent: 0, answered: 0, superseded: 0, timeouts: 0, errors: 0, late: 0, bytesSent: 0 };

  private readonly predictTopic: string;

  constructor(private readonly link: MqttLink, private readonly opts: MqttPredictorOptions, private readonly log: Logger) {
    this.predictTopic = link.topics.predict(opts.deviceId);
    link.on({ reply: (p) => this.onReply(p) });
  }

  get pending(): number {
    return this.inFlight.size;
  }

  predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    if (!this.link.connected) return Promise.resolve({ kind: 'unavailable', reason: 'MQTT broker not connected' });
    const seqNo = ++this.seqNo;
    const id = `${this.opts.deviceId}.${this.boot}.${seqNo}`;
    const now = Date.now();
    const trace = { capture: captureTs, publish: now };
    const fields = { id, reply_to: this.link.predictionsTopic, deadline: now + this.opts.timeoutMs, trace };
    let payload: Buffer;
    try {
      payload = this.opts.encoding === 'json' ? encodeRequestJson(fields, seq) : encodeRequestBinary(fields, seq, this.opts.encoding);
    } catch (err) {
      return Promise.resolve({ kind: 'error', message: (err as Error).message });
    }
    while (this.inFlight.size >= this.opts.maxInFlight) {
      const oldest = this.inFlight.keys().next().value as string;
      this.settle(oldest, { kind: 'superseded' });
      this.stats.superseded++;
    }
    return new Promise<PredictOutcome>((resolve) => {
      const timer = setTimeout(() => {
        if (this.settle(id, { kind: 'timeout' })) this.stats.timeouts++;
      }, this.opts.timeoutMs);
      this.inFlight.set(id, { seqNo, resolve, timer, trace });
      if (!this.link.publish(this.predictTopic, payload, 0)) {
        this.settle(id, { kind: 'unavailable', reason: 'MQTT broker not connected' });
        return;
      }
      this.stats.sent++;
      this.stats.bytesSent += payload.length;
    });
  }

  /** Settles everything waiting (shutdown, or the link went down). */
  cancelAll(outcome: PredictOutcome): void {
    for (const id of [...this.inFlight.keys()]) this.settle(id, outcome);
  }

  private settle(id: string, outcome: PredictOutcome): boolean {
    const entry = this.inFlight.get(id);
    if (!entry) return false;
    this.inFlight.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(outcome);
    return true;
  }

  private onReply(payload: Buffer): void {
    const received = Date.now();
    let reply;
    try {
      reply = decodeReply(payload);
    } catch (err) {
      this.stats.errors++;
      this.log.warn({ err: (err as Error).message }, 'unreadable reply dropped');
      return;
    }
    const entry = this.inFlight.get(reply.id);
    if (!entry) {
      this.stats.late++;
      return;
    }
    // Older windows still waiting are moot now.
    for (const [id, other] of this.inFlight) {
      if (other.seqNo < entry.seqNo && this.settle(id, { kind: 'superseded' })) this.stats.superseded++;
    }
    if ('error' in reply) {
      this.stats.errors++;
      const e = reply.error as { code: string; message: string };
      this.settle(reply.id, { kind: 'error', message: `${e.code}: ${e.message}` });
      return;
    }
    this.stats.answered++;
    const trace = { ...entry.trace, ...(reply.trace ?? {}), received };
    this.settle(reply.id, {
      kind: 'result',
      result: {
        id: reply.id,
        probabilities: reply.probabilities,
        label: reply.prediction,
        topIndex: reply.top_index,
        topProbability: reply.top_probability,
        servedBy: 'cloud',
        model: reply.model,
        worker: reply.worker,
        trace,
      },
    });
  }
}
