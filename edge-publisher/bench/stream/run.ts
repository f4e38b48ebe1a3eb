/**
 * The stream benchmark (issue 12): synthetic people signing 5-8 of the 22 signs with idle
 * gaps, or just standing about, under varied camera conditions, through the edge's own
 * pipeline and decision engine with the model; scored per class and overall.
 *
 *   npx tsx edge-publisher/bench/stream/run.ts --split heldout --streams 200 [--seed-base 0]
 *     [--preset default|original] [--stride 1] [--tolerance-ms 1000] [--model path] [--json out.json]
 *     [--list-false]   one line per false event: seed, time, label and the script step it fell in
 *
 * Tune on `--split tuning`; report on `--split heldout`. Time is frame time, so the figures
 * do not depend on this machine's speed or load. HELEN_DECISION_* variables apply to the
 * `default` preset, as they do to the edge.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_PATH, loadModel } from '@helen/model-runtime';
import { DEFAULT_STRIDE } from '../../src/config';
import { DEFAULT_RESAMPLE } from '../../src/pipeline/resample';
import { runBench } from './bench';
import { decisionFor, PRESETS, type Preset } from './presets';
import { formatReport } from './report';
import { SPLITS, type Split } from './scenario';
import { DEFAULT_TOLERANCE_MS } from './scorer';
import { falseEventLines } from './false-events';

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'heldout' },
    streams: { type: 'string', default: '100' },
    'seed-base': { type: 'string', default: '0' },
    preset: { type: 'string', default: 'default' },
    stride: { type: 'string', default: String(DEFAULT_STRIDE) },
    'tolerance-ms': { type: 'string', default: String(DEFAULT_TOLERANCE_MS) },
    model: { type: 'string', default: DEFAULT_MODEL_PATH },
    json: { type: 'string' },
    'resample-fps': { type: 'string' },
    'list-false': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
const int = (name: string, raw: string, min: number) => {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) fail(`--${name} must be an integer >= ${min} (got ${raw})`);
  return v;
};

const split = values.split as Split;
if (!SPLITS.includes(split)) fail(`--split must be one of ${SPLITS.join(', ')} (got ${values.split})`);
const preset = values.preset as Preset;
if (!PRESETS.includes(preset)) fail(`--preset must be one of ${PRESETS.join(', ')} (got ${values.preset})`);
const streams = int('streams', values.streams, 1);
const seedBase = int('seed-base', values['seed-base'], 0);
const stride = int('stride', values.stride, 1);
const toleranceMs = int('tolerance-ms', values['tolerance-ms'], 0);

const decision = decisionFor(preset, process.env);
// Frame-rate normalisation: the pipeline's default unless --resample-fps says otherwise (0 = off).
const resample = values['resample-fps'] === undefined ? undefined : { ...DEFAULT_RESAMPLE, fps: int('resample-fps', values['resample-fps'], 0) };
// One intra-op thread, not spinning, as the edge's local model: the machine is shared.
const model = await loadModel([values.model], 'main', { intraOpThreads: 1, spinning: false });
const started = performance.now();
const report = await runBench({
  split, streams, seedBase, model, decision: decision.settings, stride, toleranceMs, ...(resample ? { resample } : {}),
  onStream: (done, seed, detail) => {
    if (values['list-false']) for (const line of falseEventLines(seed, detail)) console.log(line);
    if (done % 25 === 0 || done === streams) process.stderr.write(`${done}/${streams} streams, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  },
});
await model.engine.close();
const wallS = (performance.now() - started) / 1000;

console.log(formatReport(report, `${split} split, streams ${seedBase}..${seedBase + streams - 1}, preset ${preset}, stride ${stride}, model ${model.metadata.model_id}`));
console.log(`\nDecision numbers: ${decision.note}. Wall time ${wallS.toFixed(0)} s for ${report.hours.toFixed(2)} h of frame time (${(report.hours * 3600 / wallS).toFixed(0)}x real time).`);
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ split, streams, seedBase, preset, stride, toleranceMs, model: model.metadata.model_id, decision: decision.settings, report }, null, 2)}\n`);
  console.error(`wrote ${values.json}`);
}
