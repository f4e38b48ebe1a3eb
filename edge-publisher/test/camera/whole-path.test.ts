import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Edge } from '../../src/index';
import { CameraSource, defaultCameraConfig } from '../../src/camera/index';
import { browserSkipReason, clipAsMjpeg, clipSkipReason, MODEL_PATH } from './helpers';

/**
 * camera (the real clip through Chromium's fake camera) -> edge (createEdge) -> MQTT
 * (in-process aedes) -> inference worker (real ONNX model) -> prediction back at the edge
 * and on the capture page. The classifier is the committed one (DEFAULT_MODEL_PATH of
 * @helen/model-runtime; HELEN_TEST_MODEL_PATHS may point elsewhere); without it the test is
 * skipped, loudly.
 */

async function loadStack() {
  const [{ startTestBroker }, { createWorker, workerConfigFromEnv }, { createEdge, defaultEdgeConfig }, { DEFAULT_MODEL_PATH }] = await Promise.all([
    import('@helen/broker/testing'), import('@helen/inference-worker'), import('../../src/index'), import('@helen/model-runtime'),
  ]);
  // Test-only override, read here on purpose (like the broker's HELEN_TEST_MOSQUITTO_BIN).
  const modelPaths = process.env.HELEN_TEST_MODEL_PATHS ?? DEFAULT_MODEL_PATH;
  if (!modelPaths.split(':').some((p) => existsSync(p))) throw new Error(`no classifier model at ${modelPaths}`);
  return { startTestBroker, createWorker, workerConfigFromEnv, createEdge, defaultEdgeConfig, modelPaths };
}

let skip = browserSkipReason() ?? clipSkipReason();
let stack: Awaited<ReturnType<typeof loadStack>> | undefined;
if (!skip) {
  try {
    stack = await loadStack();
  } catch (err) {
    skip = `camera whole-path test skipped: ${(err as Error).message}`;
  }
}
if (skip) console.warn(skip);

describe.skipIf(skip !== null)('camera -> edge -> MQTT -> worker -> prediction', () => {
  const s = stack as NonNullable<typeof stack>;
  let broker: Awaited<ReturnType<typeof s.startTestBroker>>;
  let worker: ReturnType<typeof s.createWorker>;
  let edge: Edge;
  let camera: CameraSource;
  const prefix = `cam${process.pid}/v1`;

  beforeAll(async () => {
    broker = await s.startTestBroker('aedes');
    const env = { HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: prefix, HELEN_LOG_LEVEL: 'silent', HELEN_MODEL_PATHS: s.modelPaths };
    worker = s.createWorker(s.workerConfigFromEnv(env));
    await worker.start();
    camera = new CameraSource(defaultCameraConfig({
      port: 0, modelPath: MODEL_PATH, fakeVideoPath: await clipAsMjpeg(), modelCacheDir: join(tmpdir(), 'helen-unused-cache'),
    }));
    edge = s.createEdge(s.defaultEdgeConfig({
      ...env,
      HELEN_DEVICE_ID: 'camera-test',
      HELEN_EDGE_FALLBACK: 'false', // every prediction must come over MQTT from the worker
      HELEN_BACKEND_GESTURE_URL: 'off',
      HELEN_EDGE_UI_PORT: '0',
      HELEN_EDGE_STATS_INTERVAL: '0',
      HELEN_EDGE_REQUEST_TIMEOUT: '3',
    }), { source: camera });
    await edge.start();
    await camera.waitForReady(60_000);
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await worker?.stop();
    await broker?.stop();
  });

  it('predictions from the worker reach the edge and the page', async () => {
    await expect.poll(() => edge.pipeline?.counters.results ?? 0, { timeout: 30_000, interval: 200 }).toBeGreaterThan(3);
    await expect.poll(() => worker.stats().replied, { timeout: 30_000, interval: 200 }).toBeGreaterThan(3);
    const last = edge.pipeline?.last;
    expect(last?.servedBy).toBe('cloud');
    expect(typeof last?.label).toBe('string');
    expect(last?.topProbability).toBeGreaterThan(0);
    const page = camera.chromium?.page as Page;
    await expect.poll(() => page.textContent('#prediction'), { timeout: 10_000 }).not.toBe('–');
    expect(await page.textContent('#broker')).toBe('connected');
    console.info(`whole path: worker replied ${worker.stats().replied}, edge counters ${JSON.stringify(edge.pipeline?.counters)}, page shows ${await page.textContent('#prediction')} ${await page.textContent('#probability')}`);
  }, 60_000);
});
