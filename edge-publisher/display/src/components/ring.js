// @ts-check
/**
 * The activation ring around the screen edge: teal while armed, with a corner arc that empties
 * over the 6 s window; red for ~600 ms when a sign is refused. `#ring` carries the class tests read.
 */
import { html } from '../html.js';
import { ARM_WINDOW_MS, isArmed, isRejected } from '../arming.js';

/**
 * The activation ring around the screen edge: teal while armed, red for ~600 ms when a sign is
 * refused. `#ring` carries the classes tests read (`armed`, `rejected`).
 * @param {{ arming: import('../arming.js').Arming, now: number }} props
 */
export function Ring({ arming, now }) {
  const armed = isArmed(arming, now);
  const rejected = isRejected(arming, now);
  const classes = [armed ? 'armed' : '', rejected ? 'rejected' : ''].filter(Boolean).join(' ');
  return html`<div id="ring" class=${classes} aria-hidden="true"></div>`;
}

/**
 * The countdown arc of the armed window. Keyed by armedAt, it mounts afresh on each (re)arming
 * and CSS empties it over the window; when the window really ends is decided by timestamps.
 * @param {{ armedAt: number }} props
 */
export function Countdown({ armedAt }) {
  return html`<svg viewBox="0 0 40 40" class="countdown" key=${armedAt} aria-hidden="true">
    <circle cx="20" cy="20" r="16" class="track" />
    <circle cx="20" cy="20" r="16" class="arc" style=${`animation-duration:${ARM_WINDOW_MS}ms`} />
  </svg>`;
}
