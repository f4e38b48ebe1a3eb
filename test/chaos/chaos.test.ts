/**
 * The short variant of `npm run chaos` (issue 14) that CI runs: 20 s of load with a worker
 * killed and restarted twice, a second worker joining and the broker killed and restarted
 * once, on the embedded broker and on Mosquitto. The full 60 s run: `npm run chaos`.
 */
import { describe, expect, it } from 'vitest';
import { brokerKinds } from '@helen/broker/testing';
import { runChaos } from './harness';

describe.each(brokerKinds())('chaos on %s', (kind) => {
  it('every request has exactly one outcome, none left open, nothing duplicated; edge and facade reconnect', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      broker: kind, durationMs: 20_000, devices: 2, deviceRatePerSec: 10, httpConcurrency: 4, timeoutMs: 3000,
      log: (line) => lines.push(line),
    });
    const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect(failed, `${lines.join('\n')}\n${JSON.stringify(report, null, 2)}`).toEqual([]);
    expect(report.devices.sent).toBeGreaterThan(100);
    expect(report.http.sent).toBeGreaterThan(100);
    console.log(`[${kind}] chaos 20 s: MQTT ${JSON.stringify(report.devices.outcomes)}, HTTP ${JSON.stringify(report.http.outcomes)}, longest gap ${report.longestGapMs} ms`);
  }, 240_000);
});
