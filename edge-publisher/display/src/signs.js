// @ts-check
/**
 * What an armed sign does on the current page: one table for the navigation signs (the original
 * Helen's), plus the page-specific meanings of digits, `Agregar`, `Foco` and `Reloj`. Returns a
 * plain action for the app to carry out; `{ type: 'none' }` means "nothing here" (red ring).
 */
import { isDigit, isLabel } from './labels.js';

/** Navigation signs and where they lead (page, tab). */
export const NAVIGATION = Object.freeze({
  Inicio: { page: 'home', tab: null },
  Clima: { page: 'weather', tab: null },
  Reloj: { page: 'clock', tab: 'alarm' },
  Alarma: { page: 'clock', tab: 'alarm' },
  Dispositivos: { page: 'devices', tab: null },
  Ajustes: { page: 'settings', tab: 'general' },
  Wifi: { page: 'settings', tab: 'wifi' },
  Tutorial: { page: 'tutorial', tab: null },
});

/**
 * @typedef {{ type: 'navigate', route: { page: string, tab: string | null } } | { type: 'back' }
 *   | { type: 'nextTab' } | { type: 'startEntry', kind: 'alarm' | 'timer' }
 *   | { type: 'entryDigit', kind: 'alarm' | 'timer', digit: string } | { type: 'toggleDevice', index: number }
 *   | { type: 'toggleLight' } | { type: 'stopwatch' } | { type: 'setting', index: number }
 *   | { type: 'connectWifi', index: number } | { type: 'tutorialSign', label: string } | { type: 'tutorialNext' }
 *   | { type: 'none' } | { type: 'unknown' }} SignAction
 */

/**
 * @param {string} label the sign (already past the armed gate; `Start` is handled there)
 * @param {{ page: string, tab: string | null }} route
 * @returns {SignAction}
 */
export function resolveSign(label, route) {
  if (!isLabel(label)) return { type: 'unknown' };
  if (label === 'Anterior') return { type: 'back' };
  // Foco is the original's light sign: it works from any page.
  if (label === 'Foco') return { type: 'toggleLight' };
  // Reloj on the clock page walks its tabs (alarm → timer → stopwatch).
  if (label === 'Reloj' && route.page === 'clock') return { type: 'nextTab' };
  const to = /** @type {Record<string, { page: string, tab: string | null }>} */ (NAVIGATION)[label];
  if (to) return { type: 'navigate', route: { ...to } };
  if (label === 'Agregar') return agregar(route);
  if (isDigit(label)) return digit(label, route);
  return { type: 'none' };
}

/** @param {{ page: string, tab: string | null }} route @returns {SignAction} */
function agregar(route) {
  if (route.page === 'clock' && route.tab === 'alarm') return { type: 'startEntry', kind: 'alarm' };
  if (route.page === 'clock' && route.tab === 'timer') return { type: 'startEntry', kind: 'timer' };
  if (route.page === 'clock' && route.tab === 'stopwatch') return { type: 'stopwatch' };
  if (route.page === 'settings') return { type: 'nextTab' };
  if (route.page === 'tutorial') return { type: 'tutorialNext' };
  return { type: 'none' };
}

/** @param {string} d @param {{ page: string, tab: string | null }} route @returns {SignAction} */
function digit(d, route) {
  const n = Number(d);
  if (route.page === 'clock' && (route.tab === 'alarm' || route.tab === 'timer')) return { type: 'entryDigit', kind: route.tab, digit: d };
  if (route.page === 'devices' && n > 0) return { type: 'toggleDevice', index: n };
  if (route.page === 'settings' && route.tab === 'general' && n > 0) return { type: 'setting', index: n };
  if (route.page === 'settings' && route.tab === 'wifi' && n > 0) return { type: 'connectWifi', index: n };
  if (route.page === 'tutorial') return { type: 'tutorialSign', label: d };
  return { type: 'none' };
}
