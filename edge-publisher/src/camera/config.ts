import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineSettings, setting, type ConfigOf, type EnvSource } from '@helen/runtime';

/** Google's official HandLandmarker bundle (float16, version 1) and what it must hash to. */
export const HAND_MODEL = Object.freeze({
  url: 'https://storage.googleapis.com/mediapipe-models/hand_landmarker/hand_landmarker/float16/1/hand_landmarker.task',
  sha256: 'fbc2a30080c3c557093b5ddfc334698132eb341044ccee322ccf8bcf3607cde1',
  size: 7_819_105,
  fileName: 'hand_landmarker-float16-v1.task',
});

export const CAMERA_MODES = ['headless', 'kiosk', 'external'] as const;
export type CameraMode = (typeof CAMERA_MODES)[number];
export const HANDEDNESS_MODES = ['mirror', 'swap', 'as-reported'] as const;
export type HandednessMode = (typeof HANDEDNESS_MODES)[number];

export type NumHands = 1 | 2 | 'auto';

/**
 * Why 'auto' by default. The model has a two-hand sign: Agregar is a "+" made with both
 * index fingers (synthetic-signer/src/poses.ts, the only pose with a `partner` hand), which
 * a one-hand tracker can never show; and with one hand tracked, an idle second hand in view
 * can take the tracker from the signing one. But numHands 2 runs the palm detector on every
 * frame while fewer than two hands are in view, which is nearly always: 640x480 on this
 * machine's CPU gave about 27 fps with 1 and 16 with 2 (unloaded; docs/camera.md). 'auto'
 * tracks one hand and probes for a second every 10th frame, tracking both while two are in
 * view (public/hand-count.js): one-hand speed for the 21 one-hand signs, Agregar still seen.
 */
export const DEFAULT_NUM_HANDS: NumHands = 'auto';

function parseNumHands(raw: string): NumHands {
  if (raw === '1' || raw === '2') return Number(raw) as 1 | 2;
  if (raw === 'auto') return 'auto';
  throw new Error(`must be 1, 2 or auto (got "${raw}")`);
}

