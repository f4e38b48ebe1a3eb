// @ts-check
/**
 * Every visible string goes through t(key, params). Spanish is the default (the original Helen's
 * language); a key missing from the chosen language falls back to Spanish, then to the key itself,
 * so a forgotten translation shows up as text instead of a blank.
 */
import es from '../i18n/es.js';
import en from '../i18n/en.js';

/** @type {Record<string, Record<string, string>>} */
export const DICTIONARIES = { es, en };
export const LANGUAGES = Object.freeze(['es', 'en']);
const LOCALES = { es: 'es-ES', en: 'en-GB' };

let current = 'es';

/** @param {string} lang */
export function setLanguage(lang) {
  current = LANGUAGES.includes(lang) ? lang : 'es';
}

export function getLanguage() {
  return current;
}

/** The BCP 47 locale for dates and numbers. */
export function locale() {
  return /** @type {Record<string, string>} */ (LOCALES)[current] ?? 'es-ES';
}

/**
 * @param {string} key
 * @param {Record<string, string | number>} [params] replaces `{name}` placeholders
 */
export function t(key, params) {
  const text = DICTIONARIES[current]?.[key] ?? DICTIONARIES.es?.[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A sign's name in the current language (the label itself is the model's Spanish word). @param {string} label */
export function signName(label) {
  return /^[0-9]$/.test(label) ? label : t(`sign.${label}`);
}

/** "hace 5 min" / "5 min ago" for an age in seconds. @param {number} seconds */
export function ageText(seconds) {
  if (seconds < 60) return t('age.now');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('age.minutes', { n: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return t('age.hours', { n: hours });
  return t('age.days', { n: Math.round(hours / 24) });
}

/** "en 8 h 12 min" until a moment. @param {number} ms */
export function inText(ms) {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? t('in.hoursMinutes', { h, m }) : t('in.minutes', { m });
}

/** t(key) when the key exists, else `fallback` (e.g. a state word Home Assistant or nmcli invented). @param {string} key @param {string} fallback */
export function tOr(key, fallback) {
  return key in (DICTIONARIES[current] ?? {}) || key in (DICTIONARIES.es ?? {}) ? t(key) : fallback;
}

/** A device state ("on" → "encendido"), or the state as Home Assistant wrote it when unknown. @param {unknown} state */
export function stateName(state) {
  return tOr(`state.${String(state)}`, String(state ?? ''));
}
