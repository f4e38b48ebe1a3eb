/**
 * Worker request decoding as fuzz targets: the wire codec (`decodeRequest`), the worker's
 * intake (decode + model checks + masking, never throws), and a live worker on a real aedes
 * broker with the real model, fed malformed payloads over MQTT.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { createWorker, workerConfigFromEnv, type Worker } from '@helen/inference-worker';
import { DEFAULT_MODEL_PATH, loadModelMetadata } from '@helen/model-runtime';
import { createTopics, decodeReply, decodeRequest, isErrorReply, WireError, type ModelMetadata, type PredictReply } from '@helen/schemas';
import { intake, isUsableReplyTo } from '../../inference-worker/src/intake';
import { payloadCase, type Envelope, type PayloadCase } from './payloads';
import { errorClass, Tally } from './tally';

const farDeadline = (): number => Date.now() + 600_000;

/** decodeRequest: every payload decodes or throws a WireError with code invalid_request. */
export function codecProperty(tally: Tally): fc.IPropertyWithHooks<[PayloadCase, string]> {
  return fc.property(payloadCase, fc.string({ minLength: 1, maxLength: 12 }), (c, id) => {
    const payload = c.build({ id, replyTo: 'fuzz/replies', deadline: farDeadline() });
    try {
      decodeRequest(payload);
      tally.accept();
    } catch (err) {
      if (err instanceof WireError && err.code === 'invalid_request' && err.message.length > 0) {
        tally.refuse(`${c.kind} -> ${errorClass(err.message)}`);
        return;
      }
      tally.crash(`${c.kind}: ${String(err)}`);
      throw err;
    }
  });
}

/**
 * The worker's intake: never throws; an accepted item holds exactly what the model will see,
 * which must be finite (ONNX turns an Infinity into NaN probabilities that no reply schema
 * accepts); a rejection goes to a usable reply topic.
 */
export function intakeProperty(tally: Tally, metadata: ModelMetadata): fc.IPropertyWithHooks<[PayloadCase]> {
  return fc.property(payloadCase, (c) => {
    const payload = c.build({ id: 'fuzz-id', replyTo: 'fuzz/replies', deadline: farDeadline() });
    let got;
    try {
      got = intake(payload, 0, Date.now(), performance.now(), { metadata, maxFrames: 1024 });
    } catch (err) {
      tally.crash(`${c.kind}: intake threw ${String(err)}`);
      throw err;
    }
    if (got.kind === 'accepted') {
      const bad = got.item.input.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        tally.crash(`${c.kind}: accepted with model input[${bad}] = ${got.item.input.data[bad]}`);
        throw new Error(`${c.kind}: accepted a request whose model input holds ${got.item.input.data[bad]} at ${bad}`);
      }
      tally.accept();
    } else if (got.kind === 'rejected') {
      if (!isUsableReplyTo(got.replyTo) || got.message.length === 0) throw new Error(`rejected without a usable reply topic or message: ${JSON.stringify(got)}`);
      tally.refuse(`rejected (invalid_request): ${c.kind}`);
    } else {
      tally.refuse(`dropped (${got.reason}): ${c.kind}`);
    }
  });
}

export function loadMetadata(): Promise<ModelMetadata> {
  return loadModelMetadata(DEFAULT_MODEL_PATH);
}

/** What the live worker must do with one payload, judged by the codec alone. */
export type Expectation = { reply: false } | { reply: true; id: string; topic: string };

export function expectedReply(payload: Buffer): Expectation {
  try {
    const req = decodeRequest(payload, { maxFrames: 1024 });
    if (!isUsableReplyTo(req.reply_to)) return { reply: false };
    // A readable request is answered (result or error) unless its deadline has passed.
    return req.deadline < Date.now() ? { reply: false } : { reply: true, id: req.id, topic: req.reply_to };
  } catch (err) {
    if (err instanceof WireError && err.reply_to !== undefined && isUsableReplyTo(err.reply_to)) return { reply: true, id: err.id ?? '', topic: err.reply_to };
    return { reply: false };
  }
}

