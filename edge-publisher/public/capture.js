// The capture page: camera -> HandLandmarker.detectForVideo per video frame (here or in a
// Web Worker) -> a landmark frame over the WebSocket to the edge service, which answers with status for the panel.
import { HandDetector } from './detector.js';
import { drawHands } from './overlay.js';

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
  const preview = cfg.preview !== false;
  if (cfg.mirror) video.classList.add('mirror');

  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { width: { ideal: cfg.width }, height: { ideal: cfg.height }, frameRate: { ideal: cfg.frameRate }, facingMode: 'user' },
  });
  const track = stream.getVideoTracks()[0];
  track?.addEventListener('ended', () => fail(new Error('camera track ended')));
  // Without the preview nothing plays the stream: no decode for a <video> and no painting.
  const useTrack = cfg.frameSource !== 'video' && 'MediaStreamTrackProcessor' in window;
  if (preview || !useTrack) {
    video.srcObject = stream;
    await video.play();
  }
  const detector = cfg.worker ? await WorkerDetector.create(cfg) : await HandDetector.create(cfg);
  const settings = track?.getSettings() ?? {};
  const width = video.videoWidth || settings.width || cfg.width;
  const height = video.videoHeight || settings.height || cfg.height;
  canvas.width = width;
  canvas.height = height;
  Object.assign(state, { ready: true, width, height });
  send({ type: 'ready', width, height });

  const swap = cfg.handedness === 'swap';
  const frameTimes = [];
  const detectTimes = [];
  let lastStats = performance.now();

  const onResult = ({ hands, used, ms }, capturedAt) => {
    const t1 = performance.now();
    state.tracking = used;
    send({ type: 'frame', frame: { ts: Math.round(performance.timeOrigin + capturedAt), hands, source: 'camera' } });

    // The overlay labels slots the way the server will map them (HELEN_CAMERA_HANDEDNESS).
    const shown = swap ? hands.map((h) => ({ ...h, handedness: h.handedness === 'Left' ? 'Right' : 'Left' })) : hands;
    if (preview) drawHands(ctx, shown, cfg.mirror);

    state.frames += 1;
    state.hands = shown;
    frameTimes.push(t1);
    while (frameTimes.length && frameTimes[0] < t1 - 1000) frameTimes.shift();
    detectTimes.push(ms);
    if (detectTimes.length > 60) detectTimes.shift();
    if (state.detectLog.length < 10000) state.detectLog.push(ms); // the bench reads it
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
  if (useTrack) trackLoop(track, detector, onResult).catch(fail);
  else videoLoop(video, detector, onResult);
}

/**
 * HELEN_CAMERA_WORKER: the landmarker in landmark-worker.js, behind the same detect() as a
 * HandDetector but asynchronous. The frame is transferred (closed here, used there).
 */
class WorkerDetector {
  static async create(cfg) {
    const worker = new Worker(new URL('./landmark-worker.js', import.meta.url), { type: 'module' });
    const d = new WorkerDetector(worker);
    const abs = (u) => new URL(u, location.href).href;
    await d.call({ type: 'init', cfg: { ...cfg, wasmUrl: abs(cfg.wasmUrl), modelUrl: abs(cfg.modelUrl) } }, []);
    return d;
  }

  constructor(worker) {
    this.worker = worker;
    this.pending = null;
    worker.onmessage = ({ data }) => {
      const p = this.pending;
      this.pending = null;
      if (data.type === 'error') p?.reject(new Error(`landmark worker: ${data.message}`));
      else p?.resolve(data);
    };
    worker.onerror = (event) => fail(new Error(`landmark worker: ${event.message}`));
  }

  call(msg, transfer) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg, transfer);
    });
  }

  /** @param {VideoFrame} frame  transferred: the caller must not use or close it afterwards */
  detect(frame, ts) {
    return this.call({ type: 'frame', image: frame, ts, capturedAt: ts }, [frame]);
  }
}

/**
 * Frames straight from the camera track, the newest one each time detection is free
 * (maxBufferSize 1 drops the ones we were too slow for). Nothing waits for the page to
 * repaint, so a slow machine still gets every frame it can process. A frame with the same
 * timestamp as the last one (a camera repeating itself) is not detected again.
 */
async function trackLoop(track, detector, onResult) {
  const reader = new MediaStreamTrackProcessor({ track, maxBufferSize: 1 }).readable.getReader();
  const inWorker = detector instanceof WorkerDetector;
  let lastFrameTs = null;
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done) return;
    if (frame.timestamp === lastFrameTs) {
      frame.close();
      continue;
    }
    lastFrameTs = frame.timestamp;
    const capturedAt = performance.now();
    if (inWorker) {
      onResult(await detector.detect(frame, capturedAt), capturedAt);
      continue;
    }
    try {
      onResult(detector.detect(frame, capturedAt), capturedAt);
    } finally {
      frame.close();
    }
  }
}

/**
 * One detection per presented video frame (requestVideoFrameCallback, which fires only for
 * a new frame, else rAF). With the worker, a frame that comes while it is busy is skipped.
 */
function videoLoop(video, detector, onResult) {
  const inWorker = detector instanceof WorkerDetector;
  let busy = false;
  const step = (now, meta) => {
    const capturedAt = meta?.captureTime ?? performance.now();
    try {
      if (!inWorker) onResult(detector.detect(video, capturedAt), capturedAt);
      else if (!busy) {
        busy = true;
        detector.detect(new VideoFrame(video, { timestamp: Math.round(capturedAt * 1000) }), capturedAt)
          .then((r) => onResult(r, capturedAt), fail)
          .finally(() => { busy = false; });
      }
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
