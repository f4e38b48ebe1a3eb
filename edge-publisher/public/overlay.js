// Draws the landmark overlay. Colours are saturated magenta/cyan on purpose: they do not
// occur in skin or rooms, so the screenshot test can count them.
export const OVERLAY_LINE = '#ff00ff';
export const OVERLAY_POINT = '#00ffff';

// MediaPipe's 21-point hand skeleton.
const CONNECTIONS = [
  [0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [5, 9], [9, 10], [10, 11],
  [11, 12], [9, 13], [13, 14], [14, 15], [15, 16], [13, 17], [0, 17], [17, 18], [18, 19], [19, 20],
];

/**
 * @param {CanvasRenderingContext2D} ctx  canvas sized like the video frame
 * @param {Array<{handedness: string, landmarks: number[][]}>} hands  slot-mapped hands
 * @param {boolean} mirror  draw mirrored, matching a mirrored (selfie) video preview, so
 *   text stays readable (the canvas itself is not CSS-flipped)
 */
export function drawHands(ctx, hands, mirror) {
  const { width: w, height: h } = ctx.canvas;
  ctx.clearRect(0, 0, w, h);
  const px = (p) => [(mirror ? 1 - p[0] : p[0]) * w, p[1] * h];
  const scale = Math.max(1, w / 640);
  for (const hand of hands) {
    ctx.strokeStyle = OVERLAY_LINE;
    ctx.lineWidth = 4 * scale;
    ctx.beginPath();
    for (const [a, b] of CONNECTIONS) {
      const [ax, ay] = px(hand.landmarks[a]);
      const [bx, by] = px(hand.landmarks[b]);
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
    }
    ctx.stroke();
    ctx.fillStyle = OVERLAY_POINT;
    for (const p of hand.landmarks) {
      const [x, y] = px(p);
      ctx.beginPath();
      ctx.arc(x, y, 4 * scale, 0, 2 * Math.PI);
      ctx.fill();
    }
    const [wx, wy] = px(hand.landmarks[0]);
    ctx.font = `${16 * scale}px sans-serif`;
    ctx.fillStyle = '#ffffff';
    ctx.fillText(hand.handedness, wx + 8 * scale, wy + 20 * scale);
  }
}
