// @ts-check
/** Settings: general options (numbered for digit signs), Wi-Fi, help (the sign table) and info. */
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { signName, t, tOr } from '../i18n.js';
import { LABELS } from '../labels.js';
import { TABS } from '../routes.js';
import { Icon } from '../components/icons.js';

/** @param {{ c: import('../controller.js').Controller }} props */
export function SettingsPage({ c }) {
  const tab = c.state.nav.route.tab ?? 'general';
  return html`<main data-page="settings" data-tab=${tab} class="page page-tabs">
    <div class="tabs" role="tablist">
      ${TABS.settings.map((id) => html`<button key=${id} role="tab" aria-selected=${id === tab} class=${id === tab ? 'tab active' : 'tab'}
        onClick=${() => c.tap.go('settings', id)}>${t(`settings.tab.${id}`)}</button>`)}
    </div>
    <div class="panel">
      ${tab === 'wifi' ? html`<${WifiTab} c=${c} />`
      : tab === 'help' ? html`<${HelpTab} />`
      : tab === 'info' ? html`<${InfoTab} c=${c} />`
      : html`<${GeneralTab} c=${c} />`}
    </div>
  </main>`;
}

/** @param {{ c: import('../controller.js').Controller }} props */
function GeneralTab({ c }) {
  const s = c.state.settings;
  /** @type {[string, string, [unknown, string][]][]} */
  const rows = [
    ['language', 'settings.language', [['es', 'Español'], ['en', 'English']]],
    ['handedness', 'settings.handedness', [['right', t('settings.right')], ['left', t('settings.left')]]],
    ['sensitivity', 'settings.sensitivity', [['strict', t('settings.strict')], ['normal', t('settings.normal')], ['sensitive', t('settings.sensitive')]]],
    ['preview', 'settings.preview', [[false, t('common.off')], [true, t('common.on')]]],
    ['clock24h', 'settings.clock', [[true, '24 h'], [false, '12 h']]],
  ];
  return html`<div class="settings-list">
    ${rows.map(([field, label, options], i) => html`<div key=${field} class="setting-row">
      <span class="num">${i + 1}</span>
      <span class="setting-label">${t(label)}</span>
      <span class="segmented">
        ${options.map(([value, text]) => html`<button key=${String(value)} class=${s[field] === value ? 'seg active' : 'seg'}
          aria-pressed=${s[field] === value} onClick=${() => c.tap.updateSettings({ [field]: value })}>${text}</button>`)}
      </span>
    </div>`)}
    <p class="hint">${t('settings.hint')}</p>
  </div>`;
}

