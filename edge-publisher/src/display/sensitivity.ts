/**
 * The display's three sensitivity choices, each a set of decision-engine numbers. The presets
 * themselves belong to the decision engine (decision/settings.ts `DECISION_PRESETS`); this
 * module only picks one by name, so the display never holds a threshold of its own.
 */
import * as decision from '../decision/settings';
import type { DecisionSettings } from '../decision/settings';

export const SENSITIVITIES = ['strict', 'normal', 'sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export function isSensitivity(value: unknown): value is Sensitivity {
  return typeof value === 'string' && (SENSITIVITIES as readonly string[]).includes(value);
}

/**
 * The decision numbers of a preset; {} (the current defaults) while decision/settings.ts has
 * no `DECISION_PRESETS` or no entry of that name. Read by name so this file compiles before
 * and after the presets exist.
 */
export function decisionPreset(name: Sensitivity): Partial<DecisionSettings> {
  const presets = (decision as Record<string, unknown>).DECISION_PRESETS;
  if (typeof presets !== 'object' || presets === null) return {};
  const preset = (presets as Record<string, unknown>)[name];
  return typeof preset === 'object' && preset !== null ? { ...(preset as Partial<DecisionSettings>) } : {};
}
