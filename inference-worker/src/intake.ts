/**
 * One incoming MQTT message -> a queued work item, an error reply or a counted drop. Never
 * throws: whatever the payload, the worker keeps running (STYLE.md, "catch at boundaries").
 */
import { decodeRequest, WireError, type FeatureSequence, type ModelMetadata, type Trace } from '@helen/schemas';
import { prepareModelInput } from '@helen/features';
import type { Batchable } from './batch-queue';

export type QoS = 0 | 1 | 2;

export interface WorkItem extends Batchable {
  readonly id: string;
  readonly replyTo: string;
  readonly qos: QoS;
  readonly trace: Trace | undefined;
  /** Masked, last seq_len frames: exactly what the model sees. */
  readonly input: FeatureSequence;
  /** performance.now() at receipt, for elapsed_ms. */
  readonly receivedMono: number;
}

export type Intake =
  | { kind: 'accepted'; item: WorkItem }
  | { kind: 'rejected'; id: string; replyTo: string; qos: QoS; trace: Trace | undefined; message: string }
  | { kind: 'dropped'; reason: 'no_reply_to' | 'deadline'; message: string };

/** A topic the worker can publish a reply to: no wildcards, NUL or `$` system topics. */
export function isUsableReplyTo(topic: string): boolean {
  return topic.length > 0 && topic.length <= 512
    && !/[+#\u0000]/.test(topic) && !topic.startsWith('$');
}

export interface IntakeContext {
  readonly metadata: ModelMetadata;
  /** Decode limit: bounds the memory one request can claim before it is rejected. */
  readonly maxFrames: number;
}

export function intake(payload: Uint8Array, qos: QoS, received: number, receivedMono: number, ctx: IntakeContext): Intake {
  let decoded;
  try {
    decoded = decodeRequest(payload, { maxFrames: ctx.maxFrames });
  } catch (err) {
    const wire = err instanceof WireError ? err : undefined;
    const message = wire ? wire.message : `request could not be decoded: ${String(err)}`;
    const replyTo = wire?.reply_to;
    if (replyTo === undefined || !isUsableReplyTo(replyTo)) return { kind: 'dropped', reason: 'no_reply_to', message };
    return { kind: 'rejected', id: wire?.id ?? '', replyTo, qos, trace: undefined, message };
  }
  const { id, reply_to: replyTo, deadline, trace, sequence } = decoded;
  if (!isUsableReplyTo(replyTo)) return { kind: 'dropped', reason: 'no_reply_to', message: `reply_to "${replyTo.slice(0, 64)}" is not a topic a reply can be published to` };
  if (deadline < received) return { kind: 'dropped', reason: 'deadline', message: `deadline passed ${received - deadline} ms before receipt` };
  const reject = (message: string): Intake => ({ kind: 'rejected', id, replyTo, qos, trace, message });
  const featureDim = ctx.metadata.feature_dim;
  if (sequence.featureDim !== featureDim) {
    return reject(`sequence frames have ${sequence.featureDim} features, model ${ctx.metadata.model_id} expects ${featureDim}`);
  }
  let input: FeatureSequence;
  try {
    input = prepareModelInput(sequence, ctx.metadata.seq_len);
  } catch (err) {
    return reject((err as Error).message);
  }
  // Finite values times a finite mask can still overflow float32 (1e30 * 1e30, found by
  // test/fuzz): ONNX would turn the Infinity into NaN probabilities no reply can carry.
  const bad = firstNonFinite(input.data);
  if (bad >= 0) {
    const frame = sequence.frames - input.frames + Math.floor(bad / featureDim);
    return reject(`sequence[${frame}][${bad % featureDim}] times its mask overflows float32: mask values must keep features finite`);
  }
  return { kind: 'accepted', item: { id, replyTo, qos, trace, input, frames: input.frames, deadline, received, receivedMono } };
}

/** Index of the first NaN or infinity, or -1. A plain loop: findIndex with a callback cost
 *  ~15 us per 30x84 window, 3 % of the worker's CPU per request (bench/README.md "Where the CPU goes"). */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}
