// @ts-check
/** Weather: now, the next days, where, how old the data is, and a clear offline/stale badge. */
import { html } from '../html.js';
import { ageText, t } from '../i18n.js';
import { formatTemp, formatWeekday } from '../format.js';
import { weatherInfo } from '../wmo.js';
import { Icon } from '../components/icons.js';

/** @param {{ c: import('../controller.js').Controller, now: number }} props */
export function WeatherPage({ c, now }) {
  const w = c.state.weather;
  const data = w.data;
  if (!data) {
    return html`<main data-page="weather" class="page page-center">
      ${w.status === 'error'
        ? html`<${Icon} name="cloud" class="huge-icon dim" />
          <h2>${t('weather.unavailable')}</h2><p class="error-text">${w.error}</p>
          <button class="btn" onClick=${c.tap.reloadWeather}>${t('common.retry')}</button>`
        : html`<div class="spinner"></div><p class="muted">${t('common.loading')}</p>`}
    </main>`;
  }
  if (data.configured === false) {
    return html`<main data-page="weather" class="page page-center"><h2>${t('weather.notConfigured')}</h2></main>`;
  }
  const current = data.current ?? {};
  const info = weatherInfo(current.weatherCode, current.isDay !== false);
  // The backend's ageS is the age when it answered; add the time since, so the text keeps moving.
  const ageS = (data.ageS ?? 0) + Math.max(0, (now - w.loadedAt) / 1000);
  const offline = data.stale || w.status === 'error';
  return html`<main data-page="weather" class="page page-weather">
    <header class="weather-head">
      <div class="place">${data.location?.name ?? ''}</div>
      <div class=${offline ? 'badge badge-warn' : 'badge'} data-testid="weather-age">
        ${offline ? t('weather.stale', { age: ageText(ageS) }) : t('weather.updated', { age: ageText(ageS) })}
      </div>
    </header>
    <section class="weather-now">
      <${Icon} name=${info.icon} class="huge-icon" />
      <div>
        <div class="temp-big">${formatTemp(current.temperature)}</div>
        <div class="weather-text">${t(info.key)}</div>
        <div class="muted"><${Icon} name="wind" class="inline-icon" /> ${typeof current.windSpeed === 'number' ? t('weather.wind', { speed: Math.round(current.windSpeed) }) : ''}</div>
      </div>
    </section>
    <section class="days">
      ${(data.daily ?? []).slice(0, 4).map((/** @type {any} */ d) => {
        const di = weatherInfo(d.weatherCode, true);
        return html`<div key=${d.date} class="day">
          <div class="day-name">${formatWeekday(d.date)}</div>
          <${Icon} name=${di.icon} class="day-icon" />
          <div class="day-temps"><strong>${formatTemp(d.max)}</strong> <span class="muted">${formatTemp(d.min)}</span></div>
          ${typeof d.precipitationProbability === 'number' && html`<div class="muted small">${t('weather.rainChance', { p: d.precipitationProbability })}</div>`}
        </div>`;
      })}
    </section>
  </main>`;
}
