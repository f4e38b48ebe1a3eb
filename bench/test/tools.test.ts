/**
 * The diagnostic tools beside the harness (bench/README.md "The MQTT round trip at
 * concurrency 1" / "at saturation") still run and print their tables: a short run of each.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const run = (script: string, args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`../src/${script}`, import.meta.url)), ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const number = String.raw`\d+(\.\d+)?`;

describe('diagnostic tools', () => {
  it('rt-breakdown splits a round trip behind our broker (and Mosquitto where installed)', () => {
    const out = run('rt-breakdown.ts', ['--seconds', '1', '--rounds', '1']);
    // round trip, worker share, model run: "p50 / p99" each; then the rest, req/s and cores.
    const pair = `${number} / ${number}`;
    expect(out).toMatch(new RegExp(`\\| aedes \\| ${pair} \\| ${pair} \\| ${pair} \\| -?${number} \\| \\d+ \\| ${pair} / ${number} \\|`));
  }, 120_000);

  it('parallel-floor compares one ONNX session alone with two at once', () => {
    const out = run('parallel-floor.ts', ['--rounds', '1', '--seconds', '1']);
    expect(out).toMatch(/round 1: one alone \d+; two at once \d+ \+ \d+ = \d+ \(\d+\.\d\dx\)/);
  }, 120_000);
});
