import { existsSync } from 'node:fs';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LandmarkFrame } from '@helen/schemas';
import { capturePagePlugin, CaptureHub, HAND_MODEL, startCaptureServer, type CaptureServer, type PageSettings } from '../../src/camera/index';
import { MODEL_PATH } from './helpers';

const page: PageSettings = { numHands: 1, delegate: 'CPU', handedness: 'swap', width: 640, height: 480, frameRate: 30, frameSource: 'track', mirror: true };
const goodFrame = { ts: 1, hands: [{ handedness: 'Left', score: 0.9, landmarks: Array.from({ length: 21 }, () => [0.1, 0.2, 0]) }] };

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
const nextMessage = (ws: WebSocket) => new Promise<unknown>((r) => ws.once('message', (d: Buffer) => r(JSON.parse(d.toString()))));

describe('capture server (no browser)', () => {
  const frames: LandmarkFrame[] = [];
  const hub = new CaptureHub({ handedness: 'swap' });
  let server: CaptureServer;
  // The model route needs some file; the real one when present, else any file (this suite
  // checks routing, not the model).
  const modelPath = existsSync(MODEL_PATH) ? MODEL_PATH : new URL(import.meta.url).pathname;

  beforeAll(async () => {
    hub.setFrameListener((f) => frames.push(f));
    server = await startCaptureServer({ hub, modelPath, page, host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server.close());

  it('serves the page, its config, tasks-vision and the model offline', async () => {
    const html = await fetch(server.url);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('capture.js');
    expect(await (await fetch(`${server.url}config.json`)).json()).toMatchObject({ ...page, wsPath: 'ws' });
    const wasm = await fetch(`${server.url}vendor/tasks-vision/wasm/vision_wasm_internal.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect((await wasm.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    const bundle = await fetch(`${server.url}vendor/tasks-vision/vision_bundle.mjs`);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(await bundle.text()).toContain('HandLandmarker');
    const model = await fetch(`${server.url}model/hand_landmarker.task`);
    expect(model.status).toBe(200);
    if (modelPath === MODEL_PATH) expect(Number(model.headers.get('content-length'))).toBe(HAND_MODEL.size);
    await model.arrayBuffer();
  });

  it('serves nothing else', async () => {
    for (const p of ['package.json', 'vendor/tasks-vision/wasm/..%2F..%2Fpackage.json', '..%2Fsrc%2Fcamera%2Fhub.ts', 'vendor/tasks-vision/vision.d.ts']) {
      expect((await fetch(`${server.url}${p}`)).status, p).toBe(404);
    }
  });

  it('validates frames, maps handedness, drops bad messages without dying, pushes status', async () => {
    const ws = await open(`${server.url.replace('http', 'ws')}ws`);
    const status = { broker: 'connected' as const, workersOnline: 2, fallbackActive: false, prediction: { label: 'Inicio', probability: 0.97, servedBy: 'cloud' as const } };
    const got = nextMessage(ws);
    hub.showStatus(status);
    expect(await got).toEqual({ type: 'status', status });
    const before = hub.droppedMessages;
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'frame', frame: { ts: 'x', hands: [] } }));
    ws.send(JSON.stringify({ type: 'frame', frame: { ts: 1, hands: [{ handedness: 'Left', score: 2, landmarks: [] }] } }));
    ws.send(JSON.stringify({ type: 'mystery' }));
    ws.send(Buffer.from([1, 2, 3]));
    ws.send(JSON.stringify({ type: 'frame', frame: goodFrame }));
    await expect.poll(() => frames.length).toBe(1);
    expect(hub.droppedMessages - before).toBe(5);
    expect(frames[0]?.hands[0]?.handedness).toBe('Right'); // swap
    ws.close();
  });

  it('sends the last status to a page that connects later', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}ws`);
    const first = await new Promise<unknown>((r) => ws.once('message', (d: Buffer) => r(JSON.parse(d.toString()))));
    expect(first).toMatchObject({ type: 'status', status: { broker: 'connected' } });
    ws.close();
  });

  it('refuses a cross-origin socket', async () => {
    await expect(open(`${server.url.replace('http', 'ws')}ws`, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });
});

describe('capturePagePlugin under a prefix on another Fastify', () => {
  it('serves the page at <prefix>/ and takes frames at <prefix>/ws', async () => {
    const hub = new CaptureHub({ handedness: 'as-reported' });
    const frames: LandmarkFrame[] = [];
    hub.setFrameListener((f) => frames.push(f));
    const app = Fastify();
    app.get('/health', async () => ({ status: 'ok' }));
    await app.register(capturePagePlugin, { prefix: '/capture', hub, modelPath: MODEL_PATH, page });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const redirect = await fetch(`${base}/capture`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe('/capture/');
      expect((await fetch(`${base}/capture/capture.js`)).status).toBe(200);
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
      const ws = await open(`${base.replace('http', 'ws')}/capture/ws`);
      ws.send(JSON.stringify({ type: 'frame', frame: goodFrame }));
      await expect.poll(() => frames.length).toBe(1);
      ws.close();
      await expect(open(`${base.replace('http', 'ws')}/elsewhere`)).rejects.toThrow();
    } finally {
      await app.close();
    }
  });
});
