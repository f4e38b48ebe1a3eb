// @ts-check
/** The whole screen for one state: top bar, the current page, ring, toasts, preview, ringing notice. */
import { html } from './html.js';
import { Header } from './components/header.js';
import { Ring } from './components/ring.js';
import { Toasts } from './components/toast.js';
import { Loading } from './components/loading.js';
import { Preview } from './components/preview.js';
import { RingingNotice } from './components/ringing.js';
import { HomePage } from './pages/home.js';
import { ClockPage } from './pages/clock.js';
import { WeatherPage } from './pages/weather.js';
import { DevicesPage } from './pages/devices.js';
import { SettingsPage } from './pages/settings.js';
import { TutorialPage } from './pages/tutorial.js';

const PAGES = { home: HomePage, clock: ClockPage, weather: WeatherPage, devices: DevicesPage, settings: SettingsPage, tutorial: TutorialPage };

/** @param {{ c: import('./controller.js').Controller, now: number }} props */
export function Shell({ c, now }) {
  const s = c.state;
  const page = s.nav.route.page;
  const Page = /** @type {Record<string, any>} */ (PAGES)[page];
  return html`<div class="app">
    ${Page ? html`<${Header} c=${c} now=${now} /><${Page} c=${c} now=${now} />`
      : html`<${Loading} loaded=${s.loaded} hello=${s.hello} error=${s.loadError} />`}
    ${s.settings.preview && page !== 'loading' && html`<${Preview} side=${s.settings.handedness === 'left' ? 'left' : 'right'} />`}
    <${Ring} arming=${s.arming} now=${now} />
    <${Toasts} toasts=${s.toasts} />
    ${s.ringing && html`<${RingingNotice} ringing=${s.ringing} onStop=${c.tap.stopRinging} />`}
  </div>`;
}
