/**
 * How far ONNX Runtime scales across this machine's cores: the floor's batch-32 throughput (one
 * intra-op thread, as the worker runs it) in one process alone, then in two processes at once,
 * alternating. The ceiling for "two workers against one" before any broker or requester:
 *
 *   npx tsx bench/src/parallel-floor.ts [--rounds 2] [--seconds 8]
 *
 * Each process runs `--child <start epoch ms> <seconds>` and prints its windows/s.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_PATH, loadModel } from '@helen/model-runtime';
import { benchWindow } from './window';

const BATCH = 32;

async function child(startAt: number, seconds: number): Promise<void> {
  const seq = benchWindow();
  const model = await loadModel([DEFAULT_MODEL_PATH], 'main', { intraOpThreads: 1, spinning: false });
  const input = new Float32Array(BATCH * seq.data.length);
  for (let i = 0; i < BATCH; i++) input.set(seq.data, i * seq.data.length);
  const run = () => model.engine.run(input, [BATCH, seq.frames, seq.featureDim], model.inputName, model.outputName);
  for (let i = 0; i < 5; i++) await run();
  // Both processes start timing at the same moment, after their model loads.
  while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 5));
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await run();
    runs++;
  }
  process.stdout.write(`${((runs * BATCH) / ((performance.now() - t0) / 1000)).toFixed(0)}\n`);
  await model.engine.close();
}

function runChildren(count: number, seconds: number): Promise<number[]> {
  const startAt = Date.now() + 5000;
  const self = fileURLToPath(import.meta.url);
  return Promise.all(Array.from({ length: count }, () => new Promise<number>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', self, '--child', String(startAt), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`child exited ${code}`))));
  })));
}

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, seconds: { type: 'string', default: '8' }, child: { type: 'boolean', default: false } }, allowPositionals: true, strict: false });
if (values.child) {
  const [startAt, seconds] = process.argv.slice(-2).map(Number);
  await child(startAt as number, seconds as number);
} else {
  console.log(`batch ${BATCH}, 1 intra-op thread, windows/s per process`);
  for (let round = 0; round < Number(values.rounds); round++) {
    const [alone] = await runChildren(1, Number(values.seconds));
    const pair = await runChildren(2, Number(values.seconds));
    const sum = pair.reduce((a, b) => a + b, 0);
    console.log(`round ${round + 1}: one alone ${alone}; two at once ${pair.join(' + ')} = ${sum} (${(sum / (alone as number)).toFixed(2)}x)`);
  }
}