/** The camera source's settings, read only when HELEN_EDGE_SOURCE=camera. */
export const cameraSettings = defineSettings({
  mode: setting.oneOf('HELEN_CAMERA_MODE',
    'headless: a hidden Chromium captures; kiosk: a full-screen Chromium captures and shows the debug screen; external: only serve the page (a kiosk browser opens it)',
    CAMERA_MODES, 'headless'),
  chromiumPath: setting.string('HELEN_CHROMIUM_PATH', 'Chromium executable driven through playwright-core', '/usr/bin/chromium'),
  host: setting.string('HELEN_CAMERA_HOST', 'address of the capture page server (keep loopback unless a remote browser captures)', '127.0.0.1'),
  port: setting.port('HELEN_CAMERA_PORT', 'port of the capture page server (0 = any free port)', 8765),
  numHands: setting.custom('HELEN_CAMERA_NUM_HANDS', 'hands MediaPipe tracks: 1, 2, or auto (one, plus a second while two are in view; Agregar needs two)',
    parseNumHands, DEFAULT_NUM_HANDS),
  handedness: setting.oneOf('HELEN_CAMERA_HANDEDNESS',
    'Left/Right slots from MediaPipe: mirror = selfie view, x flipped, labels kept (a normal front camera); swap = labels swapped (a camera that mirrors itself); as-reported = untouched',
    HANDEDNESS_MODES, 'mirror'),
  delegate: setting.oneOf('HELEN_CAMERA_DELEGATE', 'MediaPipe delegate', ['CPU', 'GPU'], 'CPU'),
  chromiumFlags: setting.custom('HELEN_CAMERA_CHROMIUM_FLAGS', 'extra Chromium flags, space-separated (e.g. the Pi\'s GPU flags: --ignore-gpu-blocklist --use-angle=gles)',
    (r) => r.split(/\s+/).filter((f) => f.length > 0), (): string[] => []),
  width: setting.int('HELEN_CAMERA_WIDTH', 'requested camera width', 640, { min: 160, max: 3840 }),
  height: setting.int('HELEN_CAMERA_HEIGHT', 'requested camera height', 480, { min: 120, max: 2160 }),
  frameRate: setting.int('HELEN_CAMERA_FPS', 'requested camera frame rate', 30, { min: 1, max: 120 }),
  frameSource: setting.oneOf('HELEN_CAMERA_FRAME_SOURCE',
    'track = newest frame from the camera track (MediaStreamTrackProcessor); video = one per painted frame (requestVideoFrameCallback)',
    ['track', 'video'], 'track'),
  mirror: setting.bool('HELEN_CAMERA_MIRROR', 'show the preview mirrored (display only; detection sees the raw image)', true),
  preview: setting.custom<boolean | 'auto'>('HELEN_CAMERA_PREVIEW',
    'play the camera and draw the landmark overlay on the page: auto = only where a screen shows the page (kiosk, external), not in headless mode where nobody sees it',
    parsePreview, 'auto'),
  runningMode: setting.oneOf('HELEN_CAMERA_RUNNING_MODE',
    'VIDEO = track hands from frame to frame (palm detection only when a hand is lost); IMAGE = detect palms on every frame (comparison only)',
    ['VIDEO', 'IMAGE'], 'VIDEO'),
  minDetectionConfidence: setting.number('HELEN_CAMERA_MIN_DETECTION_CONFIDENCE', 'MediaPipe minHandDetectionConfidence: palm detector score to accept a new hand', 0.5, { min: 0, max: 1 }),
  minPresenceConfidence: setting.number('HELEN_CAMERA_MIN_PRESENCE_CONFIDENCE', 'MediaPipe minHandPresenceConfidence: landmark model score to keep a hand', 0.5, { min: 0, max: 1 }),
  minTrackingConfidence: setting.number('HELEN_CAMERA_MIN_TRACKING_CONFIDENCE', 'MediaPipe minTrackingConfidence: box overlap to keep tracking instead of detecting palms again', 0.5, { min: 0, max: 1 }),
  // 480 (docs/camera.md "Speed and CPU"): 1.41x the fps at 0.69x the CPU per frame of full
  // 640x480 on one hand, landmarks within 0.43 px on average, the same hands found.
  processWidth: setting.int('HELEN_CAMERA_PROCESS_WIDTH', 'downscale frames to this width before detection (aspect kept); 0 = the camera size', 480, { min: 0, max: 3840 }),
  worker: setting.bool('HELEN_CAMERA_WORKER', 'run the landmarker in a Web Worker (frames transferred), so the page never blocks on detection', false),
  probeEvery: setting.int('HELEN_CAMERA_PROBE_EVERY', 'numHands auto: frames between two-hand probes while one hand is tracked', 10, { min: 1, max: 1000 }),
  fakeVideoPath: setting.optionalString('HELEN_CAMERA_FAKE_VIDEO', 'a .y4m or .mjpeg file Chromium plays as its camera (tests, demos)'),
  modelPath: setting.optionalString('HELEN_HAND_MODEL_PATH', 'local hand_landmarker.task (offline installs); checked against the official sha256'),
  modelUrl: setting.url('HELEN_HAND_MODEL_URL', 'where the hand model is downloaded from on first use', HAND_MODEL.url, ['https', 'http']),
  modelCacheDir: setting.custom('HELEN_HAND_MODEL_CACHE_DIR', 'where the downloaded hand model is cached', (r) => r, () => join(homedir(), '.cache', 'helen'), '~/.cache/helen'),
});

function parsePreview(raw: string): boolean | 'auto' {
  const v = raw.trim().toLowerCase();
  if (v === 'auto') return 'auto';
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new Error(`must be auto, true or false (got "${raw}")`);
}

/** Whether the page paints the camera and the overlay: `auto` = a screen shows the page. */
export function previewOn(config: Pick<CameraConfig, 'preview' | 'mode'>): boolean {
  return config.preview === 'auto' ? config.mode !== 'headless' : config.preview;
}

/** The camera source's settings, in code terms. */
export type CameraConfig = ConfigOf<typeof cameraSettings.shape>;

/** Throws a ConfigError naming every bad HELEN_CAMERA_* (and HELEN_CHROMIUM_PATH, HELEN_HAND_MODEL_*) variable. */
export function cameraConfigFromEnv(env: EnvSource): CameraConfig {
  return cameraSettings.parse(env);
}

/** Defaults for code that builds a config directly (tests, the bench). */
export function defaultCameraConfig(overrides: Partial<CameraConfig> = {}): CameraConfig {
  return cameraSettings.with(overrides);
}
