// @ts-check
/**
 * Pages, their tabs and the back stack. A route is `{ page, tab }`; `tab` is null on pages
 * without tabs. Pure: the app keeps the stack in its state.
 */

export const PAGES = Object.freeze(['loading', 'home', 'clock', 'weather', 'devices', 'settings', 'tutorial']);
export const TABS = Object.freeze({
  clock: Object.freeze(['alarm', 'timer', 'stopwatch']),
  settings: Object.freeze(['general', 'wifi', 'help', 'info']),
});
export const HISTORY_LIMIT = 20;

/** @typedef {{ page: string, tab: string | null }} Route */

/**
 * A valid route from a page id, `page/tab` text or a partial route; null when the page is unknown.
 * @param {string | { page: string, tab?: string | null }} input
 * @returns {Route | null}
 */
export function toRoute(input) {
  const [page, tab] = typeof input === 'string' ? input.split('/') : [input.page, input.tab ?? undefined];
  if (!page || !PAGES.includes(page)) return null;
  const tabs = /** @type {Record<string, readonly string[]>} */ (TABS)[page];
  if (!tabs) return { page, tab: null };
  return { page, tab: tab && tabs.includes(tab) ? tab : /** @type {string} */ (tabs[0]) };
}

/** @param {Route} a @param {Route} b */
export function sameRoute(a, b) {
  return a.page === b.page && a.tab === b.tab;
}

/** The tab after `route.tab`, wrapping around (same route when the page has no tabs). @param {Route} route @returns {Route} */
export function nextTab(route) {
  const tabs = /** @type {Record<string, readonly string[]>} */ (TABS)[route.page];
  if (!tabs) return route;
  const i = tabs.indexOf(route.tab ?? '');
  return { page: route.page, tab: /** @type {string} */ (tabs[(i + 1) % tabs.length]) };
}

/**
 * Go to `to`, remembering where we were (not the loading screen, not a repeat).
 * @param {{ route: Route, history: Route[] }} nav @param {Route} to
 * @returns {{ route: Route, history: Route[] }}
 */
export function navigate(nav, to) {
  if (sameRoute(nav.route, to)) return nav;
  const history = nav.route.page === 'loading' ? nav.history : [...nav.history, nav.route].slice(-HISTORY_LIMIT);
  return { route: to, history };
}

/**
 * `Anterior`: the previous route, or null when there is none (then the sign is refused).
 * @param {{ route: Route, history: Route[] }} nav
 * @returns {{ route: Route, history: Route[] } | null}
 */
export function back(nav) {
  const previous = nav.history[nav.history.length - 1];
  if (!previous) return null;
  return { route: previous, history: nav.history.slice(0, -1) };
}
