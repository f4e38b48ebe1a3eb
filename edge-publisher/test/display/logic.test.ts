/**
 * The display's DOM-free logic (edge-publisher/display/src), imported as the browser loads it:
 * plain ES modules. The browser-level behaviour (rendering, SSE, page.clock) has its own test.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLASS_LABELS } from '@helen/schemas';
import { LABELS, isDigit, isLabel } from '../../display/src/labels.js';
import { classifyMessage, gestureLabel } from '../../display/src/gesture.js';
import * as arming from '../../display/src/arming.js';
import { entryDisplay, pushDigit, startEntry, type Entry } from '../../display/src/digits.js';
import { back, navigate, nextTab, toRoute, HISTORY_LIMIT, type Route } from '../../display/src/routes.js';
import { resolveSign } from '../../display/src/signs.js';
import { CATCH_UP_MS, dueAlarms, markRung, minuteKey, minutesOfDay, nextAlarm, sortAlarms } from '../../display/src/alarms.js';
import * as clock from '../../display/src/timekeeping.js';
import { WMO_CODES, weatherInfo } from '../../display/src/wmo.js';
import { DICTIONARIES, ageText, setLanguage, signName, t } from '../../display/src/i18n.js';
import { createController } from '../../display/src/controller.js';

const route = (page: string, tab: string | null = null): Route => ({ page, tab });
/** A local wall-clock moment (the display works in local time, whatever the machine's zone). */
const at = (h: number, m: number, s = 0, day = 26) => new Date(2026, 10, day, h, m, s).getTime();

describe('labels', () => {
  it('are the model labels of @helen/schemas, in order', () => {
    expect([...LABELS]).toEqual([...CLASS_LABELS]);
  });

  it('tell signs and digits apart', () => {
    expect(isLabel('Reloj')).toBe(true);
    expect(isLabel('reloj')).toBe(false);
    expect(isLabel(3)).toBe(false);
    expect(isDigit('7')).toBe(true);
    expect(isDigit('Start')).toBe(false);
  });
});

describe('gesture label extraction', () => {
  it('reads the pipeline event, preferring character', () => {
    expect(gestureLabel({ gesture: 'Reloj', character: 'Reloj', score: 0.98 })).toBe('Reloj');
    expect(gestureLabel({ gesture: 'Clima', character: 'Reloj' })).toBe('Reloj');
  });

  it('reads a bare JSON string, raw text and each accepted field', () => {
    expect(gestureLabel('"Inicio"')).toBe('Inicio');
    expect(gestureLabel('Inicio')).toBe('Inicio');
    expect(gestureLabel(' Alarma ')).toBe('Alarma');
    expect(gestureLabel({ gesture: 'Foco' })).toBe('Foco');
    expect(gestureLabel({ key: 'Wifi' })).toBe('Wifi');
    expect(gestureLabel({ label: '7' })).toBe('7');
    expect(gestureLabel(JSON.stringify({ character: 'Agregar' }))).toBe('Agregar');
  });

  it('accepts a digit sent as a number', () => {
    expect(gestureLabel({ key: 4 })).toBe('4');
    expect(gestureLabel({ key: 42 })).toBeNull();
    expect(gestureLabel('7')).toBe('7');
    expect(gestureLabel(0)).toBe('0');
    expect(gestureLabel('12')).toBeNull();
  });

  it('keeps unknown labels (they earn a red ring) but ignores non-gestures', () => {
    expect(gestureLabel({ character: 'Saludo' })).toBe('Saludo');
    expect(gestureLabel({ type: 'hello', status: 'ok' })).toBeNull();
    expect(gestureLabel({ type: 'mode', page: 'clock' })).toBeNull();
    expect(gestureLabel({ score: 0.5 })).toBeNull();
    expect(gestureLabel(['Reloj'])).toBeNull();
    expect(gestureLabel(null)).toBeNull();
    expect(gestureLabel('""')).toBeNull();
    expect(gestureLabel({ character: '' })).toBeNull();
  });

  it('classifies stream messages', () => {
    expect(classifyMessage('{"type":"hello","status":"ok"}')).toEqual({ kind: 'hello' });
    expect(classifyMessage('{"type":"mode","page":"weather"}')).toEqual({ kind: 'mode', page: 'weather' });
    expect(classifyMessage('{"type":"settings","settings":{"language":"en"}}')).toEqual({ kind: 'settings', settings: { language: 'en' } });
    expect(classifyMessage('{"type":"alarms","alarms":[]}')).toEqual({ kind: 'alarms', alarms: [] });
    expect(classifyMessage('{"gesture":"Reloj","character":"Reloj","score":0.9}')).toEqual({ kind: 'gesture', label: 'Reloj' });
    expect(classifyMessage('"Start"')).toEqual({ kind: 'gesture', label: 'Start' });
    expect(classifyMessage('{"type":"mode"}')).toEqual({ kind: 'other' });
    expect(classifyMessage('{"type":"metrics","fps":30}')).toEqual({ kind: 'other' });
  });
});

