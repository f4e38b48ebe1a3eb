/**
 * `npm run build` (bin/build.mjs): the bundles must behave like the sources (a /predict
 * through broker, worker and facade all started from bundles gives the golden answer), and
 * the launcher must never run a bundle older than the sources.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, utimesSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForHealth, waitForTcp } from '@helen/runtime';
import { REPO_ROOT, postJson } from '@helen/runtime/testing';

const OUT = `dist-test-${process.pid}`;
const outDir = join(REPO_ROOT, OUT);
const children: ChildProcess[] = [];

function runBundle(command: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(join(outDir, `${command}.cjs`))}).main([]).then((c) => { if (typeof c === 'number') process.exitCode = c; })`],
    { env: { ...process.env, HELEN_LOG_LEVEL: 'warn', ...env }, stdio: 'ignore' });
  children.push(child);
  return child;
}

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO_ROOT, 'bin/build.mjs'), '--out', OUT], { cwd: REPO_ROOT });
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(outDir, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('writes one bundle per helen command, with no absolute path of this machine in it', () => {
    for (const command of ['stack', 'broker', 'worker', 'api', 'edge', 'monitor', 'models']) {
      const text = readFileSync(join(outDir, `${command}.cjs`), 'utf8');
      expect(text).not.toContain(REPO_ROOT);
    }
  });

  it('broker, worker and facade from bundles answer /predict like the model', async () => {
    const mqttPort = await freePort();
    const httpPort = await freePort();
    runBundle('broker', { HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_PORT: String(mqttPort), HELEN_MQTT_WS_PORT: 'off', HELEN_BROKER_ALLOW_ANONYMOUS: 'true' });
    expect(await waitForTcp(mqttPort, 30_000, () => false)).toBe(true);
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    runBundle('worker', { HELEN_MQTT_URL: url, HELEN_WORKER_ID: 'bundle-w1' });
    runBundle('api', { HELEN_MQTT_URL: url, HELEN_HTTP_HOST: '127.0.0.1', HELEN_HTTP_PORT: String(httpPort) });
    expect(await waitForHealth(`http://127.0.0.1:${httpPort}/health`, 60_000, () => false)).toBe(true);
    const golden = JSON.parse(readFileSync(join(REPO_ROOT, 'models/helen-bigru/golden.json'), 'utf8')) as { cases: { name: string; shape: number[]; input: number[]; expected: number[] }[] };
    const real = golden.cases.find((c) => c.name === 'real_2_Clima');
    if (!real) throw new Error('golden case real_2_Clima is missing');
    const [, T, F] = real.shape as [number, number, number];
    const sequence = Array.from({ length: T }, (_, t) => real.input.slice(t * F, (t + 1) * F));
    const res = await postJson(`http://127.0.0.1:${httpPort}/predict`, { sequence });
    expect(res.status).toBe(200);
    expect((res.body as { prediction: string }).prediction).toBe('Clima');
  }, 90_000);
});

describe('bin/pick-entry.mjs', () => {
  it('runs the sources when the bundle is missing or older than a source, and refuses HELEN_RUN_FROM=dist without one', async () => {
    const { pickEntry } = await import(join(REPO_ROOT, 'bin/pick-entry.mjs')) as { pickEntry: (c: string, r?: string) => { bundle?: string; note?: string } };
    const bundle = join(REPO_ROOT, 'dist', 'broker.cjs');
    expect(() => pickEntry('broker', 'sometimes')).toThrow(/HELEN_RUN_FROM=sometimes/);
    expect(pickEntry('broker', 'src')).toEqual({});
    if (!existsSync(bundle)) {
      expect(pickEntry('broker', 'auto')).toEqual({});
      expect(() => pickEntry('broker', 'dist')).toThrow(/npm run build/);
      return;
    }
    // A bundle dated before the sources (the epoch) is stale: auto falls back to tsx and says so.
    const { mtime } = (await import('node:fs')).statSync(bundle);
    try {
      utimesSync(bundle, new Date(0), new Date(0));
      const picked = pickEntry('broker', 'auto');
      expect(picked.bundle).toBeUndefined();
      expect(picked.note).toMatch(/sources changed/);
      expect(pickEntry('broker', 'dist').bundle).toBe(bundle);
    } finally {
      utimesSync(bundle, mtime, mtime);
    }
  });
});
