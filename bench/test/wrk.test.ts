/**
 * runWrk against a tiny in-test HTTP server: the server checks every body it receives and counts
 * requests, so the parsed wrk figures are compared with what really happened on the wire.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { haveWrk, parseWrkOutput, runWrk } from '../src/load/wrk';

/** ~25 KB like the original client's body, with multi-byte characters so bytes != characters. */
const BODY = JSON.stringify({ sequence: Array.from({ length: 1200 }, (_, i) => i / 7), note: 'ümlaut ✓ 数据' });
/** Every answer waits this long, so a microseconds/milliseconds mix-up cannot pass the latency checks. */
const DELAY_MS = 3;
/** The least latency a client can see: libuv timers work on a loop clock cached up to ~1 ms early. */
const MIN_MS = DELAY_MS - 1;

interface Tally { requests: number; mismatches: number }

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function startServer(status: number): Promise<{ url: string; tally: Tally }> {
  const tally: Tally = { requests: 0, mismatches: 0 };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      tally.requests += 1;
      const ok = req.method === 'POST' && req.url === '/predict' && req.headers['content-type'] === 'application/json'
        && Buffer.concat(chunks).toString('utf8') === BODY;
      if (!ok) tally.mismatches += 1;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ prediction: 'x' }));
      }, DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/predict`, tally };
}

describe.skipIf(!haveWrk())('runWrk (wrk as its own process)', () => {
  it.each([1, 4])('POSTs the exact body and reports what the server saw at concurrency %i', async (connections) => {
    const { url, tally } = await startServer(200);
    const run = await runWrk({ url, body: BODY, connections, seconds: 1 });

    expect(tally.mismatches).toBe(0);
    expect(run.requests).toBeGreaterThan(0);
    // wrk stops with at most one request in flight per connection that the server already counted.
    expect(tally.requests).toBeGreaterThanOrEqual(run.requests);
    expect(tally.requests).toBeLessThanOrEqual(run.requests + connections);
    expect(run.errors).toBe(0);
    expect(run.errorDetail).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, non2xx: 0 });

    expect(run.durationSec).toBeGreaterThan(0.9);
    expect(run.durationSec).toBeLessThan(3);
    expect(run.requestsPerSec).toBeCloseTo(run.requests / run.durationSec, 6);
    // A closed loop whose answers take at least MIN_MS cannot exceed connections / MIN_MS.
    expect(run.requestsPerSec).toBeLessThanOrEqual((connections * 1000) / MIN_MS);

    const l = run.latency;
    expect(l.n).toBe(run.requests);
    expect(l.p50).toBeGreaterThanOrEqual(MIN_MS);
    expect(l.p50).toBeLessThan(1000);
    expect(l.p50).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max);
    expect(l.mean).toBeGreaterThanOrEqual(MIN_MS);
    expect(l.mean).toBeLessThanOrEqual(l.max);

    const ps = run.distribution.map((d) => d.p);
    expect(ps).toEqual([...ps].sort((a, b) => a - b));
    expect(ps).toContain(99.9);
    expect(run.distribution.find((d) => d.p === 50)?.ms).toBe(l.p50);
    expect(run.distribution.find((d) => d.p === 99)?.ms).toBe(l.p99);
    for (let i = 1; i < run.distribution.length; i++) {
      expect(run.distribution[i]!.ms).toBeGreaterThanOrEqual(run.distribution[i - 1]!.ms);
    }
  });

  it('counts every non-2xx answer as an error', async () => {
    const { url, tally } = await startServer(500);
    const run = await runWrk({ url, body: BODY, connections: 2, seconds: 1 });
    expect(run.requests).toBeGreaterThan(0);
    expect(tally.mismatches).toBe(0);
    expect(run.errorDetail.non2xx).toBe(run.requests);
    expect(run.errors).toBe(run.requests);
  });

  it('rejects output without the report line', () => {
    expect(() => parseWrkOutput('Running 1s test @ http://x\n')).toThrow(/WRK_REPORT_JSON/);
  });
});
