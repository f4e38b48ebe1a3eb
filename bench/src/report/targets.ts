/** The targets, each a ratio or a bound inside one bench run, computed from the results. */
import type { BenchResults, HttpResult, MemoryResult } from '../results';

export interface TargetCheck {
  name: string;
  /** What was measured, formatted with its unit. */
  measured: string;
  target: string;
  /** undefined when a phase did not run (no baseline tool, --skip). */
  met: boolean | undefined;
}

const at = (rows: HttpResult[], target: HttpResult['target'], c: number) => rows.find((r) => r.target === target && r.concurrency === c);
const maxRps = (rows: { requestsPerSec: number }[]) => (rows.length ? Math.max(...rows.map((r) => r.requestsPerSec)) : NaN);
const fx = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function check(name: string, value: number, cmp: '<=' | '>=', bound: number, measured: string, target: string): TargetCheck {
  const met = Number.isFinite(value) ? (cmp === '<=' ? value <= bound : value >= bound) : undefined;
  return { name, measured, target, met };
}

function rss(memory: MemoryResult[], process: MemoryResult['process'], when?: string): number {
  const rows = memory.filter((m) => m.process === process && (when === undefined || m.when === when));
  return rows.length ? Math.max(...rows.map((m) => m.rssMb)) : NaN;
}

export function evaluateTargets(r: BenchResults): TargetCheck[] {
  const facade1 = at(r.http, 'facade', 1);
  const base1 = at(r.http, 'baseline', 1);
  const facadeMax = maxRps(r.http.filter((h) => h.target === 'facade'));
  const baseMax = maxRps(r.http.filter((h) => h.target === 'baseline'));
  const floor1 = r.floor.find((f) => f.intraOpThreads === 1);
  const floorBest1 = floor1 ? maxRps(floor1.throughput.map((t) => ({ requestsPerSec: t.windowsPerSec }))) : NaN;
  const mqttMax = maxRps(r.mqtt.filter((m) => m.encoding === 'f16'));
  const f16c1 = r.mqtt.find((m) => m.encoding === 'f16' && m.concurrency === 1);
  const one = r.workers.find((w) => w.workers === 1);
  const two = r.workers.find((w) => w.workers === 2);
  const f16Bytes = r.requestSizes.find((s) => s.encoding === 'f16')?.bytes ?? NaN;
  const jsonBytes = r.requestSizes.find((s) => s.encoding === 'http-json')?.bytes ?? NaN;
  const brokerWithDevices = r.memory.find((m) => m.process === 'broker' && m.when.endsWith('devices connected'));
  const p50Ratio = (facade1?.latency.p50 ?? NaN) / (base1?.latency.p50 ?? NaN);
  const rpsRatio = facadeMax / baseMax;
  const mqttRatio = mqttMax / floorBest1;
  const workersRatio = (two?.requestsPerSec ?? NaN) / (one?.requestsPerSec ?? NaN);
  const floorP50 = floor1?.batch1.p50 ?? NaN;
  return [
    check('/predict p50 at concurrency 1 vs baseline', p50Ratio, '<=', 0.5, `${fx(p50Ratio)}x (${fx(facade1?.latency.p50 ?? NaN)} vs ${fx(base1?.latency.p50 ?? NaN)} ms)`, '<= 0.5x'),
    check('/predict p99 at concurrency 1 vs baseline', (facade1?.latency.p99 ?? NaN) - (base1?.latency.p99 ?? NaN), '<=', 0,
      `${fx(facade1?.latency.p99 ?? NaN)} vs ${fx(base1?.latency.p99 ?? NaN)} ms`, "<= baseline's p99"),
    check('/predict saturated throughput vs baseline', rpsRatio, '>=', 4, `${fx(rpsRatio)}x (${fx(facadeMax, 0)} vs ${fx(baseMax, 0)} req/s)`, '>= 4x'),
    check('MQTT saturated throughput vs in-process best batched (1 thread)', mqttRatio, '>=', 0.9, `${fx(mqttRatio)}x (${fx(mqttMax, 0)} vs ${fx(floorBest1, 0)} /s)`, '>= 0.9x'),
    check('two workers vs one', workersRatio, '>=', 1.6, `${fx(workersRatio)}x (${fx(two?.requestsPerSec ?? NaN, 0)} vs ${fx(one?.requestsPerSec ?? NaN, 0)} req/s)`, '>= 1.6x'),
    check('MQTT f16 round trip p50 at concurrency 1 vs in-process batch 1', (f16c1?.latency.p50 ?? NaN) - floorP50, '<=', 0.3,
      `${fx(f16c1?.latency.p50 ?? NaN, 3)} vs ${fx(floorP50, 3)} ms (+${fx((f16c1?.latency.p50 ?? NaN) - floorP50, 3)})`, '<= +0.3 ms'),
    check('MQTT f16 round trip p99 at concurrency 1', f16c1?.latency.p99 ?? NaN, '<=', 2, `${fx(f16c1?.latency.p99 ?? NaN, 3)} ms`, '<= 2 ms'),
    check('f16 request vs the original JSON request', f16Bytes / jsonBytes, '<=', 0.11, `${fx((100 * f16Bytes) / jsonBytes, 1)} % (${f16Bytes} vs ${jsonBytes} bytes)`, '<= 11 %'),
    check('worker RSS', rss(r.memory, 'worker'), '<=', 150, `${fx(rss(r.memory, 'worker'), 0)} MB`, '<= 150 MB'),
    check('facade RSS', rss(r.memory, 'facade'), '<=', 100, `${fx(rss(r.memory, 'facade'), 0)} MB`, '<= 100 MB'),
    check('broker RSS with 100 connected devices', brokerWithDevices?.rssMb ?? NaN, '<=', 80, `${fx(brokerWithDevices?.rssMb ?? NaN, 0)} MB (${brokerWithDevices?.when ?? 'not measured'})`, '<= 80 MB'),
    check('edge service RSS (no browser)', rss(r.memory, 'edge'), '<=', 100, `${fx(rss(r.memory, 'edge'), 0)} MB`, '<= 100 MB'),
  ];
}
