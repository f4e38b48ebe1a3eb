/**
 * A scriptable stand-in for an inference worker, for the facade cases a real model cannot
 * produce on demand: silence, error envelopes, duplicate and late replies. It speaks the
 * real contract (decodeRequest, retained status with a last will, retained metadata); the
 * real worker runs in the other suites.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { CLASS_LABELS, createTopics, decodeRequest, encodeReply, type DecodedRequest, type ErrorCode, type ModelMetadata, type PredictReply } from '@helen/schemas';

export type FakeAction =
  | { kind: 'answer'; delayMs?: number; times?: number }
  | { kind: 'error'; code: ErrorCode; message: string }
  | { kind: 'silent' };

export const FAKE_FEATURE_DIM = 126;

export const fakeMetadata: ModelMetadata = {
  name: 'fake',
  model_id: 'fake@000000000000',
  sha256: '0'.repeat(64),
  seq_len: 30,
  use_z: true,
  feature_dim: FAKE_FEATURE_DIM,
  num_classes: CLASS_LABELS.length,
  class_labels: [...CLASS_LABELS],
  input: { name: 'x', shape: ['batch', 'time', FAKE_FEATURE_DIM] },
  output: { name: 'logits', kind: 'logits' },
};

/** A deterministic answer that depends on the request's data, so each caller can check its own. */
export function fakeResult(req: DecodedRequest, worker: string): PredictReply {
  const first = req.sequence.data[0] ?? 0;
  const top = Math.abs(Math.round(first * 1000)) % CLASS_LABELS.length;
  const probabilities = CLASS_LABELS.map((_, i) => (i === top ? 0.79 : 0.01));
  return {
    v: 1, id: req.id, prediction: CLASS_LABELS[top] as string, probabilities, top_index: top,
    top_probability: 0.79, elapsed_ms: 0.1, model: fakeMetadata.model_id, worker, batch_size: 1,
  };
}

export interface FakeWorker {
  readonly id: string;
  /** Requests seen, in order (each attempt counts, so a retry shows up twice). */
  readonly seen: DecodedRequest[];
  behave(fn: (req: DecodedRequest) => FakeAction): void;
  /** Drops the TCP connection without DISCONNECT: the broker publishes the last will. */
  crash(): void;
  /** Publishes `offline` and disconnects cleanly. */
  stop(): Promise<void>;
}

export async function startFakeWorker(url: string, id = `fake-${Math.random().toString(36).slice(2, 8)}`, prefix = 'helen/v1'): Promise<FakeWorker> {
  const topics = createTopics(prefix);
  const statusTopic = topics.workerStatus(id);
  const offline = JSON.stringify({ state: 'offline', id, role: 'worker', model: fakeMetadata.model_id });
  const client: MqttClient = await mqtt.connectAsync(url, {
    clientId: `helen-test-${id}`,
    reconnectPeriod: 0,
    will: { topic: statusTopic, payload: Buffer.from(offline), qos: 1, retain: true },
  });
  const seen: DecodedRequest[] = [];
  let behaviour: (req: DecodedRequest) => FakeAction = () => ({ kind: 'answer' });

  client.on('message', (_topic, payload) => {
    const req = decodeRequest(payload);
    seen.push(req);
    const action = behaviour(req);
    if (action.kind === 'silent') return;
    const reply: PredictReply = action.kind === 'error'
      ? { v: 1, id: req.id, error: { code: action.code, message: action.message }, worker: id }
      : fakeResult(req, id);
    const send = () => {
      for (let i = 0; i < (action.kind === 'answer' ? action.times ?? 1 : 1); i++) {
        client.publish(req.reply_to, encodeReply(reply), { qos: 1 });
      }
    };
    const delay = action.kind === 'answer' ? action.delayMs ?? 0 : 0;
    if (delay > 0) setTimeout(send, delay);
    else send();
  });
  await client.subscribeAsync(topics.predict('http-api'), { qos: 1 });
  await client.publishAsync(topics.modelMetadata(), JSON.stringify(fakeMetadata), { qos: 1, retain: true });
  await client.publishAsync(statusTopic, JSON.stringify({ state: 'online', id, role: 'worker', model: fakeMetadata.model_id, ts: Date.now() }), { qos: 1, retain: true });

  return {
    id,
    seen,
    behave: (fn) => { behaviour = fn; },
    crash: () => { client.stream.destroy(); client.end(true); },
    async stop() {
      if (!client.connected) return;
      await client.publishAsync(statusTopic, offline, { qos: 1, retain: true });
      await client.endAsync();
    },
  };
}

/** Clears retained status and metadata so one test's worker does not haunt the next. */
export async function clearRetained(url: string, workerIds: string[], prefix = 'helen/v1'): Promise<void> {
  const topics = createTopics(prefix);
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  for (const id of workerIds) await c.publishAsync(topics.workerStatus(id), '', { qos: 1, retain: true });
  await c.publishAsync(topics.modelMetadata(), '', { qos: 1, retain: true });
  await c.endAsync();
}
