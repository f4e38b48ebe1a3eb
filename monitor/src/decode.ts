/**
 * One MQTT message -> one event the monitor prints. Pure: the topic layout and the payload
 * codecs all come from @helen/schemas (the same decoders the worker and the edge use), the
 * clock comes from the caller. A payload that does not decode becomes an `undecodable` event
 * carrying the decoder's own reason; nothing here throws on bad input.
 */
import {
  decodeReply, decodeRequest, isErrorReply, isValidTopicId, validateGestureEvent, validateModelMetadata,
  validateStatusMessage, WireError, type Topics,
} from '@helen/schemas';

/** What a topic is, by the schemas' topic layout. */
export type TopicKind =
  | { kind: 'request'; device: string }
  | { kind: 'predictions'; device: string }
  | { kind: 'api-replies'; instance: string }
  | { kind: 'gesture'; device: string }
  | { kind: 'device-status'; device: string }
  | { kind: 'worker-status'; worker: string }
  | { kind: 'metadata' }
  | { kind: 'other' };

/*
 * The events are also the `--json` output (one object per line, plus `ts`), so their fields
 * are snake_case like the wire payloads they summarise.
 */
export interface RequestEvent {
  type: 'request';
  topic: string;
  device: string;
  id: string;
  frames: number;
  features: number;
  encoding: 'json' | 'f16' | 'f32';
  mask: boolean;
  /** deadline - the monitor's clock when the message arrived (negative: already late). */
  deadline_left_ms: number;
  reply_to: string;
  bytes: number;
}

export interface ReplyEvent {
  type: 'reply';
  topic: string;
  /** The device of a predictions topic; for a facade reply, the device of the request when the monitor saw it. */
  device?: string;
  /** The facade instance of a `<prefix>/api/{instance}/replies` topic. */
  instance?: string;
  id: string;
  label: string;
  score: number;
  worker: string;
  model: string;
  elapsed_ms: number;
  batch_size: number;
  /** Request seen -> reply seen, by the monitor's clock (only when it saw the request). */
  latency_ms?: number;
  bytes: number;
}

export interface ErrorReplyEvent {
  type: 'error';
  topic: string;
  device?: string;
  instance?: string;
  id: string;
  code: string;
  message: string;
  worker?: string;
  latency_ms?: number;
  bytes: number;
}

export interface GestureEventSummary {
  type: 'gesture';
  topic: string;
  device: string;
  label: string;
  score: number;
  sequence: number;
  served_by?: string;
  bytes: number;
}

export interface StatusEvent {
  type: 'status';
  topic: string;
  role: 'device' | 'worker';
  /** Device or worker id, from the topic. */
  name: string;
  state: 'online' | 'offline' | 'draining';
  model?: string;
  bytes: number;
}

export interface MetadataEvent {
  type: 'metadata';
  topic: string;
  model_id: string;
  classes: number;
  seq_len: number;
  feature_dim: number;
  bytes: number;
}

/** An empty retained payload: the publisher deleted the retained message of a status or metadata topic. */
export interface ClearedEvent {
  type: 'cleared';
  topic: string;
  kind: 'device-status' | 'worker-status' | 'metadata';
  name?: string;
  bytes: 0;
}

export interface OtherEvent {
  type: 'other';
  topic: string;
  bytes: number;
  /** The first bytes: as text when they are printable UTF-8, else hex. */
  head: string;
  head_encoding: 'text' | 'hex';
}

export interface UndecodableEvent {
  type: 'undecodable';
  topic: string;
  /** What the topic said the payload should be. */
  kind: Exclude<TopicKind['kind'], 'other'>;
  device?: string;
  /** The facade instance of an api replies topic. */
  instance?: string;
  /** The request or reply id, when the decoder could still read it. */
  id?: string;
  reason: string;
  bytes: number;
}

export type MonitorEvent =
  | RequestEvent | ReplyEvent | ErrorReplyEvent | GestureEventSummary | StatusEvent | MetadataEvent
  | ClearedEvent | OtherEvent | UndecodableEvent;

const HEAD_BYTES = 32;

/**
 * The topic's kind. The second level after the prefix is the only id a Helen topic carries;
 * a candidate is accepted only when the schemas' own builder makes exactly this topic from it.
 */
export function classifyTopic(topics: Topics, topic: string): TopicKind {
  if (topic === topics.modelMetadata()) return { kind: 'metadata' };
  const device = topics.parsePredict(topic);
  if (device !== undefined) return { kind: 'request', device };
  const worker = topics.parseWorkerStatus(topic);
  if (worker !== undefined) return { kind: 'worker-status', worker };
  if (!topic.startsWith(`${topics.prefix}/`)) return { kind: 'other' };
  const id = topic.slice(topics.prefix.length + 1).split('/')[1];
  if (id === undefined || !isValidTopicId(id)) return { kind: 'other' };
  if (topic === topics.predictions(id)) return { kind: 'predictions', device: id };
  if (topic === topics.gestures(id)) return { kind: 'gesture', device: id };
  if (topic === topics.deviceStatus(id)) return { kind: 'device-status', device: id };
  if (topic === topics.apiReplies(id)) return { kind: 'api-replies', instance: id };
  return { kind: 'other' };
}

