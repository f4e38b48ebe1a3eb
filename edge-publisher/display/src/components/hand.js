// @ts-check
/**
 * Hand skeleton drawing on a 2D canvas, for the tutorial animation and the corner preview.
 * Landmarks are MediaPipe's 21 points, normalised image coordinates [x, y, z] in 0..1.
 */

/** MediaPipe hand connections: wrist, thumb, four fingers, palm. */
export const HAND_CONNECTIONS = Object.freeze([
  [0, 1], [1, 2], [2, 3], [3, 4],
  [0, 5], [5, 6], [6, 7], [7, 8],
  [5, 9], [9, 10], [10, 11], [11, 12],
  [9, 13], [13, 14], [14, 15], [15, 16],
  [13, 17], [17, 18], [18, 19], [19, 20], [0, 17],
]);

const COLORS = { Right: '#5eead4', Left: '#fbbf24' };

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {{ handedness?: string, landmarks: number[][] }[]} hands
 * @param {{ mirror?: boolean, fit?: boolean }} [options] mirror: show as in a mirror; fit: scale
 *   the hands' bounding box to fill the canvas (tutorial) instead of the camera frame (preview)
 */
export function drawHands(ctx, hands, options = {}) {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const box = options.fit ? bounds(hands) : { x: 0, y: 0, w: 1, h: 1 };
  const scale = Math.min(width / box.w, height / box.h) * (options.fit ? 0.8 : 1);
  const offX = (width - box.w * scale) / 2;
  const offY = (height - box.h * scale) / 2;
  /** @param {number[]} p */
  const point = (p) => {
    const x = ((p[0] ?? 0) - box.x) * scale + offX;
    return [options.mirror ? width - x : x, ((p[1] ?? 0) - box.y) * scale + offY];
  };
  const r = Math.max(2, Math.min(width, height) / 70);
  for (const hand of hands) {
    if (!Array.isArray(hand.landmarks) || hand.landmarks.length < 21) continue;
    const color = COLORS[/** @type {'Right' | 'Left'} */ (hand.handedness)] ?? COLORS.Right;
    const pts = hand.landmarks.map(point);
    ctx.strokeStyle = color;
    ctx.lineWidth = r * 0.9;
    ctx.lineCap = 'round';
    ctx.beginPath();
    for (const [a, b] of HAND_CONNECTIONS) {
      const pa = pts[/** @type {number} */ (a)];
      const pb = pts[/** @type {number} */ (b)];
      if (!pa || !pb) continue;
      ctx.moveTo(/** @type {number} */ (pa[0]), /** @type {number} */ (pa[1]));
      ctx.lineTo(/** @type {number} */ (pb[0]), /** @type {number} */ (pb[1]));
    }
    ctx.stroke();
    ctx.fillStyle = '#f8fafc';
    for (const [x, y] of pts) {
      ctx.beginPath();
      ctx.arc(/** @type {number} */ (x), /** @type {number} */ (y), r, 0, Math.PI * 2);
      ctx.fill();
    }
  }
}

/** Bounding box of every landmark, at least 0.2 wide/high so one still hand is not blown up. @param {{ landmarks: number[][] }[]} hands */
function bounds(hands) {
  let x0 = 1, y0 = 1, x1 = 0, y1 = 0;
  for (const h of hands) for (const p of h.landmarks ?? []) {
    x0 = Math.min(x0, p[0] ?? 0); x1 = Math.max(x1, p[0] ?? 0);
    y0 = Math.min(y0, p[1] ?? 0); y1 = Math.max(y1, p[1] ?? 0);
  }
  if (x1 < x0) return { x: 0, y: 0, w: 1, h: 1 };
  const w = Math.max(0.2, x1 - x0), h = Math.max(0.2, y1 - y0);
  return { x: (x0 + x1 - w) / 2, y: (y0 + y1 - h) / 2, w, h };
}
