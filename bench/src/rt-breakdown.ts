/**
 * Where an MQTT round trip's time goes: the bench's requester against one `helen worker`, behind
 * our broker (`helen broker`, aedes) or Mosquitto, several runs each, interleaved. Each line
 * splits the round trip into the worker's share (receipt to reply, from the reply's
 * `elapsed_ms`), the model run inside it (`trace.inference_ms`) and the rest (the broker twice,
 * four loopback socket hops, the requester), with the cores each process used meanwhile:
 *
 *   npx tsx bench/src/rt-breakdown.ts [--concurrency 1] [--seconds 8] [--rounds 3] [--encoding f16]
 *
 * Mosquitto is left out, with a note, where it is not installed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { freePort, waitForTcp } from '@helen/runtime';
import { runRequesterProcess } from './phases/mqtt';
import { cpuSeconds, decideServiceRuntime, spawnService, startBroker, startWorker, type Service } from './procs';
import type { Encoding } from './results';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    encoding: { type: 'string', default: 'f16' },
  },
});
const encoding = values.encoding as Encoding;
if (!['json', 'f32', 'f16'].includes(encoding)) throw new Error('--encoding must be json, f32 or f16');

type BrokerKind = 'aedes' | 'mosquitto';

interface Stack { url: string; broker: Service; worker: Service; stop: () => Promise<void> }

/** A broker and one worker on it; `stop` ends both. */
async function stackOn(kind: BrokerKind): Promise<Stack> {
  let broker: Service;
  let url: string;
  if (kind === 'mosquitto') {
    const port = await freePort();
    broker = spawnService('mosquitto', 'mosquitto', ['-p', String(port)], {});
    if (!(await waitForTcp(port, 10_000, () => false))) {
      await broker.stop('SIGKILL');
      throw new Error('mosquitto did not open its port');
    }
    url = `mqtt://127.0.0.1:${port}`;
  } else {
    const aedes = await startBroker();
    broker = aedes;
    url = aedes.url;
  }
  let worker: Service;
  try {
    worker = await startWorker(url, 'breakdown');
  } catch (err) {
    await broker.stop();
    throw err;
  }
  return {
    url, broker, worker,
    stop: async () => {
      await worker.stop();
      await broker.stop();
    },
  };
}

/** Busy and total jiffies of the whole machine (/proc/stat), to tell how full the cores were. */
function machineJiffies(): { busy: number; total: number } {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const v = fields.map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

const f = (x: number) => x.toFixed(3);
const cores = availableParallelism();
const kinds: BrokerKind[] = spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error ? ['aedes'] : ['aedes', 'mosquitto'];
if (kinds.length === 1) console.log('mosquitto is not installed: our broker only');
console.log(`services from ${await decideServiceRuntime()}, ${encoding}, concurrency ${values.concurrency}, ${values.seconds} s per run`);
console.log('| broker | round trip p50 / p99 | in the worker p50 / p99 | model run p50 / p99 | rest (p50s) | req/s | cores: broker / worker / machine |');
console.log('| --- | --- | --- | --- | ---: | ---: | --- |');
for (let round = 0; round < Number(values.rounds); round++) {
  for (const kind of kinds) {
    const stack = await stackOn(kind);
    try {
      const cpu0 = { broker: cpuSeconds(stack.broker.pid), worker: cpuSeconds(stack.worker.pid), machine: machineJiffies(), at: performance.now() };
      const r = await runRequesterProcess({
        url: stack.url, encoding, concurrency: Number(values.concurrency), seconds: Number(values.seconds), warmupSeconds: 1, deviceId: 'bench',
      });
      const wallS = (performance.now() - cpu0.at) / 1000;
      const machine = machineJiffies();
      // The machine's share of busy jiffies times its core count: cores in use on average.
      const machineCores = ((machine.busy - cpu0.machine.busy) / (machine.total - cpu0.machine.total)) * cores;
      const used = (now: number, before: number) => ((now - before) / wallS).toFixed(2);
      const coresUsed = `${used(cpuSeconds(stack.broker.pid), cpu0.broker)} / ${used(cpuSeconds(stack.worker.pid), cpu0.worker)} / ${machineCores.toFixed(2)}`;
      const { latenciesMs: rt, workerMs: w, inferenceMs: m } = r;
      console.log(`| ${kind} | ${f(rt.p50)} / ${f(rt.p99)} | ${f(w.p50)} / ${f(w.p99)} | ${f(m.p50)} / ${f(m.p99)} | ${f(rt.p50 - w.p50)} | ${(r.requests / r.durationSec).toFixed(0)} | ${coresUsed} |`);
    } finally {
      await stack.stop();
    }
  }
}
