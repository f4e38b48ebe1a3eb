/**
 * Where an MQTT round trip's time goes: the bench's requester against one `helen worker`, behind
 * our broker (`helen broker`, aedes) or Mosquitto, several runs each, interleaved. Each line
 * splits the round trip into the worker's share (receipt to reply, from the reply's
 * `elapsed_ms`), the model run inside it (`trace.inference_ms`) and the rest (the broker twice,
 * four loopback socket hops, the requester):
 *
 *   npx tsx bench/src/rt-breakdown.ts [--concurrency 1] [--seconds 8] [--rounds 3] [--encoding f16]
 *
 * Mosquitto is left out, with a note, where it is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { freePort, waitForTcp } from '@helen/runtime';
import { runRequesterProcess } from './phases/mqtt';
import { decideServiceRuntime, startBroker, startWorker, type Service } from './procs';
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

/** A broker and one worker on it; `stop` ends both. */
async function stackOn(kind: BrokerKind): Promise<{ url: string; stop: () => Promise<void> }> {
  const started: Service[] = [];
  let mosquitto: ChildProcess | undefined;
  let url: string;
  if (kind === 'mosquitto') {
    const port = await freePort();
    mosquitto = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
    if (!(await waitForTcp(port, 10_000, () => false))) throw new Error('mosquitto did not open its port');
    url = `mqtt://127.0.0.1:${port}`;
  } else {
    const broker = await startBroker();
    started.push(broker);
    url = broker.url;
  }
  started.push(await startWorker(url, 'breakdown'));
  return {
    url,
    stop: async () => {
      for (const s of started.reverse()) await s.stop();
      mosquitto?.kill();
    },
  };
}

const f = (x: number) => x.toFixed(3);
const kinds: BrokerKind[] = spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error ? ['aedes'] : ['aedes', 'mosquitto'];
if (kinds.length === 1) console.log('mosquitto is not installed: our broker only');
console.log(`services from ${await decideServiceRuntime()}, ${encoding}, concurrency ${values.concurrency}, ${values.seconds} s per run`);
console.log('| broker | round trip p50 / p99 | in the worker p50 / p99 | model run p50 / p99 | rest (p50s) | req/s |');
console.log('| --- | --- | --- | --- | ---: | ---: |');
for (let round = 0; round < Number(values.rounds); round++) {
  for (const kind of kinds) {
    const stack = await stackOn(kind);
    try {
      const r = await runRequesterProcess({
        url: stack.url, encoding, concurrency: Number(values.concurrency), seconds: Number(values.seconds), warmupSeconds: 1, deviceId: 'bench',
      });
      const { latenciesMs: rt, workerMs: w, inferenceMs: m } = r;
      console.log(`| ${kind} | ${f(rt.p50)} / ${f(rt.p99)} | ${f(w.p50)} / ${f(w.p99)} | ${f(m.p50)} / ${f(m.p99)} | ${f(rt.p50 - w.p50)} | ${(r.requests / r.durationSec).toFixed(0)} |`);
    } finally {
      await stack.stop();
    }
  }
}