/** The device a topic belongs to, when it names one. */
function deviceOf(t: TopicKind): string | undefined {
  return t.kind === 'request' || t.kind === 'predictions' || t.kind === 'gesture' || t.kind === 'device-status' ? t.device : undefined;
}

function utf8Json(payload: Uint8Array): unknown {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  return JSON.parse(text);
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function decodeMessage(topics: Topics, topic: string, payload: Uint8Array, nowMs: number): MonitorEvent {
  const kind = classifyTopic(topics, topic);
  const bytes = payload.length;
  if (kind.kind === 'other') return otherEvent(topic, payload);
  const device = deviceOf(kind);
  const instance = kind.kind === 'api-replies' ? kind.instance : undefined;
  const undecodable = (reason: string, id?: string): UndecodableEvent => ({
    type: 'undecodable', topic, kind: kind.kind, ...(device !== undefined ? { device } : {}), ...(instance !== undefined ? { instance } : {}),
    ...(id !== undefined ? { id } : {}), reason, bytes,
  });
  if (bytes === 0) {
    if (kind.kind === 'device-status' || kind.kind === 'worker-status' || kind.kind === 'metadata') {
      const name = kind.kind === 'device-status' ? kind.device : kind.kind === 'worker-status' ? kind.worker : undefined;
      return { type: 'cleared', topic, kind: kind.kind, ...(name !== undefined ? { name } : {}), bytes: 0 };
    }
    return undecodable('empty payload');
  }
  try {
    switch (kind.kind) {
      case 'request': {
        const req = decodeRequest(payload);
        return {
          type: 'request', topic, device: kind.device, id: req.id, frames: req.sequence.frames, features: req.sequence.featureDim,
          encoding: req.encoding, mask: req.sequence.mask !== undefined, deadline_left_ms: Math.round(req.deadline - nowMs), reply_to: req.reply_to, bytes,
        };
      }
      case 'predictions':
      case 'api-replies': {
        const reply = decodeReply(payload);
        const where = kind.kind === 'predictions' ? { device: kind.device } : { instance: kind.instance };
        if (isErrorReply(reply)) {
          return {
            type: 'error', topic, ...where, id: reply.id, code: reply.error.code, message: reply.error.message,
            ...(reply.worker !== undefined ? { worker: reply.worker } : {}), bytes,
          };
        }
        return {
          type: 'reply', topic, ...where, id: reply.id, label: reply.prediction, score: reply.top_probability, worker: reply.worker,
          model: reply.model, elapsed_ms: reply.elapsed_ms, batch_size: reply.batch_size, bytes,
        };
      }
      case 'gesture': {
        const checked = validateGestureEvent(utf8Json(payload));
        if (!checked.ok) return undecodable(`invalid gesture event: ${checked.error}`);
        const g = checked.value;
        return {
          type: 'gesture', topic, device: kind.device, label: g.gesture, score: g.score, sequence: g.sequence,
          ...(g.served_by !== undefined ? { served_by: g.served_by } : {}), bytes,
        };
      }
      case 'device-status':
      case 'worker-status': {
        const checked = validateStatusMessage(utf8Json(payload));
        if (!checked.ok) return undecodable(`invalid status: ${checked.error}`);
        const s = checked.value;
        return {
          type: 'status', topic, role: kind.kind === 'device-status' ? 'device' : 'worker',
          name: kind.kind === 'device-status' ? kind.device : kind.worker, state: s.state, ...(s.model !== undefined ? { model: s.model } : {}), bytes,
        };
      }
      case 'metadata': {
        const checked = validateModelMetadata(utf8Json(payload));
        if (!checked.ok) return undecodable(`invalid model metadata: ${checked.error}`);
        const m = checked.value;
        return { type: 'metadata', topic, model_id: m.model_id, classes: m.class_labels.length, seq_len: m.seq_len, feature_dim: m.feature_dim, bytes };
      }
    }
  } catch (err) {
    // WireError keeps the id when it was still readable: worth showing next to the reason.
    return undecodable(reasonOf(err), err instanceof WireError ? err.id : undefined);
  }
}

/** Printable text (no control characters but tab and line breaks) or hex: what `mosquitto_sub` would show, made safe for one line. */
function otherEvent(topic: string, payload: Uint8Array): OtherEvent {
  const head = payload.subarray(0, HEAD_BYTES);
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    // A multi-byte character cut at HEAD_BYTES is still text: retry without its tail.
    text = payload.length > HEAD_BYTES ? cutUtf8(head) : undefined;
  }
  // Line breaks and tabs are text (pretty-printed JSON); the printer escapes them.
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    return { type: 'other', topic, bytes: payload.length, head: text, head_encoding: 'text' };
  }
  return { type: 'other', topic, bytes: payload.length, head: Buffer.from(head).toString('hex'), head_encoding: 'hex' };
}

function cutUtf8(head: Uint8Array): string | undefined {
  for (let drop = 1; drop <= 3 && drop < head.length; drop++) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - drop));
    } catch {
      // try a shorter cut
    }
  }
  return undefined;
}