/** @param {{ c: import('../controller.js').Controller }} props */
function WifiTab({ c }) {
  const w = c.state.wifi;
  const [asking, setAsking] = useState(/** @type {string | null} */ (null));
  const [password, setPassword] = useState('');
  if (w.net && w.net.available === false) {
    return html`<div class="page-center-inner"><${Icon} name="wifi" class="huge-icon dim" />
      <h2>${t('wifi.unavailable')}</h2><p class="muted">${w.net.error ?? ''}</p><p class="hint">${t('wifi.unavailableHint')}</p></div>`;
  }
  /** @param {any} n */
  const choose = (n) => {
    if (n.security && n.security !== '--' && !n.inUse) {
      setAsking(n.ssid);
      setPassword('');
    } else void c.tap.connectWifi(n.ssid);
  };
  return html`<div class="wifi">
    <div class="row-between">
      <div data-testid="wifi-status">${w.net ? t('wifi.status', { device: w.net.device ?? '', state: tOr(`net.${w.net.state}`, w.net.state ?? ''), ssid: w.net.ssid ?? '–' }) : w.status === 'error' ? w.error : t('common.loading')}</div>
      <button class="btn btn-quiet" onClick=${c.tap.reloadWifi}>${t('wifi.rescan')}</button>
    </div>
    ${asking && html`<form class="wifi-password" onSubmit=${(/** @type {Event} */ e) => {
      e.preventDefault();
      void c.tap.connectWifi(asking, password);
      setAsking(null);
    }}>
      <label>${t('wifi.passwordFor', { ssid: asking })}
        <input type="password" autocomplete="off" value=${password} onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} /></label>
      <button class="btn" type="submit">${t('wifi.connect')}</button>
      <button class="btn btn-quiet" type="button" onClick=${() => setAsking(null)}>${t('common.cancel')}</button>
    </form>`}
    <ul class="wifi-list">
      ${w.networks.map((/** @type {any} */ n, i) => html`<li key=${n.ssid}>
        <button class=${n.inUse ? 'network in-use' : 'network'} onClick=${() => choose(n)} disabled=${w.connecting === n.ssid}>
          <span class="num">${i + 1}</span>
          <span class="network-name">${n.ssid}</span>
          <span class="muted small">${n.security && n.security !== '--' ? n.security : t('wifi.open')}</span>
          <span class="signal" title=${`${n.signal}%`}>${[25, 50, 75].map((limit) => html`<i class=${n.signal > limit ? 'on' : ''}></i>`)}<i class=${n.signal > 90 ? 'on' : ''}></i></span>
          ${w.connecting === n.ssid ? html`<span class="small">${t('wifi.connecting')}</span>` : n.inUse && html`<span class="small ok">${t('wifi.connected')}</span>`}
        </button>
      </li>`)}
    </ul>
    ${w.status === 'ok' && !w.networks.length && html`<p class="muted">${t('wifi.none')}</p>`}
    <p class="hint">${t('wifi.hint')}</p>
  </div>`;
}

const HELP = [
  ['Start', 'help.start'], ['Inicio', 'help.inicio'], ['Clima', 'help.clima'], ['Reloj', 'help.reloj'],
  ['Alarma', 'help.alarma'], ['Dispositivos', 'help.dispositivos'], ['Foco', 'help.foco'], ['Ajustes', 'help.ajustes'],
  ['Wifi', 'help.wifi'], ['Tutorial', 'help.tutorial'], ['Anterior', 'help.anterior'], ['Agregar', 'help.agregar'], ['0-9', 'help.digits'],
];

function HelpTab() {
  return html`<div class="help">
    <p class="hint">${t('help.intro', { start: signName('Start') })}</p>
    <dl class="help-table">
      ${HELP.map(([sign, key]) => html`<div key=${sign} class="help-row">
        <dt>${sign === '0-9' ? '0–9' : signName(/** @type {string} */ (sign))}</dt><dd>${t(/** @type {string} */ (key))}</dd>
      </div>`)}
    </dl>
    <p class="muted small">${t('help.count', { n: LABELS.length })}</p>
  </div>`;
}

/** @param {{ c: import('../controller.js').Controller }} props */
function InfoTab({ c }) {
  const info = c.state.info ?? {};
  const rows = [
    ['info.version', info.version], ['info.model', info.model], ['info.device', info.device], ['info.mode', info.mode],
    ['info.broker', info.broker], ['info.workers', info.workersOnline], ['info.servedBy', info.servedBy],
    ['info.fallback', info.fallbackActive === undefined ? undefined : info.fallbackActive ? t('common.yes') : t('common.no')],
    ['info.sensitivity', info.sensitivity], ['info.node', info.node],
    ['info.uptime', typeof info.uptimeS === 'number' ? formatUptime(info.uptimeS) : undefined],
  ];
  return html`<dl class="info-grid">
    ${rows.map(([key, value]) => html`<div key=${key} class="info-row"><dt>${t(/** @type {string} */ (key))}</dt><dd>${value ?? '–'}</dd></div>`)}
  </dl>`;
}

/** @param {number} s */
function formatUptime(s) {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min ${Math.floor(s % 60)} s`;
}
