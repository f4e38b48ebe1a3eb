import type { LandmarkFrame } from '@helen/schemas';
import { describe, expect, it } from 'vitest';
import { cameraConfigFromEnv, mapHandedness } from '../../src/camera/index';

const hand = (handedness: 'Left' | 'Right', x: number) => ({
  handedness, score: 0.9, landmarks: Array.from({ length: 21 }, (_, i) => [x + i * 0.001, 0.5, -0.01]),
});
const frame: LandmarkFrame = { ts: 1, hands: [hand('Left', 0.2), hand('Right', 0.7)], source: 'camera' };

describe('mapHandedness', () => {
  it('as-reported leaves the frame alone', () => {
    expect(mapHandedness(frame, 'as-reported')).toEqual(frame);
  });
  it('swap exchanges the labels and keeps the coordinates', () => {
    const out = mapHandedness(frame, 'swap');
    expect(out.hands.map((h) => h.handedness)).toEqual(['Right', 'Left']);
    expect(out.hands[0]?.landmarks).toEqual(frame.hands[0]?.landmarks);
  });
  it('mirror flips x like a selfie view, keeps labels, y and z', () => {
    const out = mapHandedness(frame, 'mirror');
    expect(out.hands.map((h) => h.handedness)).toEqual(['Left', 'Right']);
    expect(out.hands[0]?.landmarks[0]?.[0]).toBeCloseTo(0.8, 9);
    expect(out.hands[0]?.landmarks[0]?.slice(1)).toEqual([0.5, -0.01]);
    expect(frame.hands[0]?.landmarks[0]?.[0]).toBe(0.2); // input untouched
  });
});

describe('camera settings', () => {
  it('defaults: headless, numHands auto, mirror, CPU, 640x480, /usr/bin/chromium', () => {
    const c = cameraConfigFromEnv({});
    expect(c).toMatchObject({ mode: 'headless', numHands: 'auto', handedness: 'mirror', delegate: 'CPU', width: 640, height: 480, chromiumPath: '/usr/bin/chromium' });
    expect(c.modelPath).toBeUndefined();
    expect(c.modelCacheDir).toMatch(/\.cache\/helen$/);
  });
  it('refuses bad values naming every variable', () => {
    expect(() => cameraConfigFromEnv({ HELEN_CAMERA_NUM_HANDS: '3', HELEN_CAMERA_HANDEDNESS: 'flip', HELEN_CAMERA_MODE: 'x' }))
      .toThrow(/HELEN_CAMERA_MODE[\s\S]*HELEN_CAMERA_NUM_HANDS: must be 1, 2 or auto[\s\S]*HELEN_CAMERA_HANDEDNESS: must be one of mirror, swap, as-reported/);
  });
});
