import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLASS_LABELS, type FeatureSequence } from '@helen/schemas';
import { HttpPredictor } from '../../src/predict/http-predictor';
import { silent } from '../helpers';

/*
 * HTTP mode against a stand-in for the facade (a real HTTP server on port 0) whose behaviour
 * the test scripts: failing first, hanging, or answering. The real facade runs in the
 * end-to-end suite.
 */
interface Facade { url: string; bodies: unknown[]; authorizations: (string | undefined)[]; metadataHits: number; failNext: number; hang: boolean; close(): Promise<void> }

async function startFacade(): Promise<Facade> {
  const f: Partial<Facade> & { bodies: unknown[]; authorizations: (string | undefined)[]; metadataHits: number; failNext: number; hang: boolean } = { bodies: [], authorizations: [], metadataHits: 0, failNext: 0, hang: false };
  const server: Server = createServer((req, res) => {
    let body = '';
    f.authorizations.push(req.headers.authorization);
    req.on('data', (c) => (body += c)).on('end', () => {
      if (f.hang) return; // never answers
      if (f.failNext > 0) {
        f.failNext--;
        res.writeHead(503).end('{"error":"no worker"}');
        return;
      }
      if (req.url === '/metadata') {
        f.metadataHits++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seq_len: 30, use_z: false, num_classes: 22, class_labels: CLASS_LABELS, feature_dim: 84 }));
        return;
      }
      f.bodies.push(JSON.parse(body));
      const probabilities = CLASS_LABELS.map((_, i) => (i === 16 ? 0.979 : 0.001));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ prediction: 'Reloj', probabilities, top_index: 16, top_probability: 0.979, elapsed_ms: 4.2 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  f.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return f as Facade;
}

const seq: FeatureSequence = { frames: 2, featureDim: 84, data: new Float32Array(168).fill(0.5), mask: new Float32Array([1, 0, 1, 0]) };

describe('HttpPredictor (HTTP mode)', () => {
  let facade: Facade | undefined;
  let p: HttpPredictor | undefined;
  afterEach(async () => {
    await p?.stop();
    await facade?.close();
  });

  it('sends the original body and reads the original answer', async () => {
    facade = await startFacade();
    p = new HttpPredictor({ url: facade.url, timeoutMs: 1000, retries: 2, metadataTtlMs: 300_000 }, silent);
    const out = await p.predict(seq, Date.now());
    expect(out.kind).toBe('result');
    if (out.kind === 'result') expect(out.result).toMatchObject({ label: 'Reloj', topIndex: 16, servedBy: 'http' });
    const body = facade.bodies[0] as { sequence: number[][]; mask: number[][] };
    expect(Object.keys(body)).toEqual(['sequence', 'mask']);
    expect(body.sequence).toHaveLength(2);
    expect(body.mask).toEqual([[1, 0], [1, 0]]);
  });

  it('sends HELEN_CLOUD_API_TOKEN as a bearer token, and no Authorization header without one', async () => {
    facade = await startFacade();
    p = new HttpPredictor({ url: facade.url, timeoutMs: 1000, retries: 0, metadataTtlMs: 300_000, token: 'edge-token-0123456789abcdef' }, silent);
    await p.metadata();
    expect((await p.predict(seq, Date.now())).kind).toBe('result');
    await p.stop();
    p = new HttpPredictor({ url: facade.url, timeoutMs: 1000, retries: 0, metadataTtlMs: 300_000 }, silent);
    expect((await p.predict(seq, Date.now())).kind).toBe('result');
    expect(facade.authorizations).toEqual(['Bearer edge-token-0123456789abcdef', 'Bearer edge-token-0123456789abcdef', undefined]);
  });

  it('retries HELEN_CLOUD_RETRIES times with the original backoff', async () => {
    facade = await startFacade();
    facade.failNext = 2;
    p = new HttpPredictor({ url: facade.url, timeoutMs: 1000, retries: 2, metadataTtlMs: 300_000 }, silent);
    const t0 = Date.now();
    expect((await p.predict(seq, t0)).kind).toBe('result');
    // pauses of 0.2 s and 0.4 s between the three attempts
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    expect(p.stats.retries).toBe(2);
    facade.failNext = 3;
    expect((await p.predict(seq, Date.now())).kind).toBe('timeout');
  });

  it('gives up after the timeout on every attempt', async () => {
    facade = await startFacade();
    facade.hang = true;
    p = new HttpPredictor({ url: facade.url, timeoutMs: 150, retries: 1, metadataTtlMs: 300_000 }, silent);
    const t0 = Date.now();
    expect((await p.predict(seq, t0)).kind).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150 * 2 + 200 - 10);
  });

  it('stops at once, even in the pause between two attempts', async () => {
    facade = await startFacade();
    facade.failNext = 100;
    p = new HttpPredictor({ url: facade.url, timeoutMs: 1000, retries: 5, metadataTtlMs: 0 }, silent);
    const out = p.predict(seq, Date.now());
    // The first attempt fails at once, then a 0.2 s pause, the second, then a 0.4 s pause.
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await p.stop();
    expect((await out).kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(150);
    expect(p.stats.retries).toBeLessThanOrEqual(2);
  });

  it('caches /metadata for the TTL', async () => {
    facade = await startFacade();
    p = new HttpPredictor({ url: facade.url, timeoutMs: 1000, retries: 0, metadataTtlMs: 200 }, silent);
    expect((await p.metadata()).seqLen).toBe(30);
    await p.metadata();
    expect(facade.metadataHits).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    await p.metadata();
    expect(facade.metadataHits).toBe(2);
  });

  it('lets a newer window take the place of one waiting behind a slow request', async () => {
    facade = await startFacade();
    p = new HttpPredictor({ url: facade.url, timeoutMs: 1000, retries: 0, metadataTtlMs: 0 }, silent);
    const a = p.predict(seq, 1);
    const b = p.predict(seq, 2);
    const c = p.predict(seq, 3);
    expect((await a).kind).toBe('result');
    expect(await b).toEqual({ kind: 'superseded' });
    expect((await c).kind).toBe('result');
  });
});
