/**
 * Closed-loop MQTT load generator, run as its own process so its CPU is not the harness's and
 * its event loop does not share timers with anything measured:
 *   node --import tsx bench/src/load/mqtt-requester.ts '{"url":"mqtt://127.0.0.1:1883","encoding":"f16",...}'
 * `concurrency` loops each keep one request outstanding: publish (QoS 0, as the edge does), wait
 * for the reply on this process's reply topic (correlated by id), publish the next. Prints ONE
 * JSON line (RequesterReport) on stdout at the end; diagnostics go to stderr.
 */
import { pathToFileURL } from 'node:url';
import mqtt from 'mqtt';
import { createTopics, decodeReply, isErrorReply } from '@helen/schemas';
import type { Encoding, Latency } from '../results';
import { latencyOf } from '../latency';
import { benchWindow, mqttRequest } from '../window';

export interface RequesterArgs {
  url: string;
  encoding: Encoding;
  concurrency: number;
  /** Measured seconds, after the warm-up. */
  seconds: number;
  warmupSeconds: number;
  deviceId: string;
  /** A request without a reply after this long counts as a timeout (also its wire deadline). Default 5000. */
  timeoutMs?: number;
}

export interface RequesterReport {
  /** Successful replies (predictions) during the measured window. */
  requests: number;
  /** Error envelopes and replies that failed to decode. */
  errors: number;
  /** Requests without any reply within timeoutMs (the worker drops them past the deadline). */
  timeouts: number;
  durationSec: number;
  /** Round trip of the successful replies: publish to reply received (the client's encoding excluded). */
  latenciesMs: Latency;
  /**
   * The part of each round trip spent inside the worker, receipt to reply (the reply's
   * `elapsed_ms`): the rest is the broker, the sockets and this process.
   */
  workerMs: Latency;
  /** Of `workerMs`, the model run of the reply's batch (the reply's `trace.inference_ms`). */
  inferenceMs: Latency;
  /** MQTT payload bytes of one request. */
  requestBytes: number;
  /** True when the hard stop fired: the figures are whatever had completed by then. */
  hardStopped: boolean;
}

type Outcome = 'ok' | 'error' | 'timeout';
/** The worker's own share of a successful round trip, from its reply. */
interface WorkerShare { workerMs: number; inferenceMs: number }
type Settle = (outcome: Outcome, share?: WorkerShare) => void;