describe('armed state machine', () => {
  const t0 = 1_000_000;

  it('starts not armed; Start arms for 6 s; expiry is by timestamp', () => {
    const s0 = arming.initialArming();
    expect(arming.isArmed(s0, t0)).toBe(false);
    expect(arming.gate(s0, 'Start', t0)).toBe('arm');
    const s1 = arming.arm(s0, t0);
    expect(arming.isArmed(s1, t0 + 5999)).toBe(true);
    expect(arming.remainingMs(s1, t0 + 1000)).toBe(5000);
    expect(arming.isArmed(s1, t0 + arming.ARM_WINDOW_MS)).toBe(false);
    expect(arming.remainingMs(s1, t0 + 9000)).toBe(0);
  });

  it('rejects any other sign while not armed, with a ~600 ms red ring', () => {
    const s0 = arming.initialArming();
    expect(arming.gate(s0, 'Reloj', t0)).toBe('reject');
    const s1 = arming.reject(s0, t0);
    expect(arming.isRejected(s1, t0 + 599)).toBe(true);
    expect(arming.isRejected(s1, t0 + arming.REJECT_MS)).toBe(false);
    expect(arming.isArmed(s1, t0)).toBe(false);
  });

  it('hands signs to the page while armed; an accepted sign restarts the 6 s', () => {
    const s1 = arming.arm(arming.initialArming(), t0);
    expect(arming.gate(s1, 'Reloj', t0 + 5000)).toBe('handle');
    const s2 = arming.arm(s1, t0 + 5000);
    expect(arming.isArmed(s2, t0 + 10_999)).toBe(true);
    expect(arming.gate(s2, 'Clima', t0 + 11_000)).toBe('reject');
  });

  it('a refused sign while armed flashes red without renewing the window', () => {
    const s1 = arming.arm(arming.initialArming(), t0);
    const s2 = arming.reject(s1, t0 + 3000);
    expect(arming.isArmed(s2, t0 + 3000)).toBe(true);
    expect(arming.isRejected(s2, t0 + 3000)).toBe(true);
    expect(arming.isArmed(s2, t0 + 6000)).toBe(false);
  });

  it('Start re-arms an armed display and clears a red ring', () => {
    const s1 = arming.reject(arming.arm(arming.initialArming(), t0), t0 + 100);
    expect(arming.gate(s1, 'Start', t0 + 200)).toBe('arm');
    const s2 = arming.arm(s1, t0 + 200);
    expect(arming.isRejected(s2, t0 + 300)).toBe(false);
    expect(arming.remainingMs(s2, t0 + 200)).toBe(6000);
  });

  it('says when the ring next changes', () => {
    const s = arming.reject(arming.arm(arming.initialArming(), t0), t0 + 1000);
    expect(arming.nextChangeAt(s, t0 + 1000)).toBe(t0 + 1600);
    expect(arming.nextChangeAt(s, t0 + 2000)).toBe(t0 + 6000);
    expect(arming.nextChangeAt(s, t0 + 7000)).toBeNull();
    expect(arming.isArmed(arming.disarm(s), t0 + 2000)).toBe(false);
  });
});

