export { CameraSource, type CameraSourceOptions } from './camera-source';
export { CaptureHub, type CaptureHubOptions, type PageStats } from './hub';
export { capturePagePlugin, startCaptureServer, type CapturePageOptions, type CaptureServer, type PageSettings } from './capture-server';
export { ChromiumRunner, chromiumArgs, type ChromiumOptions } from './chromium';
export { ensureHandModel, sha256File, HandModelError, type HandModelOptions } from './model-file';
export { mapHandedness } from './handedness';
export {
  cameraSettings, cameraConfigFromEnv, defaultCameraConfig, HAND_MODEL, CAMERA_MODES, HANDEDNESS_MODES, DEFAULT_NUM_HANDS,
  type CameraConfig, type CameraMode, type NumHands, type HandednessMode,
} from './config';
