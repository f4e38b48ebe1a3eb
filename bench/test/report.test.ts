import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latencyOf } from '../src/latency';
import { README_BEGIN, README_END, updateReadme } from '../src/report/readme';
import { evaluateTargets } from '../src/report/targets';
import type { BenchResults, Latency } from '../src/results';

const l = (p50: number, p99: number): Latency => ({ n: 100, p50, p99, p999: p99, mean: p50, max: p99 });

function results(): BenchResults {
  return {
    meta: { date: '2026-11-26T00:00:00.000Z', commit: 'abc', node: 'v20', cpus: 2, cpuModel: 'cpu', modelId: 'm', quick: false, services: 'dist', load: [0, 0], seconds: 1 },
    floor: [{ intraOpThreads: 1, batch1: l(0.5, 0.6), throughput: [{ batch: 8, windowsPerSec: 3000 }, { batch: 32, windowsPerSec: 4000 }] }],
    mqtt: [{ encoding: 'f16', requestBytes: 5000, concurrency: 1, latency: l(0.7, 1.9), requestsPerSec: 1000, errors: 0 },
      { encoding: 'f16', requestBytes: 5000, concurrency: 64, latency: l(10, 20), requestsPerSec: 3700, errors: 0 }],
    http: [{ target: 'facade', concurrency: 1, latency: l(1, 3), requestsPerSec: 900, errors: 0, durationSec: 10 },
      { target: 'facade', concurrency: 32, latency: l(10, 30), requestsPerSec: 2000, errors: 0, durationSec: 10 },
      { target: 'baseline', concurrency: 1, latency: l(3, 4), requestsPerSec: 300, errors: 0, durationSec: 10 },
      { target: 'baseline', concurrency: 32, latency: l(40, 50), requestsPerSec: 600, errors: 0, durationSec: 10 }],
    workers: [{ workers: 1, concurrency: 64, requestsPerSec: 2000, latency: l(1, 2) }, { workers: 2, concurrency: 64, requestsPerSec: 3000, latency: l(1, 2) }],
    batchSizes: [], cpu: [], curves: [], notes: [], runtime: [],
    memory: [{ process: 'worker', when: 'idle', rssMb: 120 }, { process: 'worker', when: 'after load', rssMb: 160 }, { process: 'broker', when: '100 devices connected', rssMb: 70 }],
    requestSizes: [{ encoding: 'http-json', bytes: 50_000 }, { encoding: 'f16', bytes: 5_000 }],
  };
}

describe('bench report', () => {
  it('computes each target as a ratio inside the run', () => {
    const byName = new Map(evaluateTargets(results()).map((t) => [t.name, t]));
    expect(byName.get('/predict p50 at concurrency 1 vs baseline')?.met).toBe(true); // 1 / 3
    expect(byName.get('/predict p99 at concurrency 1 vs baseline')?.met).toBe(true); // 3 <= 4
    expect(byName.get('/predict saturated throughput vs baseline')?.met).toBe(false); // 2000 / 600 = 3.3x
    expect(byName.get('MQTT saturated throughput vs in-process best batched (1 thread)')?.met).toBe(true); // 3700 / 4000
    expect(byName.get('two workers vs one')?.met).toBe(false); // 1.5x
    expect(byName.get('MQTT f16 round trip p50 at concurrency 1 vs in-process batch 1')?.met).toBe(true); // +0.2 ms
    expect(byName.get('f16 request vs the original JSON request')?.met).toBe(true); // 10 %
    expect(byName.get('worker RSS')?.met).toBe(false); // the larger of idle and after load
    expect(byName.get('broker RSS with 100 connected devices')?.met).toBe(true);
    expect(byName.get('facade RSS')?.met).toBeUndefined(); // not measured is not "met"
  });

  it('replaces only the marked README block and refuses a README without one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helen-readme-'));
    try {
      const path = join(dir, 'README.md');
      await writeFile(path, `intro\n${README_BEGIN}\nold table\n${README_END}\noutro\n`);
      await updateReadme(path, results());
      const text = await readFile(path, 'utf8');
      expect(text.startsWith('intro\n')).toBe(true);
      expect(text.endsWith(`${README_END}\noutro\n`)).toBe(true);
      expect(text).not.toContain('old table');
      expect(text).toContain('| `/predict` (facade -> MQTT -> worker) | 1 | 1.00 / 3.00 / 3.00 | 900 |');
      await writeFile(path, 'no markers\n');
      await expect(updateReadme(path, results())).rejects.toThrow(/no benchmark block/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('summarises latency samples with nearest-rank percentiles', () => {
    const s = latencyOf(Array.from({ length: 1000 }, (_, i) => 1000 - i));
    expect([s.n, s.p50, s.p99, s.p999, s.max, s.mean]).toEqual([1000, 500, 990, 999, 1000, 500.5]);
  });
});
