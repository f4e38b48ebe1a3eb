import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LandmarkFrame } from '@helen/schemas';
import { describe, expect, it } from 'vitest';
import { CameraSource, defaultCameraConfig } from '../../src/camera/index';
import { browserSkipReason, clipAsMjpeg, clipSkipReason, MODEL_PATH, sleep } from './helpers';

const skip = browserSkipReason() ?? clipSkipReason();
if (skip) console.warn(skip);

// The speed of these options is the camera bench's job; here they only have to work
// through the real page: the landmarker in a Web Worker, frames downscaled, no preview.
describe.skipIf(skip !== null)('capture page options on the real clip', () => {
  it('worker + processWidth 320 + no preview: frames flow with the hand found', async () => {
    const source = new CameraSource(defaultCameraConfig({
      port: 0, modelPath: MODEL_PATH, fakeVideoPath: await clipAsMjpeg(), modelCacheDir: join(tmpdir(), 'helen-unused-cache'),
      worker: true, processWidth: 320, preview: false, minTrackingConfidence: 0.3,
    }));
    const frames: LandmarkFrame[] = [];
    try {
      await source.start((f) => frames.push(f));
      await source.waitForReady(60_000);
      await sleep(1000);
      const from = frames.length;
      await sleep(6000);
      const got = frames.slice(from);
      // Same floor as the default-settings test (3 fps): a stall fails, a loaded machine does not.
      expect(got.length).toBeGreaterThanOrEqual(18);
      expect(got.filter((f) => f.hands.length > 0).length / got.length).toBeGreaterThanOrEqual(0.9);
      for (const f of got) for (const h of f.hands) expect(h.landmarks).toHaveLength(21);
      expect(source.hub.droppedMessages).toBe(0);
      expect(await source.chromium?.page?.evaluate('window.helen.error')).toBeNull();
    } finally {
      await source.stop();
    }
  }, 90_000);
});