/**
 * A real broker, the real worker with the committed model, and a requester subscribed to
 * every topic: a lying header can make the worker read another reply_to out of the bytes
 * (e.g. an id length of 1 shifts the reply topic), and that reply must arrive there.
 */
export class LiveWorkerRig {
  readonly replies: (PredictReply & { topic: string })[] = [];
  readonly unreadable: string[] = [];
  private constructor(
    readonly broker: TestBroker, readonly worker: Worker, readonly client: MqttClient,
    readonly predictTopic: string, readonly replyTo: string,
  ) {}

  static async start(): Promise<LiveWorkerRig> {
    const broker = await startTestBroker('aedes');
    const topics = createTopics(`fuzz${process.pid}/v1`);
    const worker = createWorker(workerConfigFromEnv({
      HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: topics.prefix, HELEN_LOG_LEVEL: 'silent', HELEN_WORKER_ID: 'w-fuzz',
    }));
    await worker.start();
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const replyTo = topics.apiReplies('fuzz');
    const rig = new LiveWorkerRig(broker, worker, client, topics.predict('fuzzdev'), replyTo);
    const ours = [topics.predict('fuzzdev'), `${topics.prefix}/workers/`, `${topics.prefix}/model/`];
    client.on('message', (topic, payload) => {
      if (topic.startsWith('$') || ours.some((t) => topic.startsWith(t))) return;
      try {
        rig.replies.push({ ...decodeReply(payload), topic });
      } catch (err) {
        rig.unreadable.push(`${String(err)}: ${payload.toString('utf8').slice(0, 200)}`);
      }
    });
    await client.subscribeAsync('#', { qos: 1 });
    return rig;
  }

  /** Publishes every case (ids fuzz-<n>), waits for the expected replies, and tallies them. */
  async run(cases: readonly PayloadCase[], tally: Tally, timeoutMs = 30_000): Promise<{ missing: string[]; unexpected: string[] }> {
    const start = this.replies.length;
    const expected = new Map<string, number>();
    const kinds = new Map<string, string>();
    for (const [n, c] of cases.entries()) {
      const env: Envelope = { id: `fuzz-${n}`, replyTo: this.replyTo, deadline: farDeadline() };
      const payload = c.build(env);
      const want = expectedReply(payload);
      if (want.reply) {
        const key = `${want.topic} ${want.id}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
        kinds.set(key, c.kind);
      } else {
        tally.refuse(`dropped, no reply expected: ${c.kind}`);
      }
      await this.client.publishAsync(this.predictTopic, payload, { qos: 1 });
    }
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    const until = Date.now() + timeoutMs;
    while (this.replies.length - start < total && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    const got = new Map<string, number>();
    for (const r of this.replies.slice(start)) {
      const key = `${r.topic} ${r.id}`;
      got.set(key, (got.get(key) ?? 0) + 1);
      const kind = kinds.get(key) ?? '?';
      if (isErrorReply(r)) tally.refuse(`error reply ${r.error.code}: ${kind}`);
      else tally.accept();
    }
    const missing = [...expected].filter(([id, n]) => (got.get(id) ?? 0) < n).map(([id]) => `${id} (${kinds.get(id)})`);
    const unexpected = [...got].filter(([id, n]) => (expected.get(id) ?? 0) < n).map(([id]) => id);
    return { missing, unexpected };
  }

  /** A valid request still gets a result after the fuzzing. */
  async stillAnswers(payload: (env: Envelope) => Buffer): Promise<PredictReply | undefined> {
    const id = `after-${Date.now()}`;
    await this.client.publishAsync(this.predictTopic, payload({ id, replyTo: this.replyTo, deadline: farDeadline() }), { qos: 1 });
    const until = Date.now() + 15_000;
    for (;;) {
      const r = this.replies.find((x) => x.id === id);
      if (r || Date.now() > until) return r;
      await new Promise((res) => setTimeout(res, 25));
    }
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
    await this.worker.stop();
    await this.broker.stop();
  }
}