describe('digit entry', () => {
  const type = (entry: Entry, digits: string) => {
    let current = entry;
    let last: ReturnType<typeof pushDigit> = { status: 'more', entry };
    for (const d of digits) {
      last = pushDigit(current, d);
      current = last.entry;
    }
    return last;
  };

  it('makes an alarm from HHMM', () => {
    const entry = startEntry('alarm');
    expect(entryDisplay(entry)).toBe('––:––');
    const partial = type(entry, '073');
    expect(partial.status).toBe('more');
    expect(entryDisplay(partial.entry)).toBe('07:3–');
    expect(type(entry, '0730')).toMatchObject({ status: 'done', time: '07:30' });
    expect(type(entry, '2359')).toMatchObject({ status: 'done', time: '23:59' });
    expect(type(entry, '0000')).toMatchObject({ status: 'done', time: '00:00' });
  });

  it('refuses an impossible alarm digit at once, keeping what was typed', () => {
    expect(pushDigit(startEntry('alarm'), '3').status).toBe('invalid');
    const at2 = type(startEntry('alarm'), '2');
    expect(pushDigit(at2.entry, '4')).toEqual({ status: 'invalid', entry: at2.entry });
    expect(pushDigit(type(startEntry('alarm'), '12').entry, '6').status).toBe('invalid');
    expect(pushDigit(type(startEntry('alarm'), '19').entry, '5').status).toBe('more');
    expect(pushDigit(startEntry('alarm'), 'x').status).toBe('invalid');
  });

  it('makes a timer from MMSS in seconds, refusing 60+ seconds and 00:00', () => {
    expect(type(startEntry('timer'), '0130')).toMatchObject({ status: 'done', seconds: 90 });
    expect(type(startEntry('timer'), '9959')).toMatchObject({ status: 'done', seconds: 5999 });
    expect(pushDigit(type(startEntry('timer'), '01').entry, '6').status).toBe('invalid');
    expect(pushDigit(type(startEntry('timer'), '000').entry, '0').status).toBe('invalid');
    expect(pushDigit(type(startEntry('timer'), '000').entry, '5')).toMatchObject({ status: 'done', seconds: 5 });
  });

  it('takes no fifth digit', () => {
    const full = type(startEntry('alarm'), '0730').entry;
    expect(pushDigit(full, '1').status).toBe('invalid');
  });
});

describe('routes and history', () => {
  it('normalises pages and tabs', () => {
    expect(toRoute('clock')).toEqual(route('clock', 'alarm'));
    expect(toRoute('clock/timer')).toEqual(route('clock', 'timer'));
    expect(toRoute({ page: 'settings', tab: 'wifi' })).toEqual(route('settings', 'wifi'));
    expect(toRoute({ page: 'settings', tab: 'bogus' })).toEqual(route('settings', 'general'));
    expect(toRoute('weather/x')).toEqual(route('weather'));
    expect(toRoute('kitchen')).toBeNull();
  });

  it('goes back through the pages visited, skipping the loading screen and repeats', () => {
    let nav = { route: route('loading'), history: [] as Route[] };
    nav = navigate(nav, route('home'));
    expect(nav.history).toEqual([]);
    nav = navigate(nav, route('weather'));
    nav = navigate(nav, route('weather'));
    nav = navigate(nav, route('clock', 'alarm'));
    expect(nav.history).toEqual([route('home'), route('weather')]);
    const b1 = back(nav);
    expect(b1?.route).toEqual(route('weather'));
    const b2 = back(b1!);
    expect(b2?.route).toEqual(route('home'));
    expect(back(b2!)).toBeNull();
  });

  it('keeps a bounded history', () => {
    let nav = { route: route('home'), history: [] as Route[] };
    for (let i = 0; i < 50; i++) nav = navigate(nav, route(i % 2 ? 'home' : 'weather'));
    expect(nav.history).toHaveLength(HISTORY_LIMIT);
  });

  it('walks tabs round', () => {
    expect(nextTab(route('clock', 'alarm'))).toEqual(route('clock', 'timer'));
    expect(nextTab(route('clock', 'stopwatch'))).toEqual(route('clock', 'alarm'));
    expect(nextTab(route('settings', 'info'))).toEqual(route('settings', 'general'));
    expect(nextTab(route('home'))).toEqual(route('home'));
  });
});

