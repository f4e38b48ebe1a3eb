// MediaPipe HandLandmarker setup and result conversion, shared by the capture page and the
// tests (which import this module into a page to run IMAGE mode on photos).
// Everything loads from the capture server: no CDN, works offline.
import { FilesetResolver, HandLandmarker } from './vendor/tasks-vision/vision_bundle.mjs';

/**
 * @param {{ wasmUrl: string, modelUrl: string, numHands: number, delegate: 'CPU'|'GPU',
 *           runningMode?: 'VIDEO'|'IMAGE', minDetectionConfidence?: number,
 *           minPresenceConfidence?: number, minTrackingConfidence?: number }} cfg
 */
export async function createHandLandmarker(cfg) {
  // Absolute URLs: FilesetResolver loads the wasm loader as a script, relative paths would
  // resolve against whatever base the loader sees. A module worker cannot load a classic
  // script (importScripts throws there), so it takes the ES-module build of the loader.
  const inWorker = typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;
  const fileset = await FilesetResolver.forVisionTasks(new URL(cfg.wasmUrl, location.href).href, inWorker);
  // tasks-vision clears self.ModuleFactory after each use, and a module is evaluated only
  // once: set it again from the (cached) loader module, or a second landmarker fails.
  if (inWorker) self.ModuleFactory = (await import(fileset.wasmLoaderPath)).default;
  return HandLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: new URL(cfg.modelUrl, location.href).href, delegate: cfg.delegate },
    runningMode: cfg.runningMode ?? 'VIDEO',
    numHands: cfg.numHands,
    minHandDetectionConfidence: cfg.minDetectionConfidence ?? 0.5,
    minHandPresenceConfidence: cfg.minPresenceConfidence ?? 0.5,
    minTrackingConfidence: cfg.minTrackingConfidence ?? 0.5,
  });
}

/**
 * HandLandmarkerResult -> the `hands` array of a LandmarkFrame. Handedness stays as
 * tasks-vision reports it; the server maps it to the Left/Right slots (one place, tested).
 */
export function toHands(result) {
  const hands = [];
  result.landmarks.forEach((points, i) => {
    const category = result.handedness[i]?.[0];
    if (!category || points.length !== 21) return;
    hands.push({
      handedness: category.categoryName === 'Left' ? 'Left' : 'Right',
      score: Math.min(1, Math.max(0, category.score)),
      landmarks: points.map((p) => [p.x, p.y, p.z]),
    });
  });
  return hands;
}
