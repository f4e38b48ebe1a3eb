/**
 * Runs a synthetic script through the real pipeline and the local model, for many seeds,
 * and reports what fired and which decision rule held the rest back. Used to choose the
 * stride and to check the end-to-end scenario against the original thresholds.
 *
 *   npx tsx edge-publisher/bench/decision-sweep.ts [--seeds 1-20] [--strides 1,2,3]
 *     [--script idle:1500,Inicio:1500,idle:1500,Reloj:1500,idle:1500] [--model path] [--hand-scale 0.2-0.3]
 *   HELEN_DECISION_* variables override rules (e.g. HELEN_DECISION_MOTION_ENTER=0).
 *
 * Frames are paced by the replies (each window waits for its answer), so the outcome is
 * what a Pi with instant inference would decide; time is frame time, as in the engine.
 */
import { scriptedStream } from '@helen/synthetic-signer';
import { DEFAULT_MODEL_PATH } from '@helen/model-runtime';
import { CLASS_LABELS, type LandmarkFrame } from '@helen/schemas';
import pino from 'pino';
import { DEFAULT_SYNTHETIC_HAND_SCALE, edgeConfigFromEnv, parseScaleRange, parseScript } from '../src/config';
import { EdgePipeline } from '../src/pipeline/pipeline';
import { LocalPredictor } from '../src/predict/local-predictor';
import type { PredictOutcome, Predictor } from '../src/predict/types';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const [s0, s1] = arg('--seeds', '1-20').split('-').map(Number) as [number, number];
const STRIDES = arg('--strides', '2').split(',').map(Number);
const SCRIPT = parseScript(arg('--script', 'idle:1500,Inicio:1500,idle:1500,Reloj:1500,idle:1500'));
const MODEL = arg('--model', DEFAULT_MODEL_PATH);
const HAND_SCALE = parseScaleRange(arg('--hand-scale', DEFAULT_SYNTHETIC_HAND_SCALE));
const decision = edgeConfigFromEnv(process.env).decision;
const silent = pino({ level: 'silent' });

/** Awaits each answer before the next frame, so results do not depend on this machine's load. */
class Synchronous implements Predictor {
  readonly servedBy = 'edge' as const;
  last: Promise<PredictOutcome> | undefined;
  constructor(private readonly inner: LocalPredictor) {}
  predict(...a: Parameters<Predictor['predict']>): Promise<PredictOutcome> {
    this.last = this.inner.predict(...a);
    return this.last;
  }
  /** The request the last frame started, if any (and forget it). */
  take(): Promise<PredictOutcome> | undefined {
    const l = this.last;
    this.last = undefined;
    return l;
  }
}

const expected = SCRIPT.filter((s) => s.label !== 'idle' && s.label !== 'none').map((s) => s.label);
const local = new LocalPredictor([MODEL], silent);
await local.load();
console.log(`script ${SCRIPT.map((s) => `${s.label}:${s.durationMs}`).join(',')}; expected ${JSON.stringify(expected)}; model ${MODEL}`);
for (const stride of STRIDES) {
  let exact = 0;
  let wrong = 0;
  let requests = 0;
  let frames = 0;
  const latencies: number[] = [];
  const blockers: Record<string, number> = {};
  const firedLabels: string[] = [];
  let staticWindows = 0;
  let movingWindows = 0;
  const bestP1: string[] = [];
  for (let seed = s0; seed <= s1; seed++) {
    const predictor = new Synchronous(local);
    const pipeline = new EdgePipeline({
      model: { seqLen: 30, useZ: false, featureDim: 84, labels: CLASS_LABELS }, decision, stride, deviceId: 'sweep', sessionId: 'sweep', predictor, sinks: [], log: silent,
    });
    const fired: string[] = [];
    const best: Record<string, number> = {};
    let current: { label: string; first: number } | undefined;
    pipeline.onEvent((e, d) => {
      fired.push(e.gesture);
      if (current && current.label === e.gesture) latencies.push(d.ts - current.first);
    });
    pipeline.onPrediction((r, d) => {
      // While a sign is shown and not yet active, count which enter rules failed.
      if (!current || current.label !== r.label || d.active !== null || !d.checks) return;
      // A static window (motion under the threshold in force) is held back by the stricter
      // static numbers, not by "motion"; a moving one by the plain enter rules.
      const c = d.checks;
      for (const [k, ok] of Object.entries(c)) {
        if (ok || ['static', 'staticStrong', 'early'].includes(k) || (k === 'motion' && c.static)) continue;
        blockers[k] = (blockers[k] ?? 0) + 1;
      }
      if (c.static && !c.staticStrong) {
        // Which of the static numbers fails (hand score when probability and margin pass).
        const k = d.p1 < decision.staticProb ? 'staticProb' : d.margin < decision.staticMargin ? 'staticMargin' : 'staticHandScore';
        blockers[k] = (blockers[k] ?? 0) + 1;
      }
      if (c.static) staticWindows++;
      else movingWindows++;
      best[r.label] = Math.max(best[r.label] ?? 0, d.p1);
    });
    for (const f of scriptedStream({ seed, script: SCRIPT as Parameters<typeof scriptedStream>[0]['script'], startTs: 1_700_000_000_000, handScale: HAND_SCALE }) as Generator<LandmarkFrame>) {
      if (!current || current.label !== f.label) current = { label: f.label ?? '?', first: f.ts };
      pipeline.onFrame(f);
      const pending = predictor.take();
      if (pending) await pending;
      await new Promise((r) => setImmediate(r));
    }
    requests += pipeline.counters.requests;
    frames += pipeline.counters.frames;
    if (JSON.stringify(fired) === JSON.stringify(expected)) exact++;
    // Wrong: anything that is not a subsequence of the expected signs (another label, a repeat, out of order).
    let at = 0;
    for (const l of fired) {
      while (at < expected.length && expected[at] !== l) at++;
      at++;
    }
    if (at > expected.length) wrong++;
    firedLabels.push(`${seed}:${fired.join('+') || '-'}`);
    bestP1.push(`${seed}:${expected.map((l) => (best[l] ?? 0).toFixed(3)).join('/')}`);
  }
  latencies.sort((a, b) => a - b);
  const med = latencies.length ? latencies[Math.floor(latencies.length / 2)] : NaN;
  console.log(`stride ${stride}: exactly ${JSON.stringify(expected)} in ${exact}/${s1 - s0 + 1} seeds, something wrong in ${wrong}; ${(requests / (frames / 30)).toFixed(1)} requests/s; sign onset -> deciding frame median ${med?.toFixed(0)} ms (n=${latencies.length})`);
  console.log(`  fired per seed: ${firedLabels.join(' ')}`);
  console.log(`  enter rules failing on predictions of the shown sign: ${JSON.stringify(blockers)}`);
  console.log(`  those predictions: ${staticWindows} static, ${movingWindows} moving; best averaged p per seed (${expected.join('/')}) before entering: ${bestP1.join(' ')}`);
}
await local.stop();
