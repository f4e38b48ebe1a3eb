// @ts-check
/**
 * Helen display entry point: wires the controller to the page (render on every change), the
 * `/events` stream, the tick and the test hooks on <body> (data-page, data-armed, data-ringing).
 */
import { render } from 'preact';
import { html } from './src/html.js';
import { createController } from './src/controller.js';
import { nextChangeAt, isArmed } from './src/arming.js';
import { getLanguage } from './src/i18n.js';
import { startSound, stopSound, unlockAudio } from './src/sound.js';
import { Shell } from './src/shell.js';

// Alarms, the timer and the armed window are checked every half second from Date.now().
const TICK_MS = 500;
// Stopwatch tenths and the tutorial's countdown need a faster repaint while they show.
const FAST_MS = 100;

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
const controller = createController({ sound: { start: startSound, stop: stopSound } });

/** @type {ReturnType<typeof setTimeout> | undefined} */
let changeTimer;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let fastTimer;

function paint() {
  const now = Date.now();
  const s = controller.state;
  render(html`<${Shell} c=${controller} now=${now} />`, root);
  const body = document.body.dataset;
  body.page = s.nav.route.page;
  body.tab = s.nav.route.tab ?? '';
  body.armed = String(isArmed(s.arming, now));
  body.ringing = s.ringing ? s.ringing.kind : '';
  document.documentElement.lang = getLanguage();
  // Repaint exactly when the armed window or the red flash ends; the tick is the backstop.
  clearTimeout(changeTimer);
  const at = nextChangeAt(s.arming, now);
  if (at !== null) changeTimer = setTimeout(paint, at - now + 5);
  clearTimeout(fastTimer);
  const stopwatchShown = s.nav.route.tab === 'stopwatch' && s.stopwatch.startedAt !== null;
  if (stopwatchShown) fastTimer = setTimeout(paint, FAST_MS);
}

// The static placeholder in index.html (shown before modules load) is replaced, not diffed.
root.replaceChildren();
controller.subscribe(paint);
paint();

function connect() {
  const events = new EventSource('/events');
  events.onmessage = (event) => controller.onMessage(event.data);
  // EventSource reconnects by itself; the hello on reconnect marks the link up again.
  events.onerror = () => controller.setConnected(false);
}

connect();
void controller.load();
setInterval(() => controller.tick(), TICK_MS);
document.addEventListener('pointerdown', unlockAudio, { passive: true });
