// @ts-check
/** On-screen digits for entering an alarm or timer by touch (signs do the same with 0-9). */
import { html } from '../html.js';
import { t } from '../i18n.js';

/** @param {{ onDigit: (d: string) => void, onCancel: () => void }} props */
export function Keypad({ onDigit, onCancel }) {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
  return html`<div class="keypad">
    ${keys.map((k) => html`<button key=${k} class="key" onClick=${() => onDigit(k)}>${k}</button>`)}
    <button class="key key-cancel" onClick=${onCancel}>${t('common.cancel')}</button>
  </div>`;
}
