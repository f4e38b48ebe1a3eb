// @ts-check
/** The tutorial's looping hand animation of /api/tutorial/:label frames. */
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { drawHands } from './hand.js';

/** @param {{ data: { fps?: number, frames?: { hands: any[] }[] } }} props */
export function TutorialCanvas({ data }) {
  const canvas = useRef(/** @type {HTMLCanvasElement | null} */ (null));
  useEffect(() => {
    const frames = Array.isArray(data?.frames) ? data.frames : [];
    const fps = data?.fps || 30;
    const start = performance.now();
    let handle = 0;
    const draw = () => {
      const el = canvas.current;
      const ctx = el?.getContext('2d');
      if (el && ctx && frames.length) {
        // Fill the canvas' CSS box at device resolution so lines stay sharp at 1080p.
        const w = Math.round(el.clientWidth * devicePixelRatio), h = Math.round(el.clientHeight * devicePixelRatio);
        if (w && h && (el.width !== w || el.height !== h)) { el.width = w; el.height = h; }
        const i = Math.floor(((performance.now() - start) / 1000) * fps) % frames.length;
        drawHands(ctx, frames[i]?.hands ?? [], { mirror: true, fit: true });
      }
      handle = requestAnimationFrame(draw);
    };
    handle = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(handle);
  }, [data]);
  return html`<canvas ref=${canvas} class="tutorial-canvas" aria-label="hand"></canvas>`;
}
