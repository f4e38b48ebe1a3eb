/**
 * /predict latency and throughput against the stack (broker, worker, facade as separate
 * processes, exactly as `npm start` runs them). Prints figures; asserts nothing.
 *
 *   npx tsx http-api/bench/predict.bench.ts                 # starts its own stack
 *   npx tsx http-api/bench/predict.bench.ts --url http://127.0.0.1:8000   # a running one
 *   options: --requests N (concurrency 1, default 500)  --seconds S (concurrency 32, default 10)
 *            --concurrency C (default 32)
 *
 * The load generator is Node's fetch in this process, so on a small machine it competes with
 * the stack for CPU: the figures are for the whole box, client included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '@helen/runtime';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    requests: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startStack(): Promise<{ url: string; proc: ChildProcess }> {
  const helen = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));
  const httpPort = await freePort();
  const proc = spawn(process.execPath, [helen, 'stack'], {
    env: {
      ...process.env,
      HELEN_MQTT_PORT: String(await freePort()),
      HELEN_MQTT_WS_PORT: String(await freePort()),
      HELEN_HTTP_PORT: String(httpPort),
      HELEN_HTTP_HOST: '127.0.0.1',
      HELEN_MQTT_HOST: '127.0.0.1',
      HELEN_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) return { url, proc };
    } catch { /* not listening yet */ }
    if (Date.now() > until || proc.exitCode !== null) throw new Error('the stack did not become healthy');
    await sleep(200);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function predictOnce(url: string, body: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`/predict answered ${res.status}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const stack = args.url ? undefined : await startStack();
  const url = args.url ?? (stack as { url: string }).url;
  try {
    const meta = await (await fetch(`${url}/metadata`)).json() as { seq_len: number; feature_dim: number; model_id?: string };
    // A realistic body: a full window of 6-decimal floats plus a mask, ~25 KB of JSON.
    const body = JSON.stringify({
      sequence: Array.from({ length: meta.seq_len }, (_, t) => Array.from({ length: meta.feature_dim }, (_, f) => Number((((t * 31 + f * 17) % 1000) / 1000).toFixed(6)))),
      mask: Array.from({ length: meta.seq_len }, () => [1, 1]),
    });
    for (let i = 0; i < 50; i++) await predictOnce(url, body); // warm-up (JIT, ORT first runs)

    const n = Number(args.requests);
    const lat: number[] = [];
    for (let i = 0; i < n; i++) lat.push(await predictOnce(url, body));
    lat.sort((a, b) => a - b);

    const c = Number(args.concurrency);
    const seconds = Number(args.seconds);
    const latC: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    const stopAt = t0 + seconds * 1000;
    await Promise.all(Array.from({ length: c }, async () => {
      while (performance.now() < stopAt) {
        try {
          latC.push(await predictOnce(url, body));
        } catch {
          errors++;
        }
      }
    }));
    const elapsed = (performance.now() - t0) / 1000;
    latC.sort((a, b) => a - b);

    const f = (x: number) => x.toFixed(2);
    console.log(`model ${meta.model_id ?? '?'}, window ${meta.seq_len} x ${meta.feature_dim}, body ${body.length} bytes, ${url}${stack ? ' (own stack: broker, 1 worker, api as processes)' : ''}`);
    console.log(`/predict concurrency 1:  n=${n}  p50 ${f(percentile(lat, 50))} ms  p99 ${f(percentile(lat, 99))} ms  mean ${f(lat.reduce((a, b) => a + b, 0) / n)} ms`);
    console.log(`/predict concurrency ${c}: ${latC.length} ok, ${errors} errors in ${elapsed.toFixed(1)} s  ->  ${(latC.length / elapsed).toFixed(0)} req/s  (p50 ${f(percentile(latC, 50))} ms, p99 ${f(percentile(latC, 99))} ms)`);
  } finally {
    if (stack) {
      const exited = new Promise((r) => stack.proc.once('exit', r));
      stack.proc.kill('SIGTERM');
      await exited;
    }
  }
}

await main();
