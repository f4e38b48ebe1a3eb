/**
 * Which decision numbers a run uses. `default`: what the edge runs with (the defaults, with
 * any HELEN_DECISION_* variable applied, as at start-up). `original`: the original client's
 * numbers. Today the defaults are those numbers (decision/settings.ts); when tuning changes
 * the defaults, settings.ts is to keep the old ones as a named preset, which is looked up
 * here by name so this bench keeps measuring both without a change.
 */
import type { EnvSource } from '@helen/runtime';
import { edgeConfigFromEnv } from '../../src/config';
import * as decisionSettingsModule from '../../src/decision/settings';
import { DEFAULT_DECISION_SETTINGS, type DecisionSettings } from '../../src/decision/settings';

export const PRESETS = ['default', 'original'] as const;
export type Preset = (typeof PRESETS)[number];

/** An `original` preset exported by settings.ts, if there is one (`DECISION_PRESETS.original`). */
function exportedOriginal(): DecisionSettings | undefined {
  const presets = (decisionSettingsModule as unknown as Record<string, unknown>)['DECISION_PRESETS'];
  const original = typeof presets === 'object' && presets !== null ? (presets as Record<string, unknown>)['original'] : undefined;
  return typeof original === 'object' && original !== null ? { ...DEFAULT_DECISION_SETTINGS, ...(original as Partial<DecisionSettings>) } : undefined;
}

export function decisionFor(preset: Preset, env: EnvSource): { settings: DecisionSettings; note: string } {
  if (preset === 'default') return { settings: edgeConfigFromEnv(env).decision, note: 'the edge defaults (HELEN_DECISION_* applied)' };
  const original = exportedOriginal();
  if (original) return { settings: original, note: 'the original client\'s numbers (DECISION_PRESETS.original)' };
  return { settings: DEFAULT_DECISION_SETTINGS, note: 'the original client\'s numbers (today the defaults are those numbers)' };
}
