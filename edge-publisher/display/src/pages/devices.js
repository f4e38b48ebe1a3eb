// @ts-check
/** Devices (Home Assistant): numbered list; a digit sign toggles that device, Foco the first light. */
import { html } from '../html.js';
import { signName, stateName, t } from '../i18n.js';
import { Icon } from '../components/icons.js';

const ICONS = { light: 'bulb', switch: 'bulb', fan: 'wind', input_boolean: 'bulb', cover: 'gear' };

/** @param {{ c: import('../controller.js').Controller }} props */
export function DevicesPage({ c }) {
  const d = c.state.devices;
  if (!d.data) {
    return html`<main data-page="devices" class="page page-center">
      ${d.status === 'error'
        ? html`<h2>${t('devices.error')}</h2><p class="error-text">${d.error}</p><button class="btn" onClick=${c.tap.reloadDevices}>${t('common.retry')}</button>`
        : html`<div class="spinner"></div><p class="muted">${t('common.loading')}</p>`}
    </main>`;
  }
  if (!d.data.configured) {
    return html`<main data-page="devices" class="page page-center">
      <${Icon} name="bulb" class="huge-icon dim" />
      <h2>${t('devices.notConfigured')}</h2>
      <p class="muted">${t('devices.setEnv')}</p>
      <p><code>HELEN_HA_API_URL</code> ${t('devices.urlExample')}</p>
      <p><code>HELEN_HA_API_TOKEN</code> ${t('devices.tokenExample')}</p>
    </main>`;
  }
  const devices = d.data.devices ?? [];
  return html`<main data-page="devices" class="page page-list">
    <p class="hint">${t('devices.hint', { foco: signName('Foco') })}</p>
    ${d.status === 'error' && html`<p class="error-text">${d.error}</p>`}
    ${devices.length === 0 && html`<p class="muted">${t('devices.none')}</p>`}
    <ul class="device-grid">
      ${devices.map((/** @type {any} */ dev) => html`<li key=${dev.entityId}>
        <button class=${dev.state === 'on' || dev.state === 'open' ? 'device on' : 'device'} data-entity=${dev.entityId}
          onClick=${() => c.tap.toggleDevice(dev)}>
          <span class="device-index">${dev.index}</span>
          <${Icon} name=${/** @type {Record<string, string>} */ (ICONS)[dev.domain] ?? 'bulb'} class="device-icon" />
          <span class="device-name">${dev.name}</span>
          <span class="device-state">${stateName(dev.state)}</span>
        </button>
      </li>`)}
    </ul>
  </main>`;
}
