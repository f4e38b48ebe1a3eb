/** The report's two charts, from the results only. */
import type { BenchResults } from '../results';
import { lineChart, NINES_TICKS, ninesScale, type Series } from './svg';

export function latencyChart(r: BenchResults): string {
  const series: Series[] = r.curves.map((c) => ({ name: c.label, points: c.points.map((p) => ({ x: p.p, y: p.ms })) }));
  return lineChart(series, {
    title: 'Latency distribution at concurrency 1', xLabel: 'percentile', yLabel: 'ms (log)',
    xScale: ninesScale, xTicks: NINES_TICKS, yLog: true,
  });
}

export function throughputChart(r: BenchResults): string {
  const series: Series[] = [
    ...(['facade', 'baseline'] as const).map((target) => ({
      name: target === 'facade' ? '/predict facade' : '/predict baseline',
      points: r.http.filter((h) => h.target === target).map((h) => ({ x: h.concurrency, y: h.requestsPerSec })),
    })),
    ...(['f16', 'f32', 'json'] as const).map((encoding) => ({
      name: `MQTT ${encoding}`,
      points: r.mqtt.filter((m) => m.encoding === encoding).map((m) => ({ x: m.concurrency, y: m.requestsPerSec })),
    })),
  ].filter((s) => s.points.length > 0);
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  return lineChart(series, {
    title: 'Throughput against concurrency', xLabel: 'concurrent requests (log)', yLabel: 'requests/s',
    xScale: (x) => Math.log2(x), xTicks: xs.map((x) => ({ x, label: String(x) })),
  });
}
