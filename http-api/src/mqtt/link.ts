/**
 * The facade's one MQTT client, on the shared runtime: the connection (`MqttConnection`), who
 * is online and the model metadata (`ServingView`, from retained topics), and /predict
 * requests (binary, QoS 1) matched to their replies by id (`PendingRequests`).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { MqttConnection, PendingRequests, ServingView } from '@helen/runtime';
import { createTopics, decodeReply, encodeRequestBinary, isErrorReply, type FeatureSequence, type ModelMetadata, type PredictResponse } from '@helen/schemas';
import { retryAfterMs, type ApiConfig } from '../config';
import { ApiError, fromWorkerError, timedOut, unavailable } from '../errors';

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

export interface LinkDeps {
  readonly log: Logger;
  /** Unique per process (default: pid + random): the reply topic is {prefix}/api/{instanceId}/replies. */
  readonly instanceId?: string | undefined;
}

export function createMqttLink(config: ApiConfig, { log, instanceId = `api-${process.pid}-${randomUUID().slice(0, 8)}` }: LinkDeps): MqttLink {
  const topics = createTopics(config.topicPrefix);
  const predictTopic = topics.predict(config.deviceId);
  const replyTopic = topics.apiReplies(instanceId);
  let seqNo = 0;
  const counters = { sent: 0, replies: 0, unmatchedReplies: 0, badReplies: 0 };

  const connection = new MqttConnection({
    settings: config.mqtt,
    clientId: `helen-${instanceId}`,
    log,
    // A fixed 1 s between attempts, as before the shared runtime.
    minReconnectMs: 1000,
    maxReconnectMs: 1000,
    connectTimeoutMs: 5000,
  });

  const pending: PendingRequests<PredictResponse, ApiError> = new PendingRequests<PredictResponse, ApiError>({
    timeoutMs: config.timeoutMs,
    retryAfterMs: retryAfterMs(config),
    send(id, payload) {
      counters.sent++;
      const sent = connection.publish(predictTopic, payload, 1, false, (err) => {
        pending.fail(id, unavailable(`could not publish the request: ${err.message}`));
      });
      if (!sent) pending.fail(id, unavailable('MQTT broker unreachable'));
    },
    timedOut: () => timedOut(`no reply from an inference worker within ${config.timeoutMs} ms`),
    // No maxPending: nothing is ever superseded.
    superseded: () => unavailable('request superseded'),
  });

  // Registered before the ServingView, so it still sees the workers that were online.
  connection.onConnection((up) => {
    if (up) return;
    if (serving.onlineIds().length > 0 || pending.size > 0) log.warn('lost the MQTT broker connection');
    pending.failAll(unavailable('lost the connection to the MQTT broker'));
  });

  const serving = new ServingView(connection, topics, log);
  serving.on({
    workers({ online, wentOffline }) {
      if (online === 0 && pending.size > 0) {
        // Nobody is left to answer: fail now rather than at the timeout.
        pending.failAll(unavailable('no inference worker online'));
      } else if (wentOffline) {
        // The worker may have taken requests with it; another one can answer them.
        pending.retryAll();
      }
    },
  });

  connection.keepSubscribed(replyTopic, 1);
  connection.onMessage((topic, payload) => {
    if (topic === replyTopic) onReply(payload);
  });

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

  return {
    instanceId,
    start() {
      log.info({ instance: instanceId, replyTopic }, 'MQTT link starting');
      connection.start();
    },
    async stop() {
      pending.failAll(unavailable('the HTTP facade is shutting down'));
      await connection.stop();
    },
    state: () => ({ connected: connection.connected, workers: serving.onlineIds(), metadata: serving.metadata }),
    stats: () => ({
      pending: pending.size,
      sent: counters.sent,
      retries: pending.counters.retries,
      replies: counters.replies,
      unmatchedReplies: counters.unmatchedReplies,
      badReplies: counters.badReplies,
    }),
    async predict(seq) {
      if (!connection.connected) throw unavailable('MQTT broker unreachable');
      if (serving.onlineIds().length === 0) throw unavailable('no inference worker online');
      const id = `${instanceId}.${++seqNo}`;
      // float32, not float16: the original server ran the model on float32 input, and f16
      // would round landmark features (~3 significant digits) and could change an answer.
      const payload = encodeRequestBinary({ id, reply_to: replyTopic, deadline: Date.now() + config.timeoutMs }, seq, 'f32');
      const settled = await pending.request(id, payload);
      if (!settled.ok) throw settled.failure;
      return settled.value;
    },
  };
}
