/**
 * The fuzz properties of this folder with more runs, and what each target did with its inputs:
 *
 *   node --expose-gc --import tsx test/fuzz/report.ts [--runs N] [--seed S]
 *
 * Per target: inputs tried, refused (by error class or code), accepted, crashes (must be 0),
 * and memory (RSS and heapUsed after a full GC) before and after. Without --runs each target
 * runs ten times its CI count. Exits 1 when a property fails, printing its counterexample and
 * seed: that case then becomes a regression test (regressions.test.ts).
 */
import fc from 'fast-check';
import { brokerProperty, brokerServes, startConformanceBroker } from './broker-targets';
import { EdgeRig, edgeHubProperty, recordingProperty } from './edge-targets';
import { FacadeRig, facadeProperty, OVERSIZED_CASES, oversized, send, writeAllThenRead } from './facade-targets';
import { encodeRequestBinary, isErrorReply } from '@helen/schemas';
import { payloadCase } from './payloads';
import { CI_RUNS, FUZZ_SEED, type FuzzTarget } from './settings';
import { formatMemory, memory, Tally, type MemorySample } from './tally';
import { codecProperty, intakeProperty, LiveWorkerRig, loadMetadata } from './worker-targets';

function option(name: string): number | undefined {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v)) throw new Error(`${name} needs an integer (got ${process.argv[at + 1]})`);
  return v;
}

const seed = option('--seed') ?? FUZZ_SEED;
const runsOption = option('--runs');
const runs = (t: FuzzTarget): number => runsOption ?? CI_RUNS[t] * 10;
let failures = 0;

/**
 * Runs one target. A target with a rig (broker, worker, server) calls `mark()` once its rig is
 * up and again before it stops it, so memory compares the fuzzing alone, not the start-up.
 */
async function target(name: string, body: (tally: Tally, mark: () => void) => Promise<string | void>): Promise<void> {
  const tally = new Tally(name);
  const marks: MemorySample[] = [];
  const mark = (): void => void marks.push(memory());
  const started = Date.now();
  mark();
  let note: string | void = undefined;
  try {
    note = await body(tally, mark);
  } catch (err) {
    failures++;
    console.log(`FAILED ${name} (seed ${seed}): ${String(err).slice(0, 2000)}`);
  }
  mark();
  const [before, after] = marks.length >= 4 ? [marks[1] as MemorySample, marks[2] as MemorySample] : [marks[0] as MemorySample, marks.at(-1) as MemorySample];
  console.log(`${tally.summary()}\n    memory: ${formatMemory(before, after)}\n    time: ${((Date.now() - started) / 1000).toFixed(1)} s${note ? `\n    ${note}` : ''}\n`);
}

console.log(`fuzz report: seed ${seed}, ${runsOption === undefined ? 'ten times the CI runs' : `${runsOption} runs`} per target, gc ${(globalThis as { gc?: unknown }).gc ? 'exposed' : 'via v8 flags'}\n`);

await target('worker codec (decodeRequest)', async (tally) => {
  fc.assert(codecProperty(tally), { seed, numRuns: runs('codec') });
});

const metadata = await loadMetadata();
await target('worker intake', async (tally) => {
  fc.assert(intakeProperty(tally, metadata), { seed, numRuns: runs('intake') });
});

await target('live worker over MQTT', async (tally, mark) => {
  const rig = await LiveWorkerRig.start();
  mark();
  try {
    const { missing, unexpected } = await rig.run(fc.sample(payloadCase, { seed, numRuns: runs('liveWorker') }), tally, 120_000);
    if (missing.length || unexpected.length || rig.unreadable.length) {
      throw new Error(`missing replies ${missing.slice(0, 5).join(', ')}; unexpected ${unexpected.slice(0, 5).join(', ')}; unreadable ${rig.unreadable.slice(0, 2).join(', ')}`);
    }
    const seq = { frames: 30, featureDim: 84, data: new Float32Array(30 * 84).fill(0.5) };
    const after = await rig.stillAnswers((env) => encodeRequestBinary({ id: env.id, reply_to: env.replyTo, deadline: env.deadline }, seq, 'f16'));
    if (!after || isErrorReply(after)) throw new Error('the worker did not answer a valid request after the fuzzing');
    mark();
    return `worker stats: ${JSON.stringify(rig.worker.stats())}`;
  } finally {
    await rig.stop();
  }
});

await target('HTTP facade', async (tally, mark) => {
  const rig = await FacadeRig.start();
  mark();
  try {
    await fc.assert(facadeProperty(() => rig.url, tally), { seed, numRuns: runs('facade') });
    const lines: string[] = [];
    for (const o of OVERSIZED_CASES) {
      for (const [client, sendWith] of [['node:http', send], ['write-all-then-read', writeAllThenRead]] as const) {
        const a = await sendWith(rig.url, oversized(o));
        lines.push(`${oversized(o).kind} via ${client}: ${a.status ?? a.error}`);
        if (a.status !== 413) throw new Error(`oversized ${oversized(o).kind} via ${client}: ${a.status ?? a.error}`);
      }
    }
    if (!(await rig.healthy())) throw new Error('/health is not ok after the fuzzing');
    mark();
    return `oversized bodies: ${lines.join('; ')}`;
  } finally {
    await rig.stop();
  }
});

await target('edge capture hub + pipeline', async (tally, mark) => {
  const rig = await EdgeRig.start();
  mark();
  try {
    await fc.assert(edgeHubProperty(() => rig, tally), { seed, numRuns: runs('edgeHub') });
    mark();
    return `hub dropped ${rig.hub.droppedMessages}, frames ${rig.hub.framesReceived}; pipeline ${JSON.stringify(rig.pipeline.counters)}; windows sent ${rig.predictor.sent}, unencodable ${rig.predictor.unencodable.length}`;
  } finally {
    await rig.stop();
  }
});

await target('edge recordings (parseRecording)', async (tally) => {
  fc.assert(recordingProperty(tally), { seed, numRuns: runs('recording') });
});

await target('MQTT broker (raw TCP)', async (tally, mark) => {
  const broker = await startConformanceBroker('aedes');
  mark();
  try {
    await fc.assert(brokerProperty(() => broker, tally), { seed, numRuns: runs('broker') });
    if (!(await brokerServes(broker.url))) throw new Error('a normal client could not publish and receive after the fuzzing');
    mark();
    return 'a normal client connected, published and received afterwards';
  } finally {
    await broker.stop();
  }
});

console.log(failures === 0 ? 'all targets passed' : `${failures} target(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
