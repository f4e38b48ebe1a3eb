/**
 * Windows as MQTT requests to the workers (QoS 0, binary float16 by default, with a deadline)
 * and their replies on `.../predictions`. At most `maxInFlight` requests wait; a newer window
 * takes the place of the oldest waiting one, and an answered window makes every older
 * unanswered one moot: a gesture decision only wants the freshest answer.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  decodeReply, encodeRequestBinary, encodeRequestJson, isErrorReply, type FeatureSequence, type PredictResponse,
} from '@helen/schemas';
import { PendingRequests } from '@helen/runtime';
import type { MqttLink } from '../mqtt/link';
import type { PredictOutcome, Predictor } from './types';

export interface MqttPredictorOptions {
  deviceId: string;
  encoding: 'f16' | 'f32' | 'json';
  maxInFlight: number;
  timeoutMs: number;
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

/** Every way a request ends without a result. */
export type PredictFailure = Exclude<PredictOutcome, { kind: 'result' }>;

interface Answer {
  reply: PredictResponse;
  received: number;
}

const NOT_CONNECTED: PredictFailure = { kind: 'unavailable', reason: 'MQTT broker not connected' };

export class MqttPredictor implements Predictor {
  readonly servedBy = 'cloud' as const;
  private readonly requests: PendingRequests<Answer, PredictFailure>;
  private seqNo = 0;
  private readonly boot = randomBytes(3).toString('hex');
  private readonly counts = { sent: 0, answered: 0, errors: 0, late: 0, bytesSent: 0 };
  private readonly predictTopic: string;

  constructor(private readonly link: MqttLink, private readonly opts: MqttPredictorOptions, private readonly log: Logger) {
    this.predictTopic = link.topics.predict(opts.deviceId);
    this.requests = new PendingRequests<Answer, PredictFailure>({
      timeoutMs: opts.timeoutMs,
      maxPending: opts.maxInFlight,
      send: (id, payload) => {
        if (!this.link.publish(this.predictTopic, payload, 0)) {
          this.requests.fail(id, NOT_CONNECTED);
          return;
        }
        this.counts.sent++;
        this.counts.bytesSent += payload.length;
      },
      timedOut: () => ({ kind: 'timeout' }),
      superseded: () => ({ kind: 'superseded' }),
    });
    link.onReply((p) => this.onReply(p));
  }

  get pending(): number {
    return this.requests.size;
  }

  get stats(): MqttPredictorStats {
    const { superseded, timeouts } = this.requests.counters;
    return { ...this.counts, superseded, timeouts };
  }

  async predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    if (!this.link.connected) return NOT_CONNECTED;
    const id = `${this.opts.deviceId}.${this.boot}.${++this.seqNo}`;
    const now = Date.now();
    const trace = { capture: captureTs, publish: now };
    const fields = { id, reply_to: this.link.predictionsTopic, deadline: now + this.opts.timeoutMs, trace };
    let payload: Buffer;
    try {
      payload = this.opts.encoding === 'json' ? encodeRequestJson(fields, seq) : encodeRequestBinary(fields, seq, this.opts.encoding);
    } catch (err) {
      return { kind: 'error', message: (err as Error).message };
    }
    const settled = await this.requests.request(id, payload);
    if (!settled.ok) return settled.failure;
    const { reply, received } = settled.value;
    return {
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
        trace: { ...trace, ...(reply.trace ?? {}), received },
      },
    };
  }

  /** Settles everything waiting (shutdown, or the link went down). */
  cancelAll(outcome: PredictFailure): void {
    this.requests.failAll(outcome);
  }

  private onReply(payload: Buffer): void {
    const received = Date.now();
    let reply;
    try {
      reply = decodeReply(payload);
    } catch (err) {
      this.counts.errors++;
      this.log.warn({ err: (err as Error).message }, 'unreadable reply dropped');
      return;
    }
    if (!this.requests.has(reply.id)) {
      this.counts.late++;
      return;
    }
    // Older windows still waiting are moot now.
    this.requests.supersedeOlderThan(reply.id);
    if (isErrorReply(reply)) {
      this.counts.errors++;
      this.requests.fail(reply.id, { kind: 'error', message: `${reply.error.code}: ${reply.error.message}` });
      return;
    }
    this.counts.answered++;
    this.requests.resolve(reply.id, { reply, received });
  }
}
