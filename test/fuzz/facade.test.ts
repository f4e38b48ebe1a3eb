/**
 * The HTTP facade under random requests (methods, paths, bodies, content types, headers),
 * with the real worker behind it: every answer is JSON, 2xx or 4xx with an `error` message,
 * and the service stays healthy. Oversized bodies get a 413 the client can read, whether
 * the client reads while it sends (node:http, fetch) or only after (Python's http.client).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacadeRig, facadeProperty, FUZZ_BODY_LIMIT, OVERSIZED_CASES, oversized, send, writeAllThenRead } from './facade-targets';
import { CI_RUNS, FUZZ_SEED } from './settings';
import { Tally } from './tally';

describe('fuzz: HTTP facade', () => {
  let rig: FacadeRig;
  beforeAll(async () => {
    rig = await FacadeRig.start();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('answers random requests with JSON: 2xx, or 4xx with an error message; never 5xx, never a reset', async () => {
    const tally = new Tally('facade');
    await fc.assert(facadeProperty(() => rig.url, tally), { seed: FUZZ_SEED, numRuns: CI_RUNS.facade });
    expect(tally.crashes).toEqual([]);
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.refusedTotal).toBeGreaterThan(tally.accepted);
    expect(await rig.healthy()).toBe(true);
  });

  const expected413 = { error: `request body is larger than the limit of ${FUZZ_BODY_LIMIT} bytes` };

  it.each(OVERSIZED_CASES.map((o) => [oversized(o).kind, o] as const))('413, readable, for %s (node:http streaming the body)', async (_kind, o) => {
    const a = await send(rig.url, oversized(o));
    expect(a.error).toBeUndefined();
    expect(a.status).toBe(413);
    expect(JSON.parse(a.text)).toEqual(expected413);
  });

  // Before http-errors.ts read the rest of an oversized body, these got EPIPE/ECONNRESET
  // from 4 MiB up: Node closed the socket while the client was still sending.
  it.each(OVERSIZED_CASES.filter((o) => o.size >= 1024 * 1024).map((o) => [oversized(o).kind, o] as const))(
    '413, readable, for %s from a client that writes everything before reading', async (_kind, o) => {
      const a = await writeAllThenRead(rig.url, oversized(o));
      expect(a.error).toBeUndefined();
      expect(a.status).toBe(413);
      expect(JSON.parse(a.text)).toEqual(expected413);
      expect(await rig.healthy()).toBe(true);
    });
});
