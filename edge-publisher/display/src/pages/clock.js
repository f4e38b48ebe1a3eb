// @ts-check
/** Clock: time and date, and three tabs: alarms (list, next, HHMM entry), timer (MMSS), stopwatch. */
import { html } from '../html.js';
import { inText, signName, t } from '../i18n.js';
import { formatAlarmTime, formatDate, formatTime } from '../format.js';
import { nextAlarm, sortAlarms } from '../alarms.js';
import { entryDisplay } from '../digits.js';
import { formatDuration, formatStopwatch, stopwatchElapsedMs, timerRemainingMs } from '../timekeeping.js';
import { TABS } from '../routes.js';
import { Keypad } from './keypad.js';

const TAB_KEYS = { alarm: 'clock.alarms', timer: 'clock.timer', stopwatch: 'clock.stopwatch' };

/** @param {{ c: import('../controller.js').Controller, now: number }} props */
export function ClockPage({ c, now }) {
  const s = c.state;
  const tab = s.nav.route.tab ?? 'alarm';
  const h24 = s.settings.clock24h !== false;
  return html`<main data-page="clock" data-tab=${tab} class="page page-split">
    <section class="split-left">
      <div class="clock-mid">${formatTime(new Date(now), h24)}<span class="seconds">${String(new Date(now).getSeconds()).padStart(2, '0')}</span></div>
      <div class="date">${formatDate(new Date(now))}</div>
      <p class="hint">${t('clock.hintTabs', { reloj: signName('Reloj'), agregar: signName('Agregar') })}</p>
    </section>
    <section class="split-right">
      <div class="tabs" role="tablist">
        ${TABS.clock.map((id) => html`<button key=${id} role="tab" aria-selected=${id === tab} class=${id === tab ? 'tab active' : 'tab'}
          onClick=${() => c.tap.go('clock', id)}>${t(/** @type {Record<string, string>} */ (TAB_KEYS)[id] ?? id)}</button>`)}
      </div>
      <div class="panel">
        ${tab === 'alarm' ? html`<${AlarmTab} c=${c} now=${now} h24=${h24} />`
        : tab === 'timer' ? html`<${TimerTab} c=${c} now=${now} />`
        : html`<${StopwatchTab} c=${c} now=${now} />`}
      </div>
    </section>
  </main>`;
}

/**
 * Digits being entered (alarm HHMM or timer MMSS), by sign or by the keypad.
 * @param {{ c: import('../controller.js').Controller, kind: 'alarm' | 'timer', title: string, hint: string }} props
 */
function EntryPanel({ c, kind, title, hint }) {
  return html`<div class="entry">
    <div class="entry-title">${title}</div>
    <div class="entry-digits" data-testid="entry">${entryDisplay(c.state.entry)}</div>
    <div class="hint">${hint}</div>
    <${Keypad} onDigit=${(/** @type {string} */ d) => c.tap.digit(kind, d)} onCancel=${c.tap.cancelEntry} />
  </div>`;
}

/** @param {{ c: import('../controller.js').Controller, now: number, h24: boolean }} props */
function AlarmTab({ c, now, h24 }) {
  const s = c.state;
  if (s.entry?.kind === 'alarm') return html`<${EntryPanel} c=${c} kind="alarm" title=${t('clock.newAlarm')} hint=${t('clock.alarmEntryHint')} />`;
  const next = nextAlarm(s.alarms, now);
  return html`<div class="alarm-tab">
    <div class="row-between">
      <div class="next-alarm">${next ? t('clock.nextAlarm', { time: formatAlarmTime(next.alarm.time, h24), in: inText(next.at - now) }) : t('home.noAlarms')}</div>
      <button class="btn" onClick=${() => c.tap.startEntry('alarm')}>+ ${t('clock.add')}</button>
    </div>
    <ul class="alarm-list">
      ${sortAlarms(s.alarms).map((a) => html`<li key=${a.id} class=${a.enabled ? 'alarm on' : 'alarm off'} data-alarm=${a.time}>
        <button class="alarm-time" onClick=${() => c.tap.toggleAlarm(a)} aria-pressed=${a.enabled}>${formatAlarmTime(a.time, h24)}</button>
        <span class="alarm-label">${a.label || ''}</span>
        <button class=${a.enabled ? 'switch on' : 'switch'} onClick=${() => c.tap.toggleAlarm(a)} aria-label=${t('clock.toggleAlarm')}><span></span></button>
        <button class="icon-btn" onClick=${() => c.tap.deleteAlarm(a)} aria-label=${t('clock.deleteAlarm')}>×</button>
      </li>`)}
    </ul>
    ${!s.alarms.length && html`<p class="hint">${t('clock.alarmHowTo', { alarma: signName('Alarma'), agregar: signName('Agregar') })}</p>`}
  </div>`;
}

/** @param {{ c: import('../controller.js').Controller, now: number }} props */
function TimerTab({ c, now }) {
  const s = c.state;
  if (s.entry?.kind === 'timer') return html`<${EntryPanel} c=${c} kind="timer" title=${t('clock.newTimer')} hint=${t('clock.timerEntryHint')} />`;
  const running = s.timer.endsAt !== null;
  const left = timerRemainingMs(s.timer, now);
  const fraction = running && s.timer.durationMs ? left / s.timer.durationMs : 0;
  return html`<div class="big-readout">
    <div class="readout" data-testid="timer">${formatDuration(left, true)}</div>
    <div class="progress"><span style=${`width:${(fraction * 100).toFixed(1)}%`}></span></div>
    <div class="row-center">
      <button class="btn" onClick=${() => c.tap.startEntry('timer')}>+ ${t('clock.setTimer')}</button>
      ${running && html`<button class="btn btn-quiet" onClick=${c.tap.cancelTimer}>${t('common.cancel')}</button>`}
    </div>
    <p class="hint">${t('clock.timerHowTo', { agregar: signName('Agregar') })}</p>
  </div>`;
}

/** @param {{ c: import('../controller.js').Controller, now: number }} props */
function StopwatchTab({ c, now }) {
  const s = c.state;
  const running = s.stopwatch.startedAt !== null;
  return html`<div class="big-readout">
    <div class="readout" data-testid="stopwatch">${formatStopwatch(stopwatchElapsedMs(s.stopwatch, now))}</div>
    <div class="row-center">
      <button class="btn" onClick=${c.tap.stopwatch}>${running ? t('clock.stop') : t('clock.start')}</button>
      <button class="btn btn-quiet" onClick=${c.tap.resetStopwatch} disabled=${running}>${t('clock.reset')}</button>
    </div>
    <p class="hint">${t('clock.stopwatchHowTo', { agregar: signName('Agregar') })}</p>
  </div>`;
}