describe('page/sign mapping (armed)', () => {
  it('navigates with the original signs from anywhere', () => {
    const home = route('home');
    expect(resolveSign('Clima', home)).toEqual({ type: 'navigate', route: route('weather') });
    expect(resolveSign('Ajustes', home)).toEqual({ type: 'navigate', route: route('settings', 'general') });
    expect(resolveSign('Inicio', route('weather'))).toEqual({ type: 'navigate', route: route('home') });
    expect(resolveSign('Dispositivos', home)).toEqual({ type: 'navigate', route: route('devices') });
    expect(resolveSign('Reloj', home)).toEqual({ type: 'navigate', route: route('clock', 'alarm') });
    expect(resolveSign('Wifi', home)).toEqual({ type: 'navigate', route: route('settings', 'wifi') });
    expect(resolveSign('Alarma', route('clock', 'timer'))).toEqual({ type: 'navigate', route: route('clock', 'alarm') });
    expect(resolveSign('Tutorial', home)).toEqual({ type: 'navigate', route: route('tutorial') });
    expect(resolveSign('Anterior', home)).toEqual({ type: 'back' });
  });

  it('gives Agregar its meaning per page', () => {
    expect(resolveSign('Agregar', route('clock', 'alarm'))).toEqual({ type: 'startEntry', kind: 'alarm' });
    expect(resolveSign('Agregar', route('clock', 'timer'))).toEqual({ type: 'startEntry', kind: 'timer' });
    expect(resolveSign('Agregar', route('clock', 'stopwatch'))).toEqual({ type: 'stopwatch' });
    expect(resolveSign('Agregar', route('devices'))).toEqual({ type: 'none' });
    expect(resolveSign('Agregar', route('home'))).toEqual({ type: 'none' });
    expect(resolveSign('Agregar', route('weather'))).toEqual({ type: 'none' });
  });

  it('gives digits their meaning per page', () => {
    expect(resolveSign('7', route('clock', 'alarm'))).toEqual({ type: 'entryDigit', kind: 'alarm', digit: '7' });
    expect(resolveSign('0', route('clock', 'timer'))).toEqual({ type: 'entryDigit', kind: 'timer', digit: '0' });
    expect(resolveSign('3', route('clock', 'stopwatch'))).toEqual({ type: 'none' });
    expect(resolveSign('2', route('devices'))).toEqual({ type: 'toggleDevice', index: 2 });
    expect(resolveSign('0', route('devices'))).toEqual({ type: 'none' });
    expect(resolveSign('5', route('home'))).toEqual({ type: 'none' });
    expect(resolveSign('3', route('settings', 'general'))).toEqual({ type: 'setting', index: 3 });
    expect(resolveSign('1', route('settings', 'wifi'))).toEqual({ type: 'connectWifi', index: 1 });
    expect(resolveSign('4', route('tutorial'))).toEqual({ type: 'tutorialSign', label: '4' });
  });

  it('Foco is the light sign everywhere; Reloj on the clock walks its tabs', () => {
    expect(resolveSign('Foco', route('devices'))).toEqual({ type: 'toggleLight' });
    expect(resolveSign('Foco', route('home'))).toEqual({ type: 'toggleLight' });
    expect(resolveSign('Reloj', route('clock', 'alarm'))).toEqual({ type: 'nextTab' });
  });

  it('unknown labels are unknown', () => {
    expect(resolveSign('Saludo', route('home'))).toEqual({ type: 'unknown' });
    expect(resolveSign('reloj', route('home'))).toEqual({ type: 'unknown' });
  });

  it('every label has a defined outcome on every page', () => {
    for (const page of ['home', 'clock', 'weather', 'devices', 'settings', 'tutorial']) {
      for (const label of LABELS) {
        if (label === 'Start') continue;
        expect(resolveSign(label, toRoute(page)!).type).not.toBe('unknown');
      }
    }
  });
});

