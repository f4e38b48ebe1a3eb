// @ts-check
/**
 * The small landmark preview in a corner (settings.preview): the newest hands from the
 * `/api/display/landmarks` SSE (≤10 fps), drawn as a mirror. The stream is open only while shown,
 * because the backend forwards frames only while someone listens.
 */
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { drawHands } from './hand.js';

/** @param {{ side: 'left' | 'right' }} props */
export function Preview({ side }) {
  const canvas = useRef(/** @type {HTMLCanvasElement | null} */ (null));
  useEffect(() => {
    const source = new EventSource('/api/display/landmarks');
    source.onmessage = (event) => {
      const ctx = canvas.current?.getContext('2d');
      if (!ctx) return;
      try {
        const frame = JSON.parse(event.data);
        drawHands(ctx, Array.isArray(frame?.hands) ? frame.hands : [], { mirror: true });
      } catch {
        // A malformed frame is skipped; the next one redraws.
      }
    };
    return () => source.close();
  }, []);
  return html`<canvas ref=${canvas} class=${`preview preview-${side}`} width="192" height="144" aria-hidden="true"></canvas>`;
}
