/**
 * A short real run of the floor and MQTT phases: real ONNX Runtime, a real broker and worker
 * (`helen broker`, `helen worker`) and the requester as its own process. Checks that the
 * figures are sane, never how fast they are (the machine is shared).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureFloor } from '../src/phases/floor';
import { measureMqtt } from '../src/phases/mqtt';
import { bucketDelta, parseHistogramBuckets } from '../src/phases/workers';
import { startBroker, startWorker, type Service } from '../src/procs';
import type { Latency } from '../src/results';
import { benchWindow, mqttRequest } from '../src/window';

function expectOrdered(l: Latency): void {
  expect(l.n).toBeGreaterThan(0);
  expect(l.p50).toBeGreaterThan(0);
  expect(l.p50).toBeLessThanOrEqual(l.p99);
  expect(l.p99).toBeLessThanOrEqual(l.p999);
  expect(l.p999).toBeLessThanOrEqual(l.max);
}

describe('floor phase', () => {
  it('measures batch-1 latency and batched throughput in process', async () => {
    const [floor, ...rest] = await measureFloor({ threads: [1], batch1Runs: 50, batches: [8], secondsPerBatch: 0.3, warmupRuns: 5 });
    expect(rest).toEqual([]);
    expect(floor?.intraOpThreads).toBe(1);
    expectOrdered(floor!.batch1);
    expect(floor!.batch1.n).toBe(50);
    expect(floor!.throughput.map((t) => t.batch)).toEqual([8]);
    expect(floor!.throughput[0]!.windowsPerSec).toBeGreaterThan(0);
  });
});

describe('mqtt phase', () => {
  const services: Service[] = [];
  let brokerUrl = '';

  beforeAll(async () => {
    const broker = await startBroker();
    services.push(broker);
    brokerUrl = broker.url;
    services.push(await startWorker(broker.url, 'bench-test'));
  });

  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
  });

  it('round trips f16 and json at concurrency 1 and 8 without errors', async () => {
    const results = await measureMqtt(brokerUrl, { encodings: ['f16', 'json'], concurrencies: [1, 8], seconds: 1, warmupSeconds: 0.3 });
    expect(results.map((r) => [r.encoding, r.concurrency])).toEqual([['f16', 1], ['f16', 8], ['json', 1], ['json', 8]]);
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.latency.n).toBeGreaterThan(0);
      expect(r.requestsPerSec).toBeGreaterThan(0);
      expectOrdered(r.latency);
      // The worker's share comes from every reply and sits inside the round trip.
      const worker = r.workerLatency!;
      expect(worker.n).toBe(r.latency.n);
      expect(worker.p50).toBeGreaterThan(0);
      expect(worker.p50).toBeLessThan(r.latency.p50);
      expect(r.modelLatency!.p50).toBeGreaterThan(0);
      expect(r.modelLatency!.p50).toBeLessThanOrEqual(worker.p50);
    }
    // The same window and envelope in each encoding: binary f16 < binary f32 < JSON text.
    const seq = benchWindow();
    const f32 = mqttRequest(seq, 'f32', '00000000', 'helen/v1/api/x/replies').length;
    const bytes = (e: string) => results.find((r) => r.encoding === e)!.requestBytes;
    expect(bytes('f16')).toBeLessThan(f32);
    expect(f32).toBeLessThan(bytes('json'));
  }, 40_000);
});

describe('batch-size histogram', () => {
  it('turns two cumulative scrapes into per-bucket counts', () => {
    const scrape = (counts: number[]) => ['1', '2', '4', '+Inf'].map((le, i) => `helen_worker_batch_size_bucket{le="${le}"} ${counts[i]}`).join('\n');
    const before = parseHistogramBuckets(scrape([1, 1, 2, 2]), 'helen_worker_batch_size');
    const after = parseHistogramBuckets(`# HELP x\n${scrape([4, 6, 12, 13])}\nhelen_worker_batch_size_sum 99`, 'helen_worker_batch_size');
    expect(bucketDelta(before, after)).toEqual([
      { le: '1', count: 3 }, { le: '2', count: 2 }, { le: '4', count: 5 }, { le: '+Inf', count: 1 },
    ]);
  });
});
