/**
 * `npm run chaos` (issue 14): load with faults, on the embedded broker and on Mosquitto.
 *   npm run chaos -- [--seconds 60] [--broker aedes|mosquitto|both] [--devices 4] [--rate 20] [--http 8] [--timeout-ms 3000] [--json FILE]
 * Exits 1 when a check fails. Loopback only; every process it starts stops with it.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mosquittoAvailable } from '@helen/broker/testing';
import { runChaos, type ChaosReport } from './harness';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    broker: { type: 'string', default: 'both' },
    devices: { type: 'string', default: '4' },
    rate: { type: 'string', default: '20' },
    http: { type: 'string', default: '8' },
    'timeout-ms': { type: 'string', default: '3000' },
    json: { type: 'string' },
  },
});
const kinds = values.broker === 'both' ? ['aedes', 'mosquitto'] : [values.broker];
const reports: ChaosReport[] = [];
for (const kind of kinds) {
  if (kind !== 'aedes' && kind !== 'mosquitto') throw new Error(`--broker: aedes, mosquitto or both, not ${kind}`);
  if (kind === 'mosquitto' && !mosquittoAvailable()) {
    console.log('mosquitto is not installed: Mosquitto run skipped');
    continue;
  }
  const report = await runChaos({
    broker: kind,
    durationMs: Number(values.seconds) * 1000,
    devices: Number(values.devices),
    deviceRatePerSec: Number(values.rate),
    httpConcurrency: Number(values.http),
    timeoutMs: Number(values['timeout-ms']),
    log: (line) => console.log(line),
  });
  reports.push(report);
  console.log(`\n## ${kind}: ${report.ok ? 'PASS' : 'FAIL'}`);
  console.log(`MQTT devices: ${report.devices.sent} requests -> ${JSON.stringify(report.devices.outcomes)}, duplicates ${report.devices.duplicates}, late ${report.devices.late}`);
  console.log(`HTTP: ${report.http.sent} requests -> ${JSON.stringify(report.http.outcomes)}`);
  console.log(`longest gap without an answer: ${report.longestGapMs} ms (from ${(report.longestGapStartsAtMs / 1000).toFixed(1)} s)`);
  for (const c of report.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  console.log('');
}
if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 2));
process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
