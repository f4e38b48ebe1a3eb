/** The phases in order, each filling its part of the results; a phase that cannot run says why in notes. */
import { createTopics } from '@helen/schemas';
import { startBaseline, haveBaseline } from './baseline';
import { haveWrk } from './load/wrk';
import { measureFloor } from './phases/floor';
import { measureHttp } from './phases/http';
import { brokerRssWithDevices, edgeRss } from './phases/memory';
import { measureMqtt } from './phases/mqtt';
import { measureRuntime } from './phases/runtime';
import { measureWorkers } from './phases/workers';
import { cpuSeconds, rssMb, startApi, startBrokerAndWorker, type Service } from './procs';
import type { BenchResults, CpuResult, Latency, MemoryResult } from './results';
import { benchWindow, mqttRequest, originalJsonBody } from './window';

export interface PhasePlan {
  floor: { batch1Runs: number; secondsPerBatch: number };
  mqttSeconds: number;
  httpSeconds: number;
  workersSeconds: number;
  edgeSeconds: number;
  devices: number;
  runtimeRounds: number;
}

type Enabled = (phase: 'floor' | 'mqtt' | 'http' | 'baseline' | 'workers' | 'memory' | 'runtime') => boolean;
type Log = (line: string) => void;

/** Concurrency of the CPU-per-prediction run: saturated, like a busy VM. */
const CPU_CONCURRENCY = 32;
const HTTP_CONCURRENCIES = [1, 16];
const HTTP_SATURATED = [CPU_CONCURRENCY, 64];

function requestSizes(results: BenchResults): void {
  const seq = benchWindow();
  const replyTo = createTopics().apiReplies('bench');
  results.requestSizes = [
    { encoding: 'http-json', bytes: Buffer.byteLength(originalJsonBody(seq)) },
    ...(['json', 'f32', 'f16'] as const).map((encoding) => ({ encoding, bytes: mqttRequest(seq, encoding, 'r0000001', replyTo).length })),
  ];
}

/** CPU ms per 1,000 requests of each process over one load run. */
async function cpuPer1000<T extends { requestsPerSec: number; durationSec: number }>(procs: { name: string; pids: () => number[] }[], run: () => Promise<T[]>): Promise<{ rows: T[]; cpu: CpuResult[] }> {
  const cpuOf = (pids: number[]) => pids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  const before = procs.map((p) => cpuOf(p.pids()));
  const rows = await run();
  const requests = rows.reduce((a, r) => a + r.requestsPerSec * r.durationSec, 0);
  const cpu = procs.map((p, i) => ({ process: p.name, msPer1000: ((cpuOf(p.pids()) - (before[i] ?? 0)) * 1000 * 1000) / Math.max(1, requests) }));
  return { rows, cpu };
}

function memory(process: MemoryResult['process'], when: string, ...pids: number[]): MemoryResult {
  return { process, when, rssMb: pids.reduce((a, pid) => a + rssMb(pid), 0) };
}

