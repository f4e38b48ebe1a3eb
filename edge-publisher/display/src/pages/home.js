// @ts-check
/** Home: the big clock, date, a weather glance, the next alarm and big tiles to every page. */
import { html } from '../html.js';
import { t, inText, signName } from '../i18n.js';
import { formatAlarmTime, formatDate, formatTemp, formatTime } from '../format.js';
import { nextAlarm } from '../alarms.js';
import { weatherInfo } from '../wmo.js';
import { Icon } from '../components/icons.js';

const TILES = [
  { page: 'weather', icon: 'partly', title: 'page.weather', sign: 'Clima' },
  { page: 'clock', icon: 'clock', title: 'page.clock', sign: 'Reloj' },
  { page: 'devices', icon: 'bulb', title: 'page.devices', sign: 'Dispositivos' },
  { page: 'settings', icon: 'gear', title: 'page.settings', sign: 'Ajustes' },
  { page: 'tutorial', icon: 'hand', title: 'page.tutorial', sign: 'Tutorial' },
];

/** @param {{ c: import('../controller.js').Controller, now: number }} props */
export function HomePage({ c, now }) {
  const s = c.state;
  const date = new Date(now);
  const weather = s.weather.data?.current;
  const info = weather ? weatherInfo(weather.weatherCode, weather.isDay !== false) : null;
  const next = nextAlarm(s.alarms, now);
  return html`<main data-page="home" class="page page-home">
    <section class="home-hero">
      <div class="home-time">
        <div class="clock-big" data-testid="clock">${formatTime(date, s.settings.clock24h !== false)}</div>
        <div class="date">${formatDate(date)}</div>
      </div>
      <div class="home-glance">
        <button class="glance" onClick=${() => c.tap.go('weather')}>
          ${info ? html`<${Icon} name=${info.icon} class="glance-icon" />
            <span class="glance-main">${formatTemp(weather.temperature)}</span>
            <span class="glance-sub">${t(info.key)} · ${s.weather.data?.location?.name ?? ''}</span>`
          : html`<${Icon} name="cloud" class="glance-icon dim" /><span class="glance-sub">${s.weather.status === 'error' ? t('weather.offline') : t('common.loading')}</span>`}
        </button>
        <button class="glance" onClick=${() => c.tap.go('clock', 'alarm')}>
          <${Icon} name="bell" class="glance-icon" />
          ${next ? html`<span class="glance-main">${formatAlarmTime(next.alarm.time, s.settings.clock24h !== false)}</span>
            <span class="glance-sub">${t('home.nextAlarm')} · ${inText(next.at - now)}</span>`
          : html`<span class="glance-sub">${t('home.noAlarms')}</span>`}
        </button>
      </div>
    </section>
    <nav class="tiles">
      ${TILES.map((tile) => html`<button key=${tile.page} class="tile" onClick=${() => c.tap.go(tile.page)}>
        <${Icon} name=${tile.icon} class="tile-icon" />
        <span class="tile-title">${t(tile.title)}</span>
        <span class="tile-sign">${t('common.sign', { sign: signName(tile.sign) })}</span>
      </button>`)}
    </nav>
  </main>`;
}
