// The capture page: camera -> HandLandmarker.detectForVideo per video frame -> a landmark
// frame over the WebSocket to the edge service, which answers with status for the panel.
import { createHandLandmarker, toHands } from './landmarker.js';
import { drawHands } from './overlay.js';
import { HandCountPolicy } from './hand-count.js';

const $ = (id) => document.getElementById(id);
const RETRY_MS = 5000;

// Read by tests and the bench through page.evaluate.
const state = { ready: false, frames: 0, fps: 0, detectMs: 0, hands: [], error: null, detectLog: [] };
window.helen = state;

let socket = null;
let socketBackoff = 500;

function connect(cfg) {
  const url = new URL(cfg.wsPath, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(url);
  socket.onopen = () => {
    socketBackoff = 500;
    setText('link', 'connected', 'ok');
    send({ type: 'hello', userAgent: navigator.userAgent });
    if (state.ready) send({ type: 'ready', width: state.width, height: state.height });
  };
  socket.onmessage = (event) => {
    try {
      const msg = JSON.parse(event.data);
      if (msg.type === 'status') showStatus(msg.status);
    } catch (err) {
      console.warn('bad message from edge', err);
    }
  };
  socket.onclose = () => {
    setText('link', 'disconnected', 'bad');
    // The edge service may be restarting: keep trying, gently.
    setTimeout(() => connect(cfg), socketBackoff);
    socketBackoff = Math.min(socketBackoff * 2, 10000);
  };
}

function send(msg) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
}

function setText(id, text, cls = '') {
  const el = $(id);
  el.textContent = text;
  el.classList.remove('ok', 'bad', 'warn');
  if (cls) el.classList.add(cls);
}

function showStatus(s) {
  if (s.prediction) {
    setText('prediction', s.prediction.label);
    setText('probability', `${(s.prediction.probability * 100).toFixed(1)} % (${s.prediction.servedBy})`);
  } else {
    setText('prediction', '–');
    setText('probability', '');
  }
  if (s.lastGesture) {
    setText('gesture', s.lastGesture.label);
    setText('gesture-at', `${(s.lastGesture.score * 100).toFixed(0)} % at ${new Date(s.lastGesture.at).toLocaleTimeString()}`);
  }
  setText('broker', s.broker, s.broker === 'disconnected' ? 'bad' : 'ok');
  setText('workers', s.workersOnline === null ? '?' : String(s.workersOnline), s.workersOnline === 0 ? 'bad' : '');
  setText('fallback', s.fallbackActive ? 'active (on-device model)' : 'off', s.fallbackActive ? 'warn' : 'ok');
}

function fail(err) {
  state.error = String(err?.message ?? err);
  $('error').textContent = `${state.error}\nretrying in ${RETRY_MS / 1000} s`;
  send({ type: 'error', message: state.error });
  // A busy or unplugged camera usually comes back: start over rather than sit dead.
  setTimeout(() => location.reload(), RETRY_MS);
}

async function main() {
  const cfg = await (await fetch('./config.json')).json();
  connect(cfg);
  const video = $('video');
  const canvas = $('overlay');
  const ctx = canvas.getContext('2d');
  if (cfg.mirror) video.classList.add('mirror');

  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { width: { ideal: cfg.width }, height: { ideal: cfg.height }, frameRate: { ideal: cfg.frameRate }, facingMode: 'user' },
  });
  stream.getVideoTracks()[0]?.addEventListener('ended', () => fail(new Error('camera track ended')));
  video.srcObject = stream;
  await video.play();
  // numHands 1 or 2: one landmarker. 'auto': one of each, chosen per frame by the policy.
  const auto = cfg.numHands === 'auto';
  const landmarkers = {
    1: cfg.numHands === 2 ? null : await createHandLandmarker({ ...cfg, numHands: 1 }),
    2: cfg.numHands === 1 ? null : await createHandLandmarker({ ...cfg, numHands: 2 }),
  };
  const policy = auto ? new HandCountPolicy() : null;
  const fixed = auto ? null : cfg.numHands;
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  Object.assign(state, { ready: true, width: video.videoWidth, height: video.videoHeight });
  send({ type: 'ready', width: video.videoWidth, height: video.videoHeight });

  const swap = cfg.handedness === 'swap';
  const frameTimes = [];
  const detectTimes = [];
  let lastTs = 0;
  let lastStats = performance.now();

  const detect = (image, capturedAt) => {
    // detectForVideo needs strictly increasing timestamps (ms).
    const t0 = performance.now();
    const ts = Math.max(t0, lastTs + 0.001);
    lastTs = ts;
    const used = policy ? policy.next() : fixed;
    const result = landmarkers[used].detectForVideo(image, ts);
    const t1 = performance.now();
    const hands = toHands(result);
    policy?.observe(used, hands.length);
    state.tracking = used;
    send({ type: 'frame', frame: { ts: Math.round(performance.timeOrigin + (capturedAt ?? t0)), hands, source: 'camera' } });

    // The overlay labels slots the way the server will map them (HELEN_CAMERA_HANDEDNESS).
    const shown = swap ? hands.map((h) => ({ ...h, handedness: h.handedness === 'Left' ? 'Right' : 'Left' })) : hands;
    drawHands(ctx, shown, cfg.mirror);

    state.frames += 1;
    state.hands = shown;
    frameTimes.push(t1);
    while (frameTimes.length && frameTimes[0] < t1 - 1000) frameTimes.shift();
    detectTimes.push(t1 - t0);
    if (detectTimes.length > 60) detectTimes.shift();
    if (state.detectLog.length < 10000) state.detectLog.push(t1 - t0); // the bench reads it
    if (t1 - lastStats >= 1000) {
      lastStats = t1;
      const sorted = [...detectTimes].sort((a, b) => a - b);
      state.fps = frameTimes.length;
      state.detectMs = sorted[Math.floor(sorted.length / 2)] ?? 0;
      setText('fps', String(state.fps));
      setText('detect', state.detectMs.toFixed(0));
      send({ type: 'stats', fps: state.fps, detectMs: state.detectMs, frames: state.frames, tracking: used });
    }
    setText('hands', String(hands.length));
    setText('tracking', String(used));
  };
  const track = stream.getVideoTracks()[0];
  if (cfg.frameSource !== 'video' && 'MediaStreamTrackProcessor' in window) trackLoop(track, detect).catch(fail);
  else videoLoop(video, detect);
}

/**
 * Frames straight from the camera track, the newest one each time detection is free
 * (maxBufferSize 1 drops the ones we were too slow for). Nothing waits for the page to
 * repaint, so a slow machine still gets every frame it can process.
 */
async function trackLoop(track, detect) {
  const reader = new MediaStreamTrackProcessor({ track, maxBufferSize: 1 }).readable.getReader();
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done) return;
    try {
      detect(frame, performance.now());
    } catch (err) {
      fail(err);
      return;
    } finally {
      frame.close();
    }
  }
}

/** Fallback: one detection per presented video frame (requestVideoFrameCallback, else rAF). */
function videoLoop(video, detect) {
  const step = (now, meta) => {
    try {
      detect(video, meta?.captureTime);
    } catch (err) {
      fail(err);
      return;
    }
    schedule();
  };
  const schedule = 'requestVideoFrameCallback' in video
    ? () => video.requestVideoFrameCallback(step)
    : () => requestAnimationFrame((now) => step(now));
  schedule();
}

main().catch(fail);
