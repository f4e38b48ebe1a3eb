/** Shared pieces of the worker integration tests: a requester client and request builders. */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { createTopics, decodeReply, encodeRequestBinary, encodeRequestJson, type FeatureSequence, type PredictReply, type Topics } from '@helen/schemas';
import { createWorker, workerConfigFromEnv, type Worker } from '../src/index';

let prefixCounter = 0;
/** A fresh topic prefix per test, so retained status and stray replies never cross tests. */
export function freshTopics(): Topics {
  return createTopics(`t${process.pid}x${prefixCounter++}/v1`);
}

export function workerEnv(url: string, topics: Topics, extra: Record<string, string> = {}): Record<string, string> {
  return { HELEN_MQTT_URL: url, HELEN_TOPIC_PREFIX: topics.prefix, HELEN_LOG_LEVEL: 'silent', ...extra };
}

export async function startWorker(url: string, topics: Topics, extra: Record<string, string> = {}): Promise<Worker> {
  const worker = createWorker(workerConfigFromEnv(workerEnv(url, topics, extra)));
  await worker.start();
  return worker;
}

/** Deterministic pseudo-random T x F sequence with a mask (values like normalized landmarks). */
export function sequence(frames: number, featureDim = 84, seed = 1, withMask = true): FeatureSequence {
  let s = seed >>> 0 || 1;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const data = new Float32Array(frames * featureDim).map(() => rand());
  const seq: FeatureSequence = { frames, featureDim, data };
  if (withMask) seq.mask = new Float32Array(frames * 2).map((_, i) => (i % 7 === 3 ? 0 : 1));
  return seq;
}

export interface Reply {
  reply: PredictReply;
  qos: number;
}

/** A client that sends requests and collects the replies on its own reply topic, by id. */
export class Requester {
  readonly replyTo: string;
  readonly replies = new Map<string, Reply[]>();
  readonly raw: Buffer[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient, readonly topics: Topics, readonly device: string) {
    this.replyTo = topics.apiReplies(`req-${device}`);
  }

  static async open(url: string, topics: Topics, device = `d${randomUUID().slice(0, 8)}`): Promise<Requester> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
    const r = new Requester(client, topics, device);
    client.on('message', (topic, payload, packet) => {
      if (topic !== r.replyTo) return;
      r.raw.push(payload);
      const reply = decodeReply(payload);
      const list = r.replies.get(reply.id) ?? [];
      list.push({ reply, qos: packet.qos });
      r.replies.set(reply.id, list);
      for (const w of r.waiters) w();
    });
    await client.subscribeAsync(r.replyTo, { qos: 1 });
    return r;
  }

  get predictTopic(): string {
    return this.topics.predict(this.device);
  }

  fields(id: string, deadlineMs = 10_000, extra: { trace?: Record<string, number> } = {}) {
    return { id, reply_to: this.replyTo, deadline: Date.now() + deadlineMs, ...extra };
  }

  async sendJson(id: string, seq: FeatureSequence, qos: 0 | 1 = 0, deadlineMs?: number): Promise<void> {
    await this.client.publishAsync(this.predictTopic, encodeRequestJson(this.fields(id, deadlineMs), seq), { qos });
  }

  async sendBinary(id: string, seq: FeatureSequence, dtype: 'f16' | 'f32', qos: 0 | 1 = 0, deadlineMs?: number): Promise<void> {
    await this.client.publishAsync(this.predictTopic, encodeRequestBinary(this.fields(id, deadlineMs), seq, dtype), { qos });
  }

  async sendRaw(payload: Buffer | string, qos: 0 | 1 = 0): Promise<void> {
    await this.client.publishAsync(this.predictTopic, payload, { qos });
  }

  /** Waits until every id has at least one reply; rejects after timeoutMs naming the missing ones. */
  waitFor(ids: readonly string[], timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => ids.every((id) => this.replies.has(id));
      if (check()) return resolve();
      const timer = setTimeout(() => {
        const missing = ids.filter((id) => !this.replies.has(id));
        reject(new Error(`no reply for ${missing.length} of ${ids.length} requests, e.g. ${missing.slice(0, 5).join(', ')}`));
      }, timeoutMs);
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  /** Lets in-flight messages arrive (used before asserting that something did NOT come). */
  static settle(ms = 300): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
