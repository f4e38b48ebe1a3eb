// @ts-check
/** The loading screen (until /api/display/state answers and /events says hello). */
import { html } from '../html.js';
import { t } from '../i18n.js';

/** @param {{ loaded: boolean, hello: boolean, error: string | null }} props */
export function Loading({ loaded, hello, error }) {
  return html`<main data-page="loading" class="page page-loading">
    <div class="brand">Helen</div>
    <div class="spinner" aria-hidden="true"></div>
    <p class="muted">${!loaded ? t('loading.state') : !hello ? t('loading.events') : t('loading.ready')}</p>
    ${error && html`<p class="error-text">${t('loading.retry', { error })}</p>`}
  </main>`;
}
