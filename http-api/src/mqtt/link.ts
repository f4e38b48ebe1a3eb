/**
 * The facade's one MQTT client: tracks live workers and the model metadata from retained
 * topics, publishes /predict requests (binary, QoS 1) and matches replies by id.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { createTopics, decodeReply, encodeRequestBinary, isErrorReply, validateModelMetadata, type FeatureSequence, type ModelMetadata, type PredictResponse, type Topics } from '@helen/schemas';
import type { ApiConfig } from '../config';
import { fromWorkerError, unavailable } from '../errors';
import { PendingRequests } from './pending';
import { WorkerTracker } from './worker-tracker';

export interface LinkStats {
  pending: number;
  sent: number;
  retries: number;
  replies: number;
  /** Replies whose request was already settled (late first attempt after a retry, duplicates). */
  unmatchedReplies: number;
  badReplies: number;
}

export interface LinkState {
  connected: boolean;
  workers: string[];
  metadata: ModelMetadata | undefined;
}

export interface MqttLink {
  readonly instanceId: string;
  /** Connects in the background (the HTTP side answers 503 until the broker is reachable). */
  start(): void;
  stop(): Promise<void>;
  state(): LinkState;
  stats(): LinkStats;
  /** A prediction for one sequence, or an ApiError (503 / 504 / 400 / 500). */
  predict(seq: FeatureSequence): Promise<PredictResponse>;
}

export function createMqttLink(config: ApiConfig, log: Logger): MqttLink {
  const instanceId = config.instanceId ?? `api-${process.pid}-${randomUUID().slice(0, 8)}`;
  const topics: Topics = createTopics(config.topicPrefix);
  const predictTopic = topics.predict(config.deviceId);
  const replyTopic = topics.apiReplies(instanceId);
  const workersFilter = topics.allWorkerStatus();
  const metadataTopic = topics.modelMetadata();

  const tracker = new WorkerTracker();
  let metadata: ModelMetadata | undefined;
  let client: MqttClient | undefined;
  let seqNo = 0;
  const counters = { sent: 0, retries: 0, replies: 0, unmatchedReplies: 0, badReplies: 0 };

  const pending = new PendingRequests(
    { timeoutMs: config.timeoutMs, retryAfterMs: config.retryAfterMs },
    (id, payload) => {
      counters.sent++;
      if (!client?.connected) {
        pending.fail(id, unavailable('MQTT broker unreachable'));
        return;
      }
      client.publish(predictTopic, payload, { qos: 1 }, (err) => {
        if (err) pending.fail(id, unavailable(`could not publish the request: ${err.message}`));
      });
    },
    () => counters.retries++,
  );

  function onMessage(topic: string, payload: Buffer): void {
    if (topic === replyTopic) return onReply(payload);
    if (topic === metadataTopic) return onMetadata(payload);
    const workerId = topics.parseWorkerStatus(topic);
    if (workerId !== undefined) onWorkerStatus(workerId, payload);
  }

  function onReply(payload: Buffer): void {
    let reply;
    try {
      reply = decodeReply(payload);
    } catch (err) {
      counters.badReplies++;
      log.warn({ err }, 'unreadable reply dropped');
      return;
    }
    counters.replies++;
    const matched = isErrorReply(reply)
      ? pending.fail(reply.id, fromWorkerError(reply.error.code, reply.error.message))
      : pending.resolve(reply.id, reply);
    if (!matched) {
      counters.unmatchedReplies++;
      log.debug({ id: reply.id }, 'reply for a request already answered');
    }
  }

  function onMetadata(payload: Buffer): void {
    if (payload.length === 0) {
      metadata = undefined;
      return;
    }
    try {
      const checked = validateModelMetadata(JSON.parse(payload.toString('utf8')));
      if (!checked.ok) throw new Error(checked.error);
      metadata = checked.value;
      log.info({ model: metadata.model_id }, 'model metadata');
    } catch (err) {
      log.warn({ err }, 'invalid model metadata ignored');
    }
  }

  function onWorkerStatus(workerId: string, payload: Buffer): void {
    const { before, after, wentOffline } = tracker.update(workerId, payload);
    if (before !== after) log.info({ worker: workerId, online: after }, 'workers online changed');
    if (after === 0 && pending.size > 0) {
      // Nobody is left to answer: fail now rather than at the timeout.
      pending.failAll(unavailable('no inference worker online'));
    } else if (wentOffline) {
      // The worker may have taken requests with it; another one can answer them.
      pending.retryAll();
    }
  }

  return {
    instanceId,
    start() {
      if (client) return;
      log.info({ url: withoutCredentials(config.mqttUrl), instance: instanceId, replyTopic }, 'connecting to the MQTT broker');
      client = mqtt.connect(config.mqttUrl, {
        clientId: `helen-${instanceId}`,
        clean: true,
        // We subscribe on every connect ourselves (below), so no automatic resubscribe.
        resubscribe: false,
        reconnectPeriod: 1000,
        connectTimeout: 5000,
        ...(config.mqttUsername === undefined ? {} : { username: config.mqttUsername }),
        ...(config.mqttPassword === undefined ? {} : { password: config.mqttPassword }),
      });
      client.on('connect', () => {
        // Small request/ack packets back to back: without this, Nagle's algorithm holds a
        // PUBLISH until the peer's delayed ACK (~40 ms) and /predict at concurrency 1 takes ~90 ms.
        const stream = client?.stream as { setNoDelay?: (on: boolean) => void } | undefined;
        stream?.setNoDelay?.(true);
        log.info('connected to the MQTT broker');
        client?.subscribe(
          { [replyTopic]: { qos: 1 }, [workersFilter]: { qos: 1 }, [metadataTopic]: { qos: 1 } },
          (err) => { if (err) log.error({ err }, 'subscribe failed'); },
        );
      });
      client.on('message', onMessage);
      client.on('close', () => {
        if (tracker.online() > 0 || pending.size > 0) log.warn('lost the MQTT broker connection');
        tracker.clear();
        pending.failAll(unavailable('lost the connection to the MQTT broker'));
      });
      client.on('error', (err) => log.warn({ err: err.message }, 'MQTT client error'));
    },
    async stop() {
      pending.failAll(unavailable('the HTTP facade is shutting down'));
      const c = client;
      client = undefined;
      if (c) await c.endAsync(true);
      tracker.clear();
    },
    state: () => ({ connected: client?.connected === true, workers: tracker.onlineIds(), metadata }),
    stats: () => ({ pending: pending.size, ...counters }),
    predict(seq) {
      if (!client?.connected) return Promise.reject(unavailable('MQTT broker unreachable'));
      if (tracker.online() === 0) return Promise.reject(unavailable('no inference worker online'));
      const id = `${instanceId}.${++seqNo}`;
      // float32, not float16: the original server ran the model on float32 input, and f16
      // would round landmark features (~3 significant digits) and could change an answer.
      const payload = encodeRequestBinary({ id, reply_to: replyTopic, deadline: Date.now() + config.timeoutMs }, seq, 'f32');
      return pending.request(id, payload);
    },
  };
}


/** A URL may carry user:password; logs get neither. */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}