describe('alarm scheduling', () => {
  const alarms = [
    { id: 'a', time: '07:30', enabled: true, label: '' },
    { id: 'b', time: '07:30', enabled: false, label: '' },
    { id: 'c', time: '22:00', enabled: true, label: 'bed' },
  ];

  it('parses 24 h times', () => {
    expect(minutesOfDay('07:30')).toBe(450);
    expect(minutesOfDay('23:59')).toBe(1439);
    expect(minutesOfDay('24:00')).toBeNull();
    expect(minutesOfDay('7:30')).toBeNull();
  });

  it('is due in its local minute, enabled only', () => {
    expect(dueAlarms(alarms, at(7, 29, 59), null, new Set())).toEqual([]);
    const due = dueAlarms(alarms, at(7, 30, 0), null, new Set());
    expect(due.map((d) => d.alarm.id)).toEqual(['a']);
    expect(dueAlarms(alarms, at(7, 30, 59), null, new Set())).toHaveLength(1);
    expect(dueAlarms(alarms, at(7, 31, 0), at(7, 31, 0) - 500, new Set())).toEqual([]);
  });

  it('rings once per minute: a stopped alarm does not start again in the same minute', () => {
    const [first] = dueAlarms(alarms, at(7, 30, 2), null, new Set());
    const rung = markRung(new Set<string>(), first!.key);
    expect(dueAlarms(alarms, at(7, 30, 40), at(7, 30, 39), rung)).toEqual([]);
    // Tomorrow at the same time it rings again.
    expect(dueAlarms(alarms, at(7, 30, 1, 27), null, rung)).toHaveLength(1);
    expect(first!.key).toBe(`a@${minuteKey(new Date(at(7, 30)))}`);
  });

  it('catches an alarm a late tick skipped, up to CATCH_UP_MS', () => {
    expect(dueAlarms(alarms, at(7, 31, 10), at(7, 29, 58), new Set()).map((d) => d.alarm.id)).toEqual(['a']);
    expect(dueAlarms(alarms, at(7, 30, 0) + CATCH_UP_MS + 60_000, at(7, 0), new Set())).toEqual([]);
    // A clock set backwards only looks at the current minute.
    expect(dueAlarms(alarms, at(7, 30, 5), at(9, 0), new Set())).toHaveLength(1);
  });

  it('bounds the rung memory', () => {
    let rung: ReadonlySet<string> = new Set<string>();
    for (let i = 0; i < 500; i++) rung = markRung(rung, `k${i}`);
    expect(rung.size).toBe(200);
    expect(rung.has('k499')).toBe(true);
    expect(rung.has('k0')).toBe(false);
  });

  it('finds the next alarm, wrapping to tomorrow', () => {
    expect(nextAlarm(alarms, at(6, 0))).toEqual({ alarm: alarms[0], at: at(7, 30) });
    expect(nextAlarm(alarms, at(7, 30))).toEqual({ alarm: alarms[2], at: at(22, 0) });
    expect(nextAlarm(alarms, at(23, 0))).toEqual({ alarm: alarms[0], at: at(7, 30, 0, 27) });
    expect(nextAlarm([alarms[1]!], at(6, 0))).toBeNull();
    expect(sortAlarms([alarms[2]!, alarms[0]!]).map((a) => a.id)).toEqual(['a', 'c']);
  });
});

