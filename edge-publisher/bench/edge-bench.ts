/**
 * Edge figures: bytes per request (binary f16 vs the original JSON body for the same
 * window), edge CPU per second of 30 fps input, and (with the local model) how the stride
 * trades requests for decision latency.
 *
 *   npx tsx edge-publisher/bench/edge-bench.ts [--seconds 60] [--strides 1,2,3,5]
 *
 * CPU: the synthetic stream (as fast as possible) through the real pipeline (features,
 * window, gates, stats, decision) with a predictor that encodes every request as the MQTT
 * path does (f16 binary) and answers at once, so the figure is the edge's own work without
 * the socket. process.cpuUsage() over the run, divided by the seconds of input.
 */
import { existsSync } from 'node:fs';
import { scriptedStream } from '@helen/synthetic-signer';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { CLASS_LABELS, encodeRequestBinary, encodeRequestJson, type FeatureSequence, type LandmarkFrame } from '@helen/schemas';
import { FeatureWindow, FrameFeaturizer } from '@helen/features';
import pino from 'pino';
import { EdgePipeline } from '../src/pipeline/pipeline';
import { LocalPredictor } from '../src/predict/local-predictor';
import type { PredictOutcome, Predictor } from '../src/predict/types';
import type { ScriptStep } from '../src/config';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(arg('--seconds', '60'));
const STRIDES = arg('--strides', '1,2,3,4,6').split(',').map(Number);
const silent = pino({ level: 'silent' });

function frames(seconds: number, seed = 3): LandmarkFrame[] {
  // A living-room mix: signs, idle hands and empty stretches.
  const cycle: ScriptStep[] = [
    { label: 'idle', durationMs: 2000 }, { label: 'Inicio', durationMs: 1500 }, { label: 'none', durationMs: 1000 },
    { label: 'Reloj', durationMs: 1500 }, { label: 'idle', durationMs: 1500 }, { label: 'Clima', durationMs: 1500 },
  ];
  const script: ScriptStep[] = [];
  for (let t = 0; t < seconds * 1000; t += 9000) script.push(...cycle);
  return [...scriptedStream({ seed, script: script as Parameters<typeof scriptedStream>[0]['script'], startTs: 1_700_000_000_000 })].slice(0, seconds * 30);
}

function bytesPerRequest(): void {
  const f = new FrameFeaturizer({ useZ: false });
  const w = new FeatureWindow(30, 84);
  const sizes = { f16: [] as number[], f32: [] as number[], json: [] as number[], originalJson: [] as number[] };
  const fields = { id: 'raspberrypi.a1b2c3.123456', reply_to: 'helen/v1/devices/raspberrypi/predictions', deadline: 1_700_000_001_000, trace: { capture: 1_700_000_000_000, publish: 1_700_000_000_003 } };
  frames(20).forEach((frame, i) => {
    w.push(f.push(frame));
    if (!w.isFull || i % 15 !== 0) return;
    const seq: FeatureSequence = w.toSequence();
    sizes.f16.push(encodeRequestBinary(fields, seq, 'f16').length);
    sizes.f32.push(encodeRequestBinary(fields, seq, 'f32').length);
    sizes.json.push(encodeRequestJson(fields, seq).length);
    sizes.originalJson.push(originalJsonBody(seq).length);
  });
  const mean = (a: number[]) => Math.round(a.reduce((x, y) => x + y, 0) / a.length);
  const o = mean(sizes.originalJson);
  console.log(`\nbytes per request, T=30 x F=84 + mask (mean of ${sizes.f16.length} windows of a synthetic stream):`);
  console.log(`  original client JSON body (Python json.dumps of float32 .tolist()): ${o} B`);
  console.log(`  MQTT JSON request (shortest float32 text, with envelope):           ${mean(sizes.json)} B (${(o / mean(sizes.json)).toFixed(1)}x smaller than original)`);
  console.log(`  MQTT binary f32 request:                                            ${mean(sizes.f32)} B (${(o / mean(sizes.f32)).toFixed(1)}x)`);
  console.log(`  MQTT binary f16 request (default):                                  ${mean(sizes.f16)} B (${(o / mean(sizes.f16)).toFixed(1)}x)`);
}

/**
 * What the original client put on the wire: requests.post(json={"sequence": feats.tolist(),
 * "mask": masks.tolist()}). Python prints each float32 widened to a double with repr (the
 * shortest text that reads back as that double, as JS does) and json.dumps separates with
 * ", " and ": ".
 */
