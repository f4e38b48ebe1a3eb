/**
 * The two kinds of callers of a chaos run, each writing to its own ledger:
 * - simulated devices: MQTT clients that publish binary requests (QoS 1, with a deadline) on
 *   their predict topic and read their predictions topic, like the edge does;
 * - HTTP clients: keep-alive loops of POST /predict against the facade.
 * Both settle a request at the caller's own deadline when nothing came ("timeout" / "left-open").
 */
import http from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';
import { createTopics, decodeReply, encodeRequestBinary, isErrorReply, sequenceFromRows } from '@helen/schemas';
import { window } from '@helen/runtime/testing';
import type { Ledger } from './ledger';

const topics = createTopics('helen/v1');
/** How long past its deadline a caller waits before it calls a request timed out. */
export const GRACE_MS = 1000;

export interface DeviceFleet {
  /** Stops sending; requests already sent keep their deadline. */
  stopSending(): void;
  close(): Promise<void>;
  connectedCount(): number;
}

export function startDevices(url: string, count: number, ratePerSec: number, timeoutMs: number, ledger: Ledger,
  dims: { seqLen: number; featureDim: number }): DeviceFleet {
  const seq = sequenceFromRows(window(dims.seqLen, dims.featureDim, 3));
  const timers = new Set<NodeJS.Timeout>();
  const clients: MqttClient[] = [];
  let sending = true;
  for (let d = 0; d < count; d++) {
    const device = `chaos-device-${d}`;
    const client = mqtt.connect(url, { clientId: `${device}-${process.pid}`, reconnectPeriod: 250, connectTimeout: 2000, clean: true });
    client.on('error', () => undefined); // reconnects by itself; outcomes say what was lost
    client.subscribe(topics.predictions(device), { qos: 1 });
    client.on('message', (_topic, payload) => {
      let reply;
      try {
        reply = decodeReply(payload);
      } catch {
        ledger.strangers++;
        return;
      }
      ledger.settle(reply.id, isErrorReply(reply) ? `error:${reply.error.code}` : 'reply');
    });
    let n = 0;
    const every = setInterval(() => {
      if (!sending) return;
      const id = `${device}.${++n}`;
      const deadline = Date.now() + timeoutMs;
      ledger.sent(id);
      // QoS 1: mqtt.js keeps it while reconnecting and sends it after the next connect.
      client.publish(topics.predict(device), encodeRequestBinary({ id, reply_to: topics.predictions(device), deadline }, seq, 'f16'), { qos: 1 });
      const t = setTimeout(() => { timers.delete(t); ledger.settle(id, 'timeout'); }, timeoutMs + GRACE_MS);
      timers.add(t);
    }, 1000 / ratePerSec);
    timers.add(every);
    clients.push(client);
  }
  return {
    stopSending: () => { sending = false; },
    connectedCount: () => clients.filter((c) => c.connected).length,
    async close() {
      // Wait out the deadlines of what was sent, then stop.
      await new Promise((r) => setTimeout(r, timeoutMs + GRACE_MS + 100));
      for (const t of timers) clearTimeout(t);
      await Promise.all(clients.map((c) => c.endAsync(true)));
    },
  };
}

export interface HttpLoad {
  stop(): Promise<void>;
}

/** `concurrency` loops of POST /predict; a request unanswered at timeout + grace is "left-open". */
export function startHttpLoad(baseUrl: string, concurrency: number, timeoutMs: number, ledger: Ledger,
  dims: { seqLen: number; featureDim: number }): HttpLoad {
  const body = JSON.stringify({ sequence: window(dims.seqLen, dims.featureDim, 4) });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/predict', baseUrl);
  let running = true;
  let n = 0;
  const one = (): Promise<void> => new Promise((resolve) => {
    const id = `http.${++n}`;
    const startedAt = Date.now();
    ledger.sent(id);
    // One HTTP request has one answer at most: only the first of response/timeout/error counts.
    let answered = false;
    const settle = (outcome: string): void => {
      if (!answered) ledger.settle(id, outcome);
      answered = true;
    };
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      // A 503 before the deadline means the facade gave up on a request that still had time.
      const early = res.statusCode === 503 && Date.now() - startedAt < timeoutMs - 100;
      res.on('end', () => { settle(early ? 'http:503-early' : `http:${res.statusCode}`); resolve(); });
      res.on('error', () => { settle('network:response'); resolve(); });
    });
    req.setTimeout(timeoutMs + GRACE_MS, () => {
      settle('left-open');
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      settle(`network:${err.code ?? 'error'}`);
      // A refused connection (facade restarting) would spin: pace the loop.
      setTimeout(resolve, 50);
    });
    req.end(body);
  });
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) await one();
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
