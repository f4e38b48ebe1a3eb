// HELEN_CAMERA_WORKER: the landmarker off the page's main thread. The page transfers each
// frame (a VideoFrame: no copy) and gets the hands back; while detection runs, the main
// thread stays free for the overlay, the socket and the next frame.
import { HandDetector } from './detector.js';

let detector = null;

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'init') {
    try {
      detector = await HandDetector.create(msg.cfg);
      self.postMessage({ type: 'ready' });
    } catch (err) {
      self.postMessage({ type: 'error', message: String(err?.message ?? err) });
    }
    return;
  }
  if (msg.type !== 'frame') return;
  try {
    const result = detector.detect(msg.image, msg.ts);
    self.postMessage({ type: 'result', ...result, capturedAt: msg.capturedAt });
  } catch (err) {
    self.postMessage({ type: 'error', message: String(err?.message ?? err) });
  } finally {
    msg.image.close();
  }
};