function originalJsonBody(seq: FeatureSequence): string {
  const rows = (data: Float32Array, width: number) => {
    const out: string[] = [];
    for (let t = 0; t < seq.frames; t++) {
      out.push(`[${Array.from(data.subarray(t * width, (t + 1) * width), (v) => (Number.isInteger(v) ? v.toFixed(1) : String(v))).join(', ')}]`);
    }
    return `[${out.join(', ')}]`;
  };
  return `{"sequence": ${rows(seq.data, seq.featureDim)}, "mask": ${rows(seq.mask as Float32Array, 2)}}`;
}

/** Encodes like the MQTT path and answers at once with a flat distribution (no gesture fires). */
class EncodeOnly implements Predictor {
  readonly servedBy = 'cloud' as const;
  bytes = 0;
  private readonly probs = CLASS_LABELS.map(() => 1 / CLASS_LABELS.length);
  async predict(seq: FeatureSequence, captureTs: number): Promise<PredictOutcome> {
    this.bytes += encodeRequestBinary({ id: 'pi.1', reply_to: 'helen/v1/devices/pi/predictions', deadline: captureTs + 1000, trace: { capture: captureTs } }, seq, 'f16').length;
    return { kind: 'result', result: { id: 'x', probabilities: this.probs, label: '0', topIndex: 0, topProbability: this.probs[0] as number, servedBy: 'cloud', trace: {} } };
  }
}

async function run(stream: LandmarkFrame[], stride: number, predictor: Predictor, decision: Record<string, number> = {}): Promise<{ cpuMsPerSec: number; requests: number; events: { label: string; ts: number }[]; pipeline: EdgePipeline }> {
  const pipeline = new EdgePipeline({
    model: { seqLen: 30, useZ: false, featureDim: 84, labels: CLASS_LABELS }, decision, stride, deviceId: 'bench', sessionId: 'bench',
    predictor, sinks: [], log: silent,
  });
  const events: { label: string; ts: number }[] = [];
  pipeline.onEvent((e) => events.push({ label: e.gesture, ts: Date.parse(e.timestamp) }));
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < stream.length; i++) {
    pipeline.onFrame(stream[i] as LandmarkFrame);
    if (i % 8 === 0) await new Promise((r) => setImmediate(r));
  }
  // Every request answered before the clock stops (the local model queues them).
  const c = pipeline.counters;
  while (c.results + c.superseded + c.timeouts + c.unavailable + c.errors < c.requests) await new Promise((r) => setTimeout(r, 5));
  const cpu = process.cpuUsage(cpu0);
  return { cpuMsPerSec: (cpu.user + cpu.system) / 1000 / (stream.length / 30), requests: pipeline.counters.requests, events, pipeline };
}

async function main(): Promise<void> {
  bytesPerRequest();
  const stream = frames(SECONDS);
  console.log(`\nedge CPU per second of 30 fps input (${SECONDS} s of synthetic frames, features + window + gates + decision + f16 encode, no socket):`);
  await run(stream.slice(0, 300), 2, new EncodeOnly()); // warm-up (JIT)
  for (const stride of STRIDES) {
    const r = await run(stream, stride, new EncodeOnly());
    // Upper bound: gates forced open, so every stride-th frame becomes a request.
    const open = await run(stream, stride, new EncodeOnly(), { presenceEnter: 0, presenceExit: 0, areaSingle: 0, areaTotal: 0 });
    console.log(`  stride ${stride}: ${r.cpuMsPerSec.toFixed(2)} ms CPU per second of input (${(r.cpuMsPerSec / 10).toFixed(2)}% of one core) at ${(r.requests / SECONDS).toFixed(1)} requests/s;`
      + ` gates forced open: ${open.cpuMsPerSec.toFixed(2)} ms/s at ${(open.requests / SECONDS).toFixed(1)} requests/s`);
  }
  if (!existsSync(DEFAULT_MODEL_PATH)) {
    console.log(`\n(no model at ${DEFAULT_MODEL_PATH}: skipping the local-model runs)`);
    return;
  }
  const local = new LocalPredictor([DEFAULT_MODEL_PATH], silent);
  await local.load();
  console.log('\nwith the local ONNX model answering (the offline fallback), per stride:');
  for (const stride of STRIDES) {
    const r = await run(stream, stride, local);
    const open = await run(stream, stride, local, { presenceEnter: 0, presenceExit: 0, areaSingle: 0, areaTotal: 0 });
    console.log(`  stride ${stride}: ${r.cpuMsPerSec.toFixed(1)} ms CPU/s at ${(r.requests / SECONDS).toFixed(1)} req/s; gates forced open: ${open.cpuMsPerSec.toFixed(1)} ms CPU/s at ${(open.requests / SECONDS).toFixed(1)} req/s (${(local.stats.totalMs / local.stats.runs).toFixed(2)} ms per run so far)`);
  }
  await local.stop();
}

await main();