export async function runRequester(args: RequesterArgs): Promise<RequesterReport> {
  const timeoutMs = args.timeoutMs ?? 5000;
  const topics = createTopics();
  const predictTopic = topics.predict(args.deviceId);
  // Fixed width, so every run's request envelope has the same size whatever the pid.
  const replyTo = topics.apiReplies(`bench-${args.deviceId}-${String(process.pid).padStart(7, '0')}`);
  const seq = benchWindow();

  const client = await mqtt.connectAsync(args.url, {
    clientId: `helen-bench-${args.deviceId}-${process.pid}`.slice(0, 64),
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  // Nagle would hold small requests back waiting for an ACK and show up as ~40 ms tails.
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);

  const waiting = new Map<string, Settle>();
  let unmatchedBad = 0;
  client.on('message', (_topic, payload) => {
    let id: string | undefined;
    let outcome: Outcome;
    let share: WorkerShare | undefined;
    try {
      const reply = decodeReply(payload);
      id = reply.id;
      outcome = isErrorReply(reply) ? 'error' : 'ok';
      if (!isErrorReply(reply)) share = { workerMs: reply.elapsed_ms, inferenceMs: reply.trace?.inference_ms ?? NaN };
    } catch (err) {
      // A reply that fails its schema still names its id when it has one.
      id = (err as { ids?: { id?: string } }).ids?.id;
      outcome = 'error';
      if (id === undefined) unmatchedBad++;
    }
    if (id === undefined) return;
    const done = waiting.get(id);
    waiting.delete(id);
    done?.(outcome, share);
  });
  await client.subscribeAsync(replyTo, { qos: 1 });

  // Fixed-width ids keep every request the same size, so requestBytes is exact.
  let next = 0;
  const newId = () => (next++).toString(36).padStart(8, '0');
  const requestBytes = mqttRequest(seq, args.encoding, newId(), replyTo, timeoutMs).length;

  const roundTrip = (): Promise<{ outcome: Outcome; ms: number; share?: WorkerShare }> => {
    const id = newId();
    const body = mqttRequest(seq, args.encoding, id, replyTo, timeoutMs);
    return new Promise((resolve) => {
      const t0 = performance.now();
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve({ outcome: 'timeout', ms: performance.now() - t0 });
      }, timeoutMs);
      waiting.set(id, (outcome, share) => {
        clearTimeout(timer);
        resolve({ outcome, ms: performance.now() - t0, ...(share === undefined ? {} : { share }) });
      });
      client.publish(predictTopic, body, { qos: 0 });
    });
  };

  let stopping = false;
  const counts = { ok: 0, error: 0, timeout: 0 };
  const samples: number[] = [];
  const workerSamples: number[] = [];
  const inferenceSamples: number[] = [];
  let started = performance.now();
  let measuring = false;
  const report = (hardStopped: boolean): RequesterReport => ({
    requests: counts.ok,
    errors: counts.error + unmatchedBad,
    timeouts: counts.timeout,
    durationSec: (performance.now() - started) / 1000,
    latenciesMs: latencyOf(samples),
    workerMs: latencyOf(workerSamples),
    inferenceMs: latencyOf(inferenceSamples.filter(Number.isFinite)),
    requestBytes,
    hardStopped,
  });

  const loops = async (until: number, record: boolean) => {
    await Promise.all(Array.from({ length: args.concurrency }, async () => {
      while (performance.now() < until && !stopping) {
        const r = await roundTrip();
        if (!record || stopping) continue;
        counts[r.outcome]++;
        if (r.outcome === 'ok') samples.push(r.ms);
        if (r.share) {
          workerSamples.push(r.share.workerMs);
          inferenceSamples.push(r.share.inferenceMs);
        }
      }
    }));
  };
  const run = async (): Promise<RequesterReport> => {
    await loops(performance.now() + args.warmupSeconds * 1000, false);
    started = performance.now();
    measuring = true;
    // Requests still out at the end are waited for (at most timeoutMs), so durationSec includes them.
    await loops(started + args.seconds * 1000, true);
    return report(false);
  };
  // Never hang: whatever completed by warm-up + seconds + 10 s is the result.
  let hardStop: NodeJS.Timeout | undefined;
  const hardStopped = new Promise<RequesterReport>((resolve) => {
    hardStop = setTimeout(() => {
      // Still unanswered at the hard stop: they count as timed out.
      if (measuring) counts.timeout += waiting.size;
      resolve(report(true));
    }, (args.warmupSeconds + args.seconds + 10) * 1000);
  });
  const result = await Promise.race([run(), hardStopped]);
  stopping = true;
  clearTimeout(hardStop);
  for (const done of waiting.values()) done('timeout');
  await Promise.race([client.endAsync(true), new Promise((r) => setTimeout(r, 1000))]);
  return result;
}

function parseArgs(raw: string | undefined): RequesterArgs {
  if (!raw) throw new Error('usage: mqtt-requester.ts \'{"url":...,"encoding":"f16","concurrency":8,"seconds":5,"warmupSeconds":1,"deviceId":"bench"}\'');
  const a = JSON.parse(raw) as Partial<RequesterArgs>;
  const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (typeof a.url !== 'string' || !['json', 'f32', 'f16'].includes(a.encoding as string) || !Number.isInteger(a.concurrency) || (a.concurrency ?? 0) < 1
    || !positive(a.seconds) || !positive(a.warmupSeconds) || typeof a.deviceId !== 'string') {
    throw new Error(`bad arguments: ${raw}`);
  }
  return a as RequesterArgs;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv[2]);
  const result = await runRequester(args);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`mqtt-requester: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
