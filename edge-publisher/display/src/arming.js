// @ts-check
/**
 * The original Helen's activation rule as a pure state machine: `Start` arms the display for a
 * window; every accepted sign restarts the window; a sign while not armed (or one that means
 * nothing where it is made) only flashes a red ring. Times are epoch ms passed in by the caller
 * (Date.now()), so expiry follows the clock, not a chain of timers that a sleeping tab may stretch.
 */

export const ARM_WINDOW_MS = 6000;
export const REJECT_MS = 600;

/** @typedef {{ armedUntil: number, rejectedUntil: number, armedAt: number }} Arming */

/** @returns {Arming} */
export function initialArming() {
  return { armedUntil: 0, rejectedUntil: 0, armedAt: 0 };
}

/** @param {Arming} s @param {number} now */
export function isArmed(s, now) {
  return now < s.armedUntil;
}

/** @param {Arming} s @param {number} now */
export function isRejected(s, now) {
  return now < s.rejectedUntil;
}

/** Milliseconds of the armed window left (0 when not armed). @param {Arming} s @param {number} now */
export function remainingMs(s, now) {
  return Math.max(0, s.armedUntil - now);
}

/** (Re)start the window: Start, or any accepted sign. @param {Arming} s @param {number} now @returns {Arming} */
export function arm(s, now) {
  return { ...s, armedUntil: now + ARM_WINDOW_MS, armedAt: now, rejectedUntil: 0 };
}

/** Red ring; an armed display stays armed (its window is not renewed). @param {Arming} s @param {number} now @returns {Arming} */
export function reject(s, now) {
  return { ...s, rejectedUntil: now + REJECT_MS };
}

/** @param {Arming} s @returns {Arming} */
export function disarm(s) {
  return { ...s, armedUntil: 0 };
}

/**
 * First step for an incoming sign: `arm` for Start, `reject` while not armed, `handle` when the
 * page should act on it (then the caller calls arm() if the page accepted it, reject() if not).
 * @param {Arming} s @param {string} label @param {number} now
 * @returns {'arm' | 'reject' | 'handle'}
 */
export function gate(s, label, now) {
  if (label === 'Start') return 'arm';
  return isArmed(s, now) ? 'handle' : 'reject';
}

/** The earliest future moment the ring's look changes, for one timeout to re-render at. @param {Arming} s @param {number} now */
export function nextChangeAt(s, now) {
  const times = [s.armedUntil, s.rejectedUntil].filter((t) => t > now);
  return times.length ? Math.min(...times) : null;
}
