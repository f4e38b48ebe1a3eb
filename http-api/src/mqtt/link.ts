/**
 * The facade's one MQTT client, on the shared runtime: the connection (`MqttConnection`), who
 * is online and the model metadata (`ServingView`, from retained topics), and /predict
 * requests (binary, QoS 1) matched to their replies by id (`PendingRequests`).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
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
  /** Waits until no request is pending or `ms` have passed (shutdown: answer what was accepted). */
  drain(ms: number): Promise<void>;
  /** Settles whatever is still pending with 503 and disconnects. */
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
  /** Told how long each request published over MQTT took to settle, and how (`ok` or the ApiError kind): metrics. */
  readonly onRoundTrip?: ((ms: number, outcome: string) => void) | undefined;
}

export function createMqttLink(config: ApiConfig, { log, instanceId = `api-${process.pid}-${randomUUID().slice(0, 8)}`, onRoundTrip }: LinkDeps): MqttLink {
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
      // No broker or no worker right now: the request waits (until its deadline) for both to
      // be back instead of failing at once; see the workers listener below.
      if (!connection.connected || serving.onlineIds().length === 0) {
        waiting.add(id);
        return;
      }
      counters.sent++;
      const sent = connection.publish(predictTopic, payload, 1, false, (err) => {
        // Lost with the connection: sent again when the broker and a worker are back.
        log.debug({ id, err: err.message }, 'request publish failed; it waits for the reconnect');
      });
      if (!sent) waiting.add(id);
    },
    // At the deadline: 503 when there is still no broker or no worker to ask (what the
    // contract says for "no worker online", only no longer before the deadline), else 504.
    timedOut: () => {
      if (!connection.connected) return unavailable(`MQTT broker unreachable (waited ${config.timeoutMs} ms for it)`);
      if (serving.onlineIds().length === 0) return unavailable(`no inference worker online (waited ${config.timeoutMs} ms for one)`);
      return timedOut(`no reply from an inference worker within ${config.timeoutMs} ms`);
    },
    // No maxPending: nothing is ever superseded.
    superseded: () => unavailable('request superseded'),
  });

  // A request keeps its deadline through a worker restart or a broker restart (issue 14): with
  // no worker online (or no broker) it waits, and once a worker is back every pending request
  // is sent again (those in flight went down with the old worker or connection). Only a
  // request whose deadline passes fails, with the timeout answer.
  const waiting = new Set<string>();
  let workersAvailable = false;

  // Registered before the ServingView, so it still sees the workers that were online.
  connection.onConnection((up) => {
    if (up) return;
    workersAvailable = false; // the ServingView forgets the statuses until they come again
    if (serving.onlineIds().length > 0 || pending.size > 0) {
      log.warn({ pending: pending.size }, 'lost the MQTT broker connection; requests wait for it until their deadline');
    }
  });

  const serving = new ServingView(connection, topics, log);
  serving.on({
    workers({ online, wentOffline }) {
      if (online === 0) {
        workersAvailable = false;
        if (pending.size > 0) log.warn({ pending: pending.size }, 'no inference worker online; requests wait for one until their deadline');
      } else if (!workersAvailable) {
        workersAvailable = true;
        waiting.clear();
        pending.resendAll();
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
    async drain(ms) {
      const until = Date.now() + ms;
      while (pending.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
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
      const id = `${instanceId}.${++seqNo}`;
      // float32, not float16: the original server ran the model on float32 input, and f16
      // would round landmark features (~3 significant digits) and could change an answer.
      const payload = encodeRequestBinary({ id, reply_to: replyTopic, deadline: Date.now() + config.timeoutMs }, seq, 'f32');
      const sentAt = performance.now();
      const settled = await pending.request(id, payload);
      waiting.delete(id);
      onRoundTrip?.(performance.now() - sentAt, settled.ok ? 'ok' : settled.failure.kind);
      if (!settled.ok) throw settled.failure;
      return settled.value;
    },
  };
}
