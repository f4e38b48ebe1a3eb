// @ts-check
/**
 * The tutorial's flow: pick a sign, play the synthetic signer's rendition twice ("demo"), then
 * wait up to TRY_WINDOW_MS for the user's try ("trying"): that sign is compared, never acted on.
 */
import { api } from './api.js';
import { signName, t } from './i18n.js';

const TRY_WINDOW_MS = 15_000;

/** @param {unknown} err */
const message = (err) => (err instanceof Error ? err.message : String(err));

/** @param {import('./controller.js').Context} ctx */
export function createTutorial(ctx) {
  // ---- tutorial --------------------------------------------------------------------------
  /** @param {string} label */
  async function selectTutorial(label) {
    ctx.set({ tutorial: { label, phase: 'loading', data: null, until: 0, error: '', tried: '' } });
    try {
      const data = await api.tutorial(label);
      if (ctx.state.tutorial.label !== label) return;
      const seconds = Array.isArray(data?.frames) && data.fps ? data.frames.length / data.fps : 1.5;
      // Two loops of the animation before "now you".
      ctx.set({ tutorial: { label, phase: 'demo', data, until: ctx.now() + Math.max(2000, seconds * 2000), error: '', tried: '' } });
    } catch (err) {
      if (ctx.state.tutorial.label === label) ctx.set({ tutorial: { ...ctx.state.tutorial, phase: 'error', error: message(err) } });
    }
  }

  function startTry() {
    if (!ctx.state.tutorial.label) return;
    ctx.set({ tutorial: { ...ctx.state.tutorial, phase: 'trying', until: ctx.now() + TRY_WINDOW_MS, tried: '' } });
  }

  /** The sign made while the tutorial waits for a try: compared, never acted on. @param {string} label */
  function checkTry(label) {
    const correct = label === ctx.state.tutorial.label;
    ctx.set({ tutorial: { ...ctx.state.tutorial, phase: correct ? 'correct' : 'wrong', tried: label }, lastSign: { label, at: ctx.now(), ok: correct } });
    ctx.toast(correct ? t('tutorial.correct') : t('tutorial.wrongToast', { sign: signName(label) }), correct ? 'ok' : 'error');
  }

  function resetTutorial() {
    ctx.set({ tutorial: { label: null, phase: 'idle', data: null, until: 0, error: '', tried: '' } });
  }

  /** Demo over → try; try window over → timeout. @param {number} nowMs */
  function tick(nowMs) {
    const tut = ctx.state.tutorial;
    if (tut.phase === 'demo' && nowMs >= tut.until) startTry();
    else if (tut.phase === 'trying' && nowMs >= tut.until) ctx.set({ tutorial: { ...tut, phase: 'timeout' } });
  }

  return { selectTutorial, startTry, checkTry, resetTutorial, tick };
}