describe('timer and stopwatch', () => {
  it('counts a timer down from timestamps and says when it is done', () => {
    const timer = clock.startTimer(90, 1000);
    expect(clock.timerRemainingMs(timer, 1000)).toBe(90_000);
    expect(clock.timerRemainingMs(timer, 61_000)).toBe(30_000);
    expect(clock.timerDone(timer, 90_999)).toBe(false);
    expect(clock.timerDone(timer, 91_000)).toBe(true);
    expect(clock.timerDone(clock.idleTimer(), 91_000)).toBe(false);
    expect(clock.formatDuration(clock.timerRemainingMs(timer, 1500), true)).toBe('01:30');
    expect(clock.formatDuration(400, true)).toBe('00:01');
  });

  it('runs a stopwatch across start/stop', () => {
    let sw = clock.toggleStopwatch(clock.idleStopwatch(), 0);
    expect(clock.stopwatchElapsedMs(sw, 1500)).toBe(1500);
    sw = clock.toggleStopwatch(sw, 2000);
    expect(clock.stopwatchElapsedMs(sw, 9999)).toBe(2000);
    sw = clock.toggleStopwatch(sw, 10_000);
    expect(clock.stopwatchElapsedMs(sw, 10_500)).toBe(2500);
    expect(clock.formatStopwatch(62_345)).toBe('01:02.3');
    expect(clock.formatDuration(3_725_000)).toBe('1:02:05');
  });
});

describe('WMO weather codes', () => {
  it('maps codes to icons and texts, day and night', () => {
    expect(weatherInfo(0)).toEqual({ icon: 'clear', key: 'wmo.clear' });
    expect(weatherInfo(0, false).icon).toBe('clear-night');
    expect(weatherInfo(2, false).icon).toBe('partly-night');
    expect(weatherInfo(61).icon).toBe('rain');
    expect(weatherInfo(75).icon).toBe('snow');
    expect(weatherInfo(95, false).icon).toBe('storm');
    expect(weatherInfo(42)).toEqual({ icon: 'cloud', key: 'wmo.unknown' });
    expect(weatherInfo(undefined).key).toBe('wmo.unknown');
  });

  it('has a text for every code in both languages', () => {
    for (const { key } of [...Object.values(WMO_CODES), weatherInfo(null)]) {
      expect(DICTIONARIES.es?.[key], key).toBeTypeOf('string');
      expect(DICTIONARIES.en?.[key], key).toBeTypeOf('string');
    }
  });
});

describe('i18n', () => {
  it('has the same keys in Spanish and English', () => {
    expect(Object.keys(DICTIONARIES.en ?? {}).sort()).toEqual(Object.keys(DICTIONARIES.es ?? {}).sort());
  });

  it('speaks Spanish by default, English on request, and fills placeholders', () => {
    setLanguage('xx');
    expect(t('toast.alarmSaved', { time: '07:30' })).toBe('Alarma 07:30 guardada');
    expect(signName('Clima')).toBe('Clima');
    expect(ageText(300)).toBe('hace 5 min');
    setLanguage('en');
    expect(t('toast.alarmSaved', { time: '07:30' })).toBe('Alarm 07:30 saved');
    expect(signName('Clima')).toBe('Weather');
    expect(signName('3')).toBe('3');
    expect(t('no.such.key')).toBe('no.such.key');
    setLanguage('es');
  });

  it('names every sign in both languages', () => {
    for (const lang of ['es', 'en']) {
      for (const label of LABELS) {
        if (isDigit(label)) continue;
        expect(DICTIONARIES[lang]?.[`sign.${label}`], `${lang} ${label}`).toBeTypeOf('string');
      }
    }
  });
});

