// @ts-check
/** Full-screen notice while an alarm or the timer rings; any sign or a tap stops it. */
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Icon } from './icons.js';

/** @param {{ ringing: { kind: string, text: string }, onStop: () => void }} props */
export function RingingNotice({ ringing, onStop }) {
  return html`<div class="ringing" role="alertdialog" data-kind=${ringing.kind} onClick=${onStop}>
    <${Icon} name="bell" class="ringing-icon" />
    <div class="ringing-title">${ringing.kind === 'alarm' ? t('ringing.alarm') : t('ringing.timer')}</div>
    <div class="ringing-text">${ringing.text}</div>
    <button class="btn btn-big" onClick=${onStop}>${t('ringing.stop')}</button>
    <p class="muted">${t('ringing.hint')}</p>
  </div>`;
}
