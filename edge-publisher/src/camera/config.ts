import { homedir } from 'node:os';
import { join } from 'node:path';
import { envVar, parseEnv, type EnvConfig } from '@helen/runtime';

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
 * index fingers (models/src/synthetic/poses.ts, the only pose with a `partner` hand), which
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

export const cameraEnv = {
  HELEN_CAMERA_MODE: envVar.oneOf(
    'headless: a hidden Chromium captures; kiosk: a full-screen Chromium captures and shows the debug screen; external: only serve the page (a kiosk browser opens it)',
    CAMERA_MODES, 'headless'),
  HELEN_CHROMIUM_PATH: envVar.string('Chromium executable driven through playwright-core', '/usr/bin/chromium'),
  HELEN_CAMERA_HOST: envVar.string('address of the capture page server (keep loopback unless a remote browser captures)', '127.0.0.1'),
  HELEN_CAMERA_PORT: envVar.int('port of the capture page server (0 = any free port)', 8765, { min: 0, max: 65535 }),
  HELEN_CAMERA_NUM_HANDS: envVar.custom('hands MediaPipe tracks: 1, 2, or auto (one, plus a second while two are in view; Agregar needs two)',
    parseNumHands, DEFAULT_NUM_HANDS),
  HELEN_CAMERA_HANDEDNESS: envVar.oneOf(
    'Left/Right slots from MediaPipe: mirror = selfie view, x flipped, labels kept (a normal front camera); swap = labels swapped (a camera that mirrors itself); as-reported = untouched',
    HANDEDNESS_MODES, 'mirror'),
  HELEN_CAMERA_DELEGATE: envVar.oneOf('MediaPipe delegate', ['CPU', 'GPU'] as const, 'CPU'),
  HELEN_CAMERA_WIDTH: envVar.int('requested camera width', 640, { min: 160, max: 3840 }),
  HELEN_CAMERA_HEIGHT: envVar.int('requested camera height', 480, { min: 120, max: 2160 }),
  HELEN_CAMERA_FPS: envVar.int('requested camera frame rate', 30, { min: 1, max: 120 }),
  HELEN_CAMERA_FRAME_SOURCE: envVar.oneOf(
    'track = newest frame from the camera track (MediaStreamTrackProcessor); video = one per painted frame (requestVideoFrameCallback)',
    ['track', 'video'] as const, 'track'),
  HELEN_CAMERA_MIRROR: envVar.bool('show the preview mirrored (display only; detection sees the raw image)', true),
  HELEN_CAMERA_FAKE_VIDEO: envVar.optionalString('a .y4m or .mjpeg file Chromium plays as its camera (tests, demos)'),
  HELEN_HAND_MODEL_PATH: envVar.optionalString('local hand_landmarker.task (offline installs); checked against the official sha256'),
  HELEN_HAND_MODEL_URL: envVar.url('where the hand model is downloaded from on first use', HAND_MODEL.url, ['https', 'http']),
  HELEN_HAND_MODEL_CACHE_DIR: envVar.custom('where the downloaded hand model is cached', (r) => r, join(homedir(), '.cache', 'helen'), '~/.cache/helen'),
};

export type CameraEnv = EnvConfig<typeof cameraEnv>;

/** The camera source's settings, in code terms. */
export interface CameraConfig {
  mode: CameraMode;
  chromiumPath: string;
  host: string;
  port: number;
  numHands: NumHands;
  handedness: HandednessMode;
  delegate: 'CPU' | 'GPU';
  width: number;
  height: number;
  frameRate: number;
  frameSource: 'track' | 'video';
  mirror: boolean;
  fakeVideoPath?: string | undefined;
  modelPath?: string | undefined;
  modelUrl: string;
  modelCacheDir: string;
}

export function cameraConfigFromEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): CameraConfig {
  const e = parseEnv(cameraEnv, env);
  return Object.freeze({
    mode: e.HELEN_CAMERA_MODE,
    chromiumPath: e.HELEN_CHROMIUM_PATH,
    host: e.HELEN_CAMERA_HOST,
    port: e.HELEN_CAMERA_PORT,
    numHands: e.HELEN_CAMERA_NUM_HANDS,
    handedness: e.HELEN_CAMERA_HANDEDNESS,
    delegate: e.HELEN_CAMERA_DELEGATE,
    width: e.HELEN_CAMERA_WIDTH,
    height: e.HELEN_CAMERA_HEIGHT,
    frameRate: e.HELEN_CAMERA_FPS,
    frameSource: e.HELEN_CAMERA_FRAME_SOURCE,
    mirror: e.HELEN_CAMERA_MIRROR,
    fakeVideoPath: e.HELEN_CAMERA_FAKE_VIDEO,
    modelPath: e.HELEN_HAND_MODEL_PATH,
    modelUrl: e.HELEN_HAND_MODEL_URL,
    modelCacheDir: e.HELEN_HAND_MODEL_CACHE_DIR,
  });
}

/** Defaults for code that builds a config directly (tests, the bench). */
export function defaultCameraConfig(overrides: Partial<CameraConfig> = {}): CameraConfig {
  return { ...cameraConfigFromEnv({}), ...overrides };
}