describe('controller (signs end to end, fetch faked)', () => {
  type Handler = (body: unknown) => [number, unknown?];
  const start = at(7, 29, 0);

  async function boot(routes: Record<string, Handler> = {}, alarms: unknown[] = []) {
    const calls: { method: string; path: string; body: unknown }[] = [];
    const table: Record<string, Handler> = {
      'GET /api/display/state': () => [200, { settings: { language: 'es' }, alarms, info: {} }],
      'POST /mode/report': () => [200, { ok: true }],
      'GET /api/weather': () => [503, { error: 'offline', configured: true }],
      ...routes,
    };
    vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
      const method = init.method ?? 'GET';
      const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
      calls.push({ method, path, body });
      const [status, answer] = table[`${method} ${path}`]?.(body) ?? [404, { error: `no route ${path}` }];
      return new Response(answer === undefined ? null : JSON.stringify(answer), { status });
    });
    let clock = start;
    const sound = { started: 0, stopped: 0, start() { this.started++; }, stop() { this.stopped++; } };
    const c = createController({ sound, now: () => clock });
    await c.load();
    expect(c.state.nav.route.page).toBe('loading');
    c.onMessage('{"type":"hello","status":"ok"}');
    expect(c.state.nav.route.page).toBe('home');
    const signs = async (...labels: string[]) => {
      for (const label of labels) await c.onSign(label);
      await flush();
    };
    return { c, calls, sound, signs, advance: (ms: number) => { clock += ms; }, now: () => clock };
  }
  const flush = () => new Promise((r) => setImmediate(r));

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    setLanguage('es');
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('refuses signs until Start, then acts and keeps the window open while signs come', async () => {
    const h = await boot();
    await h.signs('Reloj');
    expect(h.c.state.nav.route.page).toBe('home');
    expect(arming.isRejected(h.c.state.arming, h.now())).toBe(true);
    await h.signs('Start');
    h.advance(5000);
    await h.signs('Reloj');
    expect(h.c.state.nav.route).toEqual(route('clock', 'alarm'));
    h.advance(5000);
    expect(arming.isArmed(h.c.state.arming, h.now())).toBe(true);
    h.advance(1001);
    await h.signs('Clima');
    expect(h.c.state.nav.route.page).toBe('clock');
    expect(h.calls.filter((x) => x.path === '/mode/report').at(-1)?.body).toEqual({ page: 'clock', armed: true });
  });

  it('keeps the info tab\'s sensitivity current when the settings change', async () => {
    const h = await boot();
    h.c.onMessage(JSON.stringify({ type: 'settings', settings: { language: 'es', sensitivity: 'strict' } }));
    expect(h.c.state.info).toMatchObject({ sensitivity: 'strict' });
  });

  it('enters an alarm by digits and saves it', async () => {
    const h = await boot({ 'POST /api/alarms': (b) => [201, { id: 'x1', enabled: true, label: '', ...(b as object) }] });
    await h.signs('Start', 'Alarma', 'Agregar', '0', '7');
    expect(h.c.state.entry).toEqual({ kind: 'alarm', digits: '07' });
    await h.signs('9');
    expect(arming.isRejected(h.c.state.arming, h.now())).toBe(true);
    expect(h.c.state.entry?.digits).toBe('07');
    await h.signs('3', '0');
    expect(h.calls.find((x) => x.path === '/api/alarms')?.body).toEqual({ time: '07:30', label: '' });
    expect(h.c.state.entry).toBeNull();
    expect(h.c.state.alarms).toEqual([{ id: 'x1', time: '07:30', enabled: true, label: '' }]);
    expect(h.c.state.toasts.map((x) => x.text)).toContain('Alarma 07:30 guardada');
  });

  it('rings an alarm in its minute, stops on any sign without acting on it, and not again that minute', async () => {
    const h = await boot({}, [{ id: 'a', time: '07:30', enabled: true, label: '' }]);
    h.c.tick();
    expect(h.c.state.ringing).toBeNull();
    h.advance(60_000);
    h.c.tick();
    expect(h.c.state.ringing?.kind).toBe('alarm');
    expect(h.sound.started).toBe(1);
    await h.signs('Clima');
    expect(h.c.state.ringing).toBeNull();
    expect(h.sound.stopped).toBe(1);
    expect(h.c.state.nav.route.page).toBe('home');
    h.advance(20_000);
    h.c.tick();
    expect(h.c.state.ringing).toBeNull();
  });

  it('runs a timer entered as MMSS and rings at zero', async () => {
    const h = await boot();
    await h.signs('Start', 'Reloj', 'Reloj');
    expect(h.c.state.nav.route).toEqual(route('clock', 'timer'));
    await h.signs('0', '0', '0', '3');
    h.advance(2999);
    h.c.tick();
    expect(h.c.state.ringing).toBeNull();
    h.advance(1);
    h.c.tick();
    expect(h.c.state.ringing?.kind).toBe('timer');
  });

  it('toggles devices by number and the first light with Foco; red ring when there is none', async () => {
    const devices = [
      { index: 1, entityId: 'switch.kettle', name: 'Kettle', domain: 'switch', state: 'off' },
      { index: 2, entityId: 'light.kitchen', name: 'Kitchen', domain: 'light', state: 'off' },
    ];
    const h = await boot({
      'GET /api/devices': () => [200, { configured: true, devices }],
      'POST /api/devices/switch.kettle/toggle': () => [200, { ...devices[0], state: 'on' }],
      'POST /api/devices/light.kitchen/toggle': () => [200, { ...devices[1], state: 'on' }],
    });
    await h.signs('Start', 'Dispositivos', '1');
    expect(h.c.state.devices.data.devices[0].state).toBe('on');
    expect(h.c.state.toasts.map((x) => x.text)).toContain('Kettle: encendido');
    await h.signs('Foco');
    expect(h.calls.some((x) => x.path === '/api/devices/light.kitchen/toggle')).toBe(true);
    await h.signs('7');
    expect(arming.isRejected(h.c.state.arming, h.now())).toBe(true);

    const none = await boot({ 'GET /api/devices': () => [200, { configured: false }] });
    await none.signs('Start', 'Foco');
    expect(arming.isRejected(none.c.state.arming, none.now())).toBe(true);
  });

  it('goes back with Anterior, and refuses it with nowhere to go', async () => {
    const h = await boot();
    await h.signs('Start', 'Anterior');
    expect(arming.isRejected(h.c.state.arming, h.now())).toBe(true);
    await h.signs('Clima', 'Wifi', 'Anterior');
    expect(h.c.state.nav.route.page).toBe('weather');
    await h.signs('Anterior');
    expect(h.c.state.nav.route.page).toBe('home');
  });

  it('lets the tutorial consume the try, armed or not', async () => {
    const frames = [{ hands: [] }];
    const h = await boot({ 'GET /api/tutorial/Reloj': () => [200, { label: 'Reloj', fps: 30, frames }] });
    await h.signs('Start', 'Tutorial');
    await h.c.tap.selectTutorial('Reloj');
    await flush();
    expect(h.c.state.tutorial.phase).toBe('demo');
    h.advance(10_000);
    h.c.tick();
    expect(h.c.state.tutorial.phase).toBe('trying');
    await h.signs('Clima');
    expect(h.c.state.tutorial.phase).toBe('wrong');
    expect(h.c.state.nav.route.page).toBe('tutorial');
    expect(arming.isRejected(h.c.state.arming, h.now())).toBe(false);
    h.c.tap.startTry();
    await h.signs('Reloj');
    expect(h.c.state.tutorial.phase).toBe('correct');
    expect(h.c.state.nav.route.page).toBe('tutorial');
  });

  it('follows mode, settings and alarms messages from the stream', async () => {
    const h = await boot();
    h.c.onMessage('{"type":"mode","page":"weather"}');
    expect(h.c.state.nav.route.page).toBe('weather');
    h.c.onMessage('{"type":"settings","settings":{"language":"en"}}');
    expect(t('page.weather')).toBe('Weather');
    h.c.onMessage('{"type":"alarms","alarms":[{"id":"z","time":"06:00","enabled":true}]}');
    expect(h.c.state.alarms).toHaveLength(1);
    h.c.onMessage('"Saludo"');
    await flush();
    expect(arming.isRejected(h.c.state.arming, h.now())).toBe(true);
  });
});
