// @ts-check
/**
 * The display's state and everything that changes it: signs from /events, taps, the once-a-tick
 * checks (alarms, timer, armed window) and the backend calls. No DOM here: app.js renders the
 * state on every change and mirrors it into the test hooks.
 */
import { api } from './api.js';
import { classifyMessage } from './gesture.js';
import { LABELS, isLabel } from './labels.js';
import * as arming from './arming.js';
import { pushDigit, startEntry } from './digits.js';
import { back, navigate, nextTab, sameRoute, toRoute } from './routes.js';
import { resolveSign } from './signs.js';
import { dueAlarms, markRung, sortAlarms } from './alarms.js';
import { idleStopwatch, idleTimer, startTimer, timerDone, toggleStopwatch } from './timekeeping.js';
import { setLanguage, t } from './i18n.js';
import { createServices } from './services.js';
import { createTutorial } from './tutorial-flow.js';

const TOAST_MS = 3500;
const RING_GIVE_UP_MS = 10 * 60_000;

export const DEFAULT_SETTINGS = Object.freeze({
  language: 'es', handedness: 'right', sensitivity: 'normal',
  location: { name: 'Madrid', latitude: 40.4168, longitude: -3.7038 }, preview: false, clock24h: true,
});

function initialState() {
  return {
    loaded: false, hello: false, loadError: /** @type {string | null} */ (null), connected: false,
    settings: /** @type {Record<string, any>} */ ({ ...DEFAULT_SETTINGS }),
    alarms: /** @type {any[]} */ ([]),
    info: /** @type {any} */ (null),
    nav: { route: { page: 'loading', tab: /** @type {string | null} */ (null) }, history: /** @type {any[]} */ ([]) },
    arming: arming.initialArming(),
    entry: /** @type {import('./digits.js').Entry | null} */ (null),
    timer: idleTimer(),
    stopwatch: idleStopwatch(),
    ringing: /** @type {{ kind: 'alarm' | 'timer', since: number, text: string } | null} */ (null),
    rung: /** @type {ReadonlySet<string>} */ (new Set()),
    lastAlarmCheck: /** @type {number | null} */ (null),
    toasts: /** @type {{ id: number, text: string, kind: string, until: number }[]} */ ([]),
    lastSign: /** @type {{ label: string, at: number, ok: boolean } | null} */ (null),
    weather: { status: 'idle', data: /** @type {any} */ (null), error: '', loadedAt: 0, checkedAt: 0 },
    devices: { status: 'idle', data: /** @type {any} */ (null), error: '', loadedAt: 0 },
    wifi: { status: 'idle', net: /** @type {any} */ (null), networks: /** @type {any[]} */ ([]), error: '', connecting: '' },
    tutorial: { label: /** @type {string | null} */ (null), phase: 'idle', data: /** @type {any} */ (null), until: 0, error: '', tried: '' },
  };
}

/** @typedef {ReturnType<typeof initialState>} State */

/**
 * @param {{ sound: { start(): void, stop(): void }, now?: () => number }} deps
 */
