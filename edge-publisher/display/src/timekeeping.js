// @ts-check
/**
 * Countdown timer and stopwatch as plain values over epoch ms (Date.now()), so a paused browser
 * tab or a test clock never drifts them: elapsed time is always "now minus start".
 */

/** @typedef {{ endsAt: number | null, durationMs: number }} Timer */
/** @typedef {{ startedAt: number | null, accumulatedMs: number }} Stopwatch */

/** @returns {Timer} */
export function idleTimer() {
  return { endsAt: null, durationMs: 0 };
}

/** @param {number} seconds @param {number} now @returns {Timer} */
export function startTimer(seconds, now) {
  return { endsAt: now + seconds * 1000, durationMs: seconds * 1000 };
}

/** @param {Timer} t @param {number} now */
export function timerRemainingMs(t, now) {
  return t.endsAt === null ? 0 : Math.max(0, t.endsAt - now);
}

/** True once a running timer has reached 0 (the caller rings and resets it). @param {Timer} t @param {number} now */
export function timerDone(t, now) {
  return t.endsAt !== null && now >= t.endsAt;
}

/** @returns {Stopwatch} */
export function idleStopwatch() {
  return { startedAt: null, accumulatedMs: 0 };
}

/** Start or stop (the `Agregar` sign on the stopwatch tab). @param {Stopwatch} s @param {number} now @returns {Stopwatch} */
export function toggleStopwatch(s, now) {
  if (s.startedAt === null) return { ...s, startedAt: now };
  return { startedAt: null, accumulatedMs: s.accumulatedMs + (now - s.startedAt) };
}

/** @param {Stopwatch} s @param {number} now */
export function stopwatchElapsedMs(s, now) {
  return s.accumulatedMs + (s.startedAt === null ? 0 : Math.max(0, now - s.startedAt));
}

/** "mm:ss" (or "h:mm:ss"), rounding a countdown up so it shows 00:01 until it truly ends. @param {number} ms @param {boolean} [roundUp] */
export function formatDuration(ms, roundUp = false) {
  const total = roundUp ? Math.ceil(ms / 1000) : Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Stopwatch text with tenths: "01:02.3". @param {number} ms */
export function formatStopwatch(ms) {
  return `${formatDuration(ms)}.${Math.floor((ms % 1000) / 100)}`;
}
