// @ts-check
/** The top bar: back, page title, the arm hint, the last sign seen, link state and a small clock. */
import { html } from '../html.js';
import { signName, t } from '../i18n.js';
import { isArmed, remainingMs } from '../arming.js';
import { isLabel } from '../labels.js';
import { formatTime } from '../format.js';
import { Countdown } from './ring.js';

const SIGN_SHOWN_MS = 4000;

/** @param {{ c: import('../controller.js').Controller, now: number }} props */
export function Header({ c, now }) {
  const s = c.state;
  const page = s.nav.route.page;
  const armed = isArmed(s.arming, now);
  const sign = s.lastSign && now - s.lastSign.at < SIGN_SHOWN_MS ? s.lastSign : null;
  return html`<header class="topbar">
    <div class="topbar-left">
      ${page !== 'home' && html`<button class="icon-btn back" onClick=${c.tap.back} aria-label=${t('common.back')} disabled=${!s.nav.history.length}>‹</button>`}
      ${page !== 'home' ? html`<span class="title">${t(`page.${page}`)}</span>` : html`<span class="title brand-small">Helen</span>`}
    </div>
    <div class=${armed ? 'arm-hint armed' : 'arm-hint'} data-testid="arm-hint">
      ${armed && html`<${Countdown} key=${s.arming.armedAt} armedAt=${s.arming.armedAt} />`}
      ${armed ? t('header.armed', { s: Math.ceil(remainingMs(s.arming, now) / 1000) }) : t('header.idle', { start: signName('Start') })}
    </div>
    <div class="topbar-right">
      ${sign && html`<span class=${sign.ok ? 'sign-chip' : 'sign-chip bad'} data-testid="last-sign">${isLabel(sign.label) ? signName(sign.label) : sign.label}</span>`}
      <span class=${s.connected ? 'dot ok' : 'dot bad'} title=${s.connected ? t('header.connected') : t('header.disconnected')}></span>
      ${page !== 'home' && page !== 'clock' && html`<span class="small-clock">${formatTime(new Date(now), s.settings.clock24h !== false)}</span>`}
    </div>
  </header>`;
}
