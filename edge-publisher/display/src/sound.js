// @ts-check
/**
 * Alarm sound: short WebAudio beeps, three every 1.5 s, until stopped. No audio files to ship.
 * `window.__helenSound` counts beeps started, so a browser test can see the sound began even where
 * the audio device is absent.
 */

const PATTERN_EVERY_MS = 1500;
const BEEPS = [0, 0.22, 0.44];

/** @type {AudioContext | null} */
let context = null;
/** @type {ReturnType<typeof setInterval> | null} */
let loop = null;

export function startSound() {
  if (loop !== null) return;
  // Sound starts here without a tap: browsers block that by default (autoplay policy), so the kiosk
  // launches Chromium with --autoplay-policy=no-user-gesture-required; a desk browser may stay
  // silent until the first click, which resume() below then unlocks.
  pattern();
  loop = setInterval(pattern, PATTERN_EVERY_MS);
}

export function stopSound() {
  if (loop !== null) clearInterval(loop);
  loop = null;
}

/** A tap anywhere unlocks audio on browsers without the kiosk flag. */
export function unlockAudio() {
  const ctx = audio();
  if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
}

function pattern() {
  for (const offset of BEEPS) beep(offset);
}

/** @param {number} offsetS */
function beep(offsetS) {
  const w = /** @type {any} */ (window);
  w.__helenSound = (w.__helenSound ?? 0) + 1;
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime + offsetS;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'sine';
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.35, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(start + 0.18);
}

function audio() {
  if (context) return context;
  try {
    context = new AudioContext();
  } catch {
    context = null;
  }
  return context;
}
