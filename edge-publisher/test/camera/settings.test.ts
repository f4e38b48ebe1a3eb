import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cameraConfigFromEnv, cameraSettings, chromiumArgs, defaultCameraConfig } from '../../src/camera/index';
import { previewOn } from '../../src/camera/config';

describe('camera settings', () => {
  it('defaults: headless, numHands auto, mirror, CPU, 640x480, /usr/bin/chromium', () => {
    const c = cameraConfigFromEnv({});
    expect(c).toMatchObject({ mode: 'headless', numHands: 'auto', handedness: 'mirror', delegate: 'CPU', width: 640, height: 480, chromiumPath: '/usr/bin/chromium' });
    expect(c.modelPath).toBeUndefined();
    expect(c.modelCacheDir).toMatch(/\.cache\/helen$/);
    expect(defaultCameraConfig({ port: 0, mode: 'external' })).toEqual({ ...c, port: 0, mode: 'external' });
  });
  it('detection options: MediaPipe confidences, processing width, worker, preview, probe interval', () => {
    expect(cameraConfigFromEnv({})).toMatchObject({
      preview: 'auto', runningMode: 'VIDEO', minDetectionConfidence: 0.5, minPresenceConfidence: 0.5, minTrackingConfidence: 0.5,
      processWidth: 480, worker: false, probeEvery: 10,
    });
    expect(cameraConfigFromEnv({
      HELEN_CAMERA_PREVIEW: 'false', HELEN_CAMERA_RUNNING_MODE: 'IMAGE', HELEN_CAMERA_MIN_TRACKING_CONFIDENCE: '0.3',
      HELEN_CAMERA_PROCESS_WIDTH: '320', HELEN_CAMERA_WORKER: 'true', HELEN_CAMERA_PROBE_EVERY: '30',
    })).toMatchObject({ preview: false, runningMode: 'IMAGE', minTrackingConfidence: 0.3, processWidth: 320, worker: true, probeEvery: 30 });
    expect(() => cameraConfigFromEnv({ HELEN_CAMERA_MIN_DETECTION_CONFIDENCE: '1.5', HELEN_CAMERA_PROBE_EVERY: '0' }))
      .toThrow(/HELEN_CAMERA_MIN_DETECTION_CONFIDENCE[\s\S]*HELEN_CAMERA_PROBE_EVERY/);
  });
  it('preview auto paints only where a screen shows the page; true and false are kept as given', () => {
    expect(['headless', 'kiosk', 'external'].map((mode) => previewOn(cameraConfigFromEnv({ HELEN_CAMERA_MODE: mode })))).toEqual([false, true, true]);
    expect(previewOn(cameraConfigFromEnv({ HELEN_CAMERA_MODE: 'headless', HELEN_CAMERA_PREVIEW: 'true' }))).toBe(true);
    expect(previewOn(cameraConfigFromEnv({ HELEN_CAMERA_MODE: 'kiosk', HELEN_CAMERA_PREVIEW: 'off' }))).toBe(false);
    expect(() => cameraConfigFromEnv({ HELEN_CAMERA_PREVIEW: 'sometimes' })).toThrow(/HELEN_CAMERA_PREVIEW: must be auto, true or false/);
  });
  it('refuses bad values naming every variable', () => {
    expect(() => cameraConfigFromEnv({ HELEN_CAMERA_NUM_HANDS: '3', HELEN_CAMERA_HANDEDNESS: 'flip', HELEN_CAMERA_MODE: 'x' }))
      .toThrow(/HELEN_CAMERA_MODE[\s\S]*HELEN_CAMERA_NUM_HANDS: must be 1, 2 or auto[\s\S]*HELEN_CAMERA_HANDEDNESS: must be one of mirror, swap, as-reported/);
  });
});

describe('chromium flags', () => {
  it('headless, offline, auto-accepted camera; the fake camera only with a file; GPU only for the GPU delegate', () => {
    const base = chromiumArgs({ mode: 'headless' });
    for (const flag of ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream']) expect(base).toContain(flag);
    expect(base.some((a) => a.startsWith('--use-file-for-fake-video-capture'))).toBe(false);
    const fake = chromiumArgs({ mode: 'headless', fakeVideoPath: 'clips/x.mjpeg' });
    expect(fake).toContain('--use-fake-device-for-media-stream');
    expect(fake).toContain('--use-file-for-fake-video-capture=clips/x.mjpeg');
    const kiosk = chromiumArgs({ mode: 'kiosk', gpu: true });
    expect(kiosk).toContain('--kiosk');
    expect(kiosk).not.toContain('--headless');
    expect(kiosk).not.toContain('--disable-gpu');
    // HELEN_CAMERA_CHROMIUM_FLAGS: split on spaces, added last.
    const flags = cameraConfigFromEnv({ HELEN_CAMERA_CHROMIUM_FLAGS: ' --ignore-gpu-blocklist  --use-angle=gles ' }).chromiumFlags;
    expect(flags).toEqual(['--ignore-gpu-blocklist', '--use-angle=gles']);
    expect(chromiumArgs({ mode: 'kiosk', gpu: true, extraFlags: flags }).slice(-2)).toEqual(flags);
    expect(cameraConfigFromEnv({}).chromiumFlags).toEqual([]);
  });
});

describe('docs/camera.md', () => {
  it('lists every camera variable with the default the parser uses', () => {
    const doc = readFileSync(new URL('../../docs/camera.md', import.meta.url), 'utf8');
    const rows = new Map([...doc.matchAll(/^\| `(HELEN_[A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').trim()]));
    for (const v of cameraSettings.variables()) {
      const name = v.env;
      expect(rows.has(name), `${name} missing from docs/camera.md`).toBe(true);
      const shown = rows.get(name) ?? '';
      if (v.defaultText === undefined) expect(shown, name).toBe('(unset)');
      else if (name === 'HELEN_HAND_MODEL_URL') expect(doc).toContain(v.defaultText);
      else expect(shown, name).toBe(`\`${v.defaultText}\``);
    }
    expect([...rows.keys()].filter((n) => n.startsWith('HELEN_CAMERA') || n.startsWith('HELEN_HAND') || n === 'HELEN_CHROMIUM_PATH').sort())
      .toEqual(cameraSettings.variables().map((v) => v.env).sort());
  });
});