async function ourStack(results: BenchResults, plan: PhasePlan, enabled: Enabled, log: Log): Promise<void> {
  const started: Service[] = [];
  try {
    const { broker, worker } = await startBrokerAndWorker(started, 'bench-w1');
    const api = await startApi(broker.url);
    started.push(api);
    results.memory.push(memory('broker', 'idle', broker.pid), memory('worker', 'idle', worker.pid), memory('facade', 'idle', api.pid));

    if (enabled('mqtt')) {
      log('mqtt: round trips, json/f32/f16 at concurrency 1, 8, 64');
      results.mqtt = await measureMqtt(broker.url, { encodings: ['json', 'f32', 'f16'], concurrencies: [1, 8, 64], seconds: plan.mqttSeconds });
    }
    if (enabled('http')) {
      log('http: /predict on the facade');
      const low = await measureHttp('facade', api.url, { concurrencies: HTTP_CONCURRENCIES, seconds: plan.httpSeconds });
      const procs = [broker, worker, api].map((s) => ({ name: s.name === 'facade' ? 'facade' : s.name.split(' ')[0] as string, pids: () => [s.pid] }));
      const high = await cpuPer1000(procs, async () => (await measureHttp('facade', api.url, { concurrencies: HTTP_SATURATED, seconds: plan.httpSeconds, warmupSeconds: 0 })).results);
      results.http.push(...low.results, ...high.rows);
      results.cpu.push(...high.cpu.map((c) => ({ ...c, process: `${c.process} (/predict)` })));
      const c1 = low.distributions.find((d) => d.concurrency === 1);
      if (c1) results.curves.push({ label: '/predict facade', points: c1.points });
      results.memory.push(memory('broker', 'after load', broker.pid), memory('worker', 'after load', worker.pid), memory('facade', 'after load', api.pid));
    }
    if (enabled('memory')) {
      log(`memory: broker with ${plan.devices} devices, edge service`);
      results.memory.push({ process: 'broker', when: `${plan.devices} devices connected`, rssMb: await brokerRssWithDevices(broker.url, broker.pid, plan.devices) });
      results.memory.push({ process: 'edge', when: `synthetic source, ${plan.edgeSeconds} s`, rssMb: await edgeRss(broker.url, plan.edgeSeconds) });
    }
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
}

async function baseline(results: BenchResults, plan: PhasePlan, log: Log): Promise<void> {
  if (!haveBaseline()) {
    results.notes.push('baseline not measured: /usr/bin/python3 with flask, torch and onnx, and gunicorn are needed (apt: python3-flask python3-torch python3-onnx gunicorn libopenblas0-openmp)');
    return;
  }
  log('baseline: Flask + PyTorch under gunicorn (2 workers)');
  const server = await startBaseline({ workers: 2 });
  try {
    results.memory.push({ process: 'baseline', when: 'idle (gunicorn master + 2 workers)', rssMb: server.pids().reduce((a, pid) => a + rssMb(pid), 0) });
    const low = await measureHttp('baseline', server.url, { concurrencies: HTTP_CONCURRENCIES, seconds: plan.httpSeconds });
    const high = await cpuPer1000([{ name: 'baseline gunicorn (/predict)', pids: server.pids }], async () =>
      (await measureHttp('baseline', server.url, { concurrencies: HTTP_SATURATED, seconds: plan.httpSeconds, warmupSeconds: 0 })).results);
    results.http.push(...low.results, ...high.rows);
    results.cpu.push(...high.cpu);
    const c1 = low.distributions.find((d) => d.concurrency === 1);
    if (c1) results.curves.push({ label: '/predict baseline', points: c1.points });
  } finally {
    await server.stop();
  }
}

/** A curve from a summary only (runs without wrk's full distribution): its p50, p99 and p99.9. */
function summaryPoints(l: Latency): { p: number; ms: number }[] {
  return [{ p: 50, ms: l.p50 }, { p: 99, ms: l.p99 }, { p: 99.9, ms: l.p999 }];
}

export async function runPhases(results: BenchResults, plan: PhasePlan, enabled: Enabled, log: Log): Promise<void> {
  requestSizes(results);
  if (enabled('floor')) {
    log('floor: in-process ONNX Runtime');
    results.floor = await measureFloor({ threads: [1, 2], batch1Runs: plan.floor.batch1Runs, batches: [8, 32, 128], secondsPerBatch: plan.floor.secondsPerBatch });
  }
  const wrkMissing = !haveWrk();
  if (wrkMissing && (enabled('http') || enabled('baseline'))) results.notes.push('/predict not measured: wrk is missing (apt: wrk)');
  const httpOn = (p: 'http' | 'baseline') => enabled(p) && !wrkMissing;
  if (enabled('mqtt') || httpOn('http') || enabled('memory')) await ourStack(results, plan, (p) => (p === 'http' ? httpOn('http') : enabled(p)), log);
  if (httpOn('baseline')) await baseline(results, plan, log);
  if (enabled('workers')) {
    log('workers: one against two on the shared subscription');
    const w = await measureWorkers({ seconds: plan.workersSeconds, concurrency: 64 });
    results.workers = w.results;
    results.batchSizes = w.batchSizes;
  }
  if (enabled('runtime')) {
    log('runtime: helen broker from the sources (tsx) against the bundle (dist)');
    const runtime = await measureRuntime(plan.runtimeRounds);
    if (runtime) results.runtime = runtime;
    else results.notes.push('runtime: tsx against the compiled build not measured: dist/ has no bundles (`npm run build`)');
  }
  const f16c1 = results.mqtt.find((m) => m.encoding === 'f16' && m.concurrency === 1);
  if (f16c1) results.curves.push({ label: 'MQTT f16', points: summaryPoints(f16c1.latency) });
  const floor1 = results.floor.find((f) => f.intraOpThreads === 1);
  if (floor1) results.curves.push({ label: 'in-process batch 1', points: summaryPoints(floor1.batch1) });
}

