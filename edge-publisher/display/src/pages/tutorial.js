// @ts-check
/**
 * Tutorial: the 22 signs; picking one plays the synthetic signer's rendition twice, then
 * "ahora tú": the next sign is compared with it (consumed by the check, never acted on).
 */
import { html } from '../html.js';
import { signName, t } from '../i18n.js';
import { LABELS } from '../labels.js';
import { TutorialCanvas } from '../components/tutorial-canvas.js';

/** @param {{ c: import('../controller.js').Controller, now: number }} props */
export function TutorialPage({ c, now }) {
  const tut = c.state.tutorial;
  return html`<main data-page="tutorial" data-phase=${tut.phase} class="page page-split">
    <section class="split-left sign-grid">
      ${LABELS.map((label) => html`<button key=${label} class=${label === tut.label ? 'chip active' : 'chip'} data-label=${label}
        onClick=${() => c.tap.selectTutorial(label)}>${signName(label)}</button>`)}
    </section>
    <section class="split-right tutorial-stage">
      ${tut.data ? html`<${TutorialCanvas} data=${tut.data} />` : html`<div class="tutorial-canvas placeholder"></div>`}
      <div class=${`tutorial-status phase-${tut.phase}`} role="status">${status(tut, now)}</div>
      ${(tut.phase === 'wrong' || tut.phase === 'timeout' || tut.phase === 'correct') &&
        html`<button class="btn" onClick=${c.tap.startTry}>${t('tutorial.again')}</button>`}
    </section>
  </main>`;
}

/** @param {any} tut @param {number} now */
function status(tut, now) {
  const sign = tut.label ? signName(tut.label) : '';
  switch (tut.phase) {
    case 'loading': return t('common.loading');
    case 'demo': return t('tutorial.watch', { sign });
    case 'trying': return t('tutorial.yourTurn', { sign, s: Math.ceil(Math.max(0, tut.until - now) / 1000) });
    case 'correct': return t('tutorial.correct');
    case 'wrong': return t('tutorial.wrong', { sign: signName(tut.tried) });
    case 'timeout': return t('tutorial.timeout');
    case 'error': return t('tutorial.error', { error: tut.error });
    default: return t('tutorial.pick', { agregar: signName('Agregar') });
  }
}