export function createController({ sound, now = () => Date.now() }) {
  let state = initialState();
  let toastId = 0;
  let reportedArmed = false;
  /** @type {Set<() => void>} */
  const listeners = new Set();

  /** @param {Partial<State> | ((s: State) => Partial<State>)} patch */
  function set(patch) {
    state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
    for (const l of listeners) l();
  }

  /** @param {string} text @param {'ok' | 'error' | 'info'} [kind] */
  function toast(text, kind = 'info') {
    const item = { id: ++toastId, text, kind, until: now() + TOAST_MS };
    set((s) => ({ toasts: [...s.toasts, item].slice(-3) }));
    setTimeout(tick, TOAST_MS + 20);
  }

  /** @param {unknown} err */
  const message = (err) => (err instanceof Error ? err.message : String(err));

  /** @type {Context} */
  const ctx = {
    get state() {
      return state;
    },
    set, toast, now, applySettings,
  };
  const services = createServices(ctx);
  const tutorial = createTutorial(ctx);
  const { loadDevices, loadWeather, loadWifi, loadInfo } = services;

  // ---- loading ---------------------------------------------------------------------------
  async function load() {
    try {
      const body = await api.state();
      applySettings(body?.settings ?? {});
      set({ alarms: Array.isArray(body?.alarms) ? body.alarms : [], info: body?.info ?? null, loaded: true, loadError: null });
      leaveLoading();
    } catch (err) {
      set({ loadError: message(err) });
      setTimeout(() => void load(), 3000);
    }
  }

  function leaveLoading() {
    if (state.loaded && state.hello && state.nav.route.page === 'loading') goTo({ page: 'home', tab: null });
  }

  /** @param {Record<string, unknown>} settings */
  function applySettings(settings) {
    const merged = { ...state.settings, ...settings };
    setLanguage(String(merged.language));
    set({ settings: merged });
  }

  // ---- the /events stream ----------------------------------------------------------------
  /** @param {string} data one SSE `data:` payload */
  function onMessage(data) {
    const msg = classifyMessage(data);
    if (msg.kind === 'hello') {
      set({ hello: true, connected: true });
      leaveLoading();
    } else if (msg.kind === 'gesture') {
      void onSign(msg.label);
    } else if (msg.kind === 'mode') {
      const route = toRoute(msg.page);
      if (route && route.page !== 'loading' && state.nav.route.page !== 'loading') goTo(route);
    } else if (msg.kind === 'settings') {
      applySettings(msg.settings);
      // The info tab shows the sensitivity too: keep it current instead of waiting for its next load.
      if (state.info && typeof msg.settings.sensitivity === 'string') set({ info: { ...state.info, sensitivity: msg.settings.sensitivity } });
    } else if (msg.kind === 'alarms') {
      set({ alarms: msg.alarms });
    }
  }

  /** @param {boolean} connected */
  function setConnected(connected) {
    if (state.connected !== connected) set({ connected });
  }

  // ---- signs -----------------------------------------------------------------------------
  /** @param {string} label */
  async function onSign(label) {
    const at = now();
    if (state.nav.route.page === 'loading') return;
    if (state.ringing) {
      stopRinging();
      set({ lastSign: { label, at, ok: true } });
      return;
    }
    if (state.tutorial.phase === 'trying') {
      tutorial.checkTry(label);
      return;
    }
    if (!isLabel(label)) {
      rejectSign(label, at);
      return;
    }
    const gate = arming.gate(state.arming, label, at);
    if (gate === 'arm') {
      set({ arming: arming.arm(state.arming, at), lastSign: { label, at, ok: true } });
      reportMode();
      return;
    }
    if (gate === 'reject') {
      rejectSign(label, at);
      return;
    }
    const accepted = await perform(resolveSign(label, state.nav.route));
    if (accepted) set({ arming: arming.arm(state.arming, now()), lastSign: { label, at, ok: true } });
    else rejectSign(label, now());
  }

  /** @param {string} label @param {number} at */
  function rejectSign(label, at) {
    set({ arming: arming.reject(state.arming, at), lastSign: { label, at, ok: false } });
    setTimeout(tick, arming.REJECT_MS + 20);
  }

  /**
   * Carry out an armed sign's action; false when it means nothing here (red ring).
   * @param {import('./signs.js').SignAction} action
   * @returns {Promise<boolean>}
   */
  async function perform(action) {
    switch (action.type) {
      case 'navigate':
        goTo(action.route);
        return true;
      case 'back': {
        const previous = back(state.nav);
        if (!previous) return false;
        changeRoute(previous);
        return true;
      }
      case 'nextTab':
        goTo(nextTab(state.nav.route));
        return true;
      case 'startEntry':
        set({ entry: startEntry(action.kind) });
        return true;
      case 'entryDigit':
        return enterDigit(action.kind, action.digit);
      case 'toggleDevice':
        return services.toggleDeviceByIndex(action.index);
      case 'toggleLight':
        return services.toggleFirstLight();
      case 'stopwatch':
        set({ stopwatch: toggleStopwatch(state.stopwatch, now()) });
        return true;
      case 'setting':
        return services.cycleSetting(action.index);
      case 'connectWifi':
        return services.connectByIndex(action.index);
      case 'tutorialSign':
        void tutorial.selectTutorial(action.label);
        return true;
      case 'tutorialNext': {
        const i = state.tutorial.label ? LABELS.indexOf(state.tutorial.label) : -1;
        void tutorial.selectTutorial(/** @type {string} */ (LABELS[(i + 1) % LABELS.length]));
        return true;
      }
      default:
        return false;
    }
  }

  // ---- navigation ------------------------------------------------------------------------
  /** @param {{ page: string, tab: string | null }} to */
  function goTo(to) {
    const route = toRoute(to);
    if (!route) return;
    const nav = navigate(state.nav, route);
    if (nav === state.nav) {
      enter(route); // same page again: refresh it
      return;
    }
    changeRoute(nav);
  }

  /** @param {{ route: any, history: any[] }} nav */
  function changeRoute(nav) {
    const leaving = state.nav.route;
    set({ nav, entry: null });
    if (leaving.page === 'tutorial' && nav.route.page !== 'tutorial') tutorial.resetTutorial();
    if (!sameRoute(leaving, nav.route)) reportMode();
    enter(nav.route);
  }

  /** Fetch what a page shows as it opens. @param {{ page: string, tab: string | null }} route */
  function enter(route) {
    if (route.page === 'weather' || route.page === 'home') void loadWeather(route.page === 'weather');
    if (route.page === 'devices') void loadDevices();
    if (route.page === 'settings' && route.tab === 'wifi') void loadWifi();
    if (route.page === 'settings' && route.tab === 'info') void loadInfo();
  }

  function reportMode() {
    const armedNow = arming.isArmed(state.arming, now());
    reportedArmed = armedNow;
    void api.reportMode(state.nav.route.page, armedNow).catch(() => undefined);
  }

  // ---- clock: alarms, timer, stopwatch ---------------------------------------------------
  /** @param {'alarm' | 'timer'} kind @param {string} digit */
  function enterDigit(kind, digit) {
    const entry = state.entry && state.entry.kind === kind ? state.entry : startEntry(kind);
    const result = pushDigit(entry, digit);
    if (result.status === 'invalid') return false;
    if (result.status === 'more') {
      set({ entry: result.entry });
      return true;
    }
    set({ entry: null });
    if (kind === 'alarm' && result.time) void addAlarm(result.time);
    if (kind === 'timer' && result.seconds) {
      set({ timer: startTimer(result.seconds, now()) });
      toast(t('toast.timerStarted', { time: `${result.entry.digits.slice(0, 2)}:${result.entry.digits.slice(2)}` }), 'ok');
    }
    return true;
  }

  /** @param {string} time */
  async function addAlarm(time) {
    try {
      const alarm = await api.addAlarm(time);
      set((s) => ({ alarms: s.alarms.some((a) => a.id === alarm.id) ? s.alarms : sortAlarms([...s.alarms, alarm]) }));
      toast(t('toast.alarmSaved', { time }), 'ok');
    } catch (err) {
      toast(t('toast.alarmFailed', { error: message(err) }), 'error');
    }
  }

  /** @param {any} alarm */
  async function toggleAlarm(alarm) {
    try {
      const updated = await api.patchAlarm(alarm.id, { enabled: !alarm.enabled });
      set((s) => ({ alarms: s.alarms.map((a) => (a.id === alarm.id ? updated : a)) }));
    } catch (err) {
      toast(message(err), 'error');
    }
  }

  /** @param {any} alarm */
  async function deleteAlarm(alarm) {
    try {
      await api.deleteAlarm(alarm.id);
      set((s) => ({ alarms: s.alarms.filter((a) => a.id !== alarm.id) }));
      toast(t('toast.alarmDeleted', { time: alarm.time }), 'ok');
    } catch (err) {
      toast(message(err), 'error');
    }
  }

  /** @param {'alarm' | 'timer'} kind @param {string} text */
  function ring(kind, text) {
    set({ ringing: { kind, since: now(), text } });
    sound.start();
  }

  function stopRinging() {
    sound.stop();
    set({ ringing: null });
  }

  // ---- the tick: alarms, timer, armed window, expiries -----------------------------------
  function tick() {
    const nowMs = now();
    /** @type {Partial<State>} */
    const patch = {};
    if (state.alarms.length) {
      const due = dueAlarms(state.alarms, nowMs, state.lastAlarmCheck, state.rung);
      let rung = state.rung;
      for (const { key } of due) rung = markRung(rung, key);
      if (due.length) {
        patch.rung = rung;
        const first = /** @type {NonNullable<(typeof due)[0]>} */ (due[0]);
        if (!state.ringing) ring('alarm', first.alarm.label ? `${first.alarm.time} · ${first.alarm.label}` : first.alarm.time);
      }
    }
    patch.lastAlarmCheck = nowMs;
    if (timerDone(state.timer, nowMs)) {
      patch.timer = idleTimer();
      if (!state.ringing) ring('timer', t('ringing.timerDone'));
    }
    if (state.ringing && nowMs - state.ringing.since > RING_GIVE_UP_MS) stopRinging();
    if (state.toasts.some((x) => x.until <= nowMs)) patch.toasts = state.toasts.filter((x) => x.until > nowMs);
    tutorial.tick(nowMs);
    if (state.nav.route.page === 'home' || state.nav.route.page === 'weather') void loadWeather(false);
    set(patch);
    if (arming.isArmed(state.arming, nowMs) !== reportedArmed && state.nav.route.page !== 'loading') reportMode();
  }

  return {
    get state() {
      return state;
    },
    /** @param {() => void} listener */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    load, onMessage, setConnected, tick, onSign,
    tap: {
      go: (/** @type {string} */ page, /** @type {string | null} */ tab = null) => goTo({ page, tab }),
      back: () => {
        const previous = back(state.nav);
        if (previous) changeRoute(previous);
      },
      stopRinging,
      toggleAlarm, deleteAlarm,
      startEntry: (/** @type {'alarm' | 'timer'} */ kind) => set({ entry: startEntry(kind) }),
      digit: (/** @type {'alarm' | 'timer'} */ kind, /** @type {string} */ d) => {
        if (!enterDigit(kind, d)) rejectSign(d, now());
      },
      cancelEntry: () => set({ entry: null }),
      cancelTimer: () => set({ timer: idleTimer() }),
      stopwatch: () => set({ stopwatch: toggleStopwatch(state.stopwatch, now()) }),
      resetStopwatch: () => set({ stopwatch: idleStopwatch() }),
      toggleDevice: services.toggleDevice, reloadDevices: loadDevices,
      reloadWeather: () => loadWeather(true),
      updateSettings: services.updateSettings, reloadWifi: loadWifi, connectWifi: services.connectWifi,
      selectTutorial: tutorial.selectTutorial, startTry: tutorial.startTry,
    },
  };
}

/** @typedef {ReturnType<typeof createController>} Controller */

/**
 * What the feature modules (services.js, tutorial-flow.js) get from the controller.
 * @typedef {{ readonly state: State, set: (patch: Partial<State> | ((s: State) => Partial<State>)) => void,
 *   toast: (text: string, kind?: 'ok' | 'error' | 'info') => void, now: () => number,
 *   applySettings: (settings: Record<string, unknown>) => void }} Context
 */
