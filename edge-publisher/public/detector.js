// One detection step, the same wherever it runs: the capture page's main thread, its Web
// Worker (HELEN_CAMERA_WORKER) and the camera bench's quality check. It owns the
// landmarkers (one per hand count), the numHands 'auto' policy and the optional downscale.
import { createHandLandmarker, toHands } from './landmarker.js';
import { HandCountPolicy } from './hand-count.js';

export class HandDetector {
  /** @param {object} cfg the page's config.json (numHands, delegate, confidences, processWidth, ...) */
  static async create(cfg) {
    const make = (numHands) => createHandLandmarker({ ...cfg, numHands });
    const landmarkers = {
      1: cfg.numHands === 2 ? null : await make(1),
      2: cfg.numHands === 1 ? null : await make(2),
    };
    return new HandDetector(cfg, landmarkers);
  }

  constructor(cfg, landmarkers) {
    this.cfg = cfg;
    this.landmarkers = landmarkers;
    this.policy = cfg.numHands === 'auto' ? new HandCountPolicy({ probeEvery: cfg.probeEvery ?? 10 }) : null;
    this.fixed = cfg.numHands === 'auto' ? null : cfg.numHands;
    this.image = cfg.runningMode === 'IMAGE';
    this.lastTs = 0;
    this.canvas = null;
  }

  /**
   * @param {VideoFrame|ImageBitmap|HTMLVideoElement|HTMLCanvasElement|OffscreenCanvas|HTMLImageElement} image
   * @param {number} ts ms, for VIDEO mode (made strictly increasing here, as detectForVideo needs)
   * @returns {{ hands: object[], used: 1|2, ms: number }}
   */
  detect(image, ts) {
    const t0 = performance.now();
    const used = this.policy ? this.policy.next() : this.fixed;
    const landmarker = this.landmarkers[used];
    const input = this.scaled(image);
    let result;
    if (this.image) {
      result = landmarker.detect(input);
    } else {
      this.lastTs = Math.max(ts, this.lastTs + 0.001);
      result = landmarker.detectForVideo(input, this.lastTs);
    }
    const hands = toHands(result);
    this.policy?.observe(used, hands.length);
    return { hands, used, ms: performance.now() - t0 };
  }

  /**
   * The frame at processWidth (aspect kept), or the frame itself. Landmarks are normalised
   * to the image, so they need no rescaling; the library's own resize to the models' 192 and
   * 224 px inputs then starts from fewer pixels (less to copy into its WebGL texture).
   */
  scaled(image) {
    const width = this.cfg.processWidth ?? 0;
    const [w, h] = sizeOf(image);
    if (!width || width >= w) return image;
    const height = Math.round((h * width) / w);
    if (!this.canvas || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = new OffscreenCanvas(width, height);
      this.ctx = this.canvas.getContext('2d', { alpha: false, desynchronized: true });
    }
    this.ctx.drawImage(image, 0, 0, width, height);
    return this.canvas;
  }
}

function sizeOf(image) {
  if (image.displayWidth !== undefined) return [image.displayWidth, image.displayHeight];
  if (image.videoWidth !== undefined) return [image.videoWidth, image.videoHeight];
  if (image.naturalWidth !== undefined) return [image.naturalWidth, image.naturalHeight];
  return [image.width, image.height];
}
