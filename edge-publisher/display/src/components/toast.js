// @ts-check
/** Short notices for each action ("Alarma 07:30 guardada", "Cocina: encendido", errors). */
import { html } from '../html.js';

/** @param {{ toasts: { id: number, text: string, kind: string }[] }} props */
export function Toasts({ toasts }) {
  return html`<div class="toasts" role="status" aria-live="polite">
    ${toasts.map((x) => html`<div key=${x.id} class=${`toast toast-${x.kind}`}>${x.text}</div>`)}
  </div>`;
}
