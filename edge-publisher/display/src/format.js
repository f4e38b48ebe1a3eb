// @ts-check
/** Clock and date text in the current language (Intl, no DOM). */
import { locale } from './i18n.js';

/** "07:30" / "7:30 AM". @param {Date} date @param {boolean} h24 @param {boolean} [seconds] */
export function formatTime(date, h24, seconds = false) {
  return new Intl.DateTimeFormat(locale(), {
    hour: h24 ? '2-digit' : 'numeric', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hour12: !h24,
  }).format(date);
}

/** An alarm's "HH:MM" shown in the chosen 12/24 h style. @param {string} hhmm @param {boolean} h24 */
export function formatAlarmTime(hhmm, h24) {
  if (h24) return hhmm;
  const [h, m] = hhmm.split(':').map(Number);
  return formatTime(new Date(2000, 0, 1, h ?? 0, m ?? 0), false);
}

/** "jueves, 26 de noviembre". @param {Date} date */
export function formatDate(date) {
  const text = new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long' }).format(date);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "jue" for a forecast day given as "2026-11-26" (read as a local date, not UTC). @param {string} isoDay */
export function formatWeekday(isoDay) {
  const [y, m, d] = isoDay.split('-').map(Number);
  const text = new Intl.DateTimeFormat(locale(), { weekday: 'short' }).format(new Date(y ?? 2000, (m ?? 1) - 1, d ?? 1));
  return text.charAt(0).toUpperCase() + text.slice(1).replace('.', '');
}

/** Rounded temperature with the degree sign. @param {number | null | undefined} value */
export function formatTemp(value) {
  return typeof value === 'number' && Number.isFinite(value) ? `${Math.round(value)}°` : '–';
}
