/**
 * The decision settings table: each variable sets its own field, refuses values outside its
 * range, the cross-checks name both variables, and the README documents each one with the
 * same default and description as `helen edge --help` prints.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decisionSettings, DEFAULT_DECISION_SETTINGS, type DecisionSettings } from '../../src/decision/settings';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Each variable, the field it sets, a valid value and (expected field value), and values it refuses. */
const TABLE: [string, keyof DecisionSettings, string, number, string[]][] = [
  ['HELEN_DECISION_PRESENCE_ENTER', 'presenceEnter', '0.9', 0.9, ['-0.1', '1.1']],
  ['HELEN_DECISION_PRESENCE_EXIT', 'presenceExit', '0.6', 0.6, ['-0.1', '1.1']],
  ['HELEN_DECISION_PROB_ENTER', 'probEnter', '0.96', 0.96, ['-0.1', '1.1']],
  ['HELEN_DECISION_PROB_EXIT', 'probExit', '0.7', 0.7, ['-0.1', '1.1']],
  ['HELEN_DECISION_MARGIN_ENTER', 'marginEnter', '0.3', 0.3, ['-0.1', '1.1']],
  ['HELEN_DECISION_MARGIN_EXIT', 'marginExit', '0.1', 0.1, ['-0.1', '1.1']],
  ['HELEN_DECISION_ENTROPY_ENTER', 'entropyEnter', '2.5', 2.5, ['-0.1']],
  ['HELEN_DECISION_ENTROPY_EXIT', 'entropyExit', '3', 3, ['-0.1']],
  ['HELEN_DECISION_AREA_SINGLE', 'areaSingle', '0.03', 0.03, ['-0.1', '1.1']],
  ['HELEN_DECISION_AREA_TOTAL', 'areaTotal', '2', 2, ['-0.1', '2.1']],
  ['HELEN_DECISION_AREA_FRAMES', 'areaFrames', '8', 8, ['0', '121', '1.5']],
  ['HELEN_DECISION_MOTION_ENTER', 'motionEnter', '0.02', 0.02, ['-0.1']],
  ['HELEN_DECISION_MOTION_EXIT', 'motionExit', '0.001', 0.001, ['-0.1']],
  ['HELEN_DECISION_SMOOTH_WINDOW', 'smoothWindow', '100', 100, ['0', '101', '2.5']],
  ['HELEN_DECISION_MIN_CONSECUTIVE', 'minConsecutive', '1', 1, ['0', '101', '2.5']],
  ['HELEN_DECISION_STATIC_PROB', 'staticProb', '0.99', 0.99, ['-0.1', '1.1']],
  ['HELEN_DECISION_STATIC_MARGIN', 'staticMargin', '0.6', 0.6, ['-0.1', '1.1']],
  ['HELEN_DECISION_STATIC_HAND_SCORE', 'staticHandScore', '0.9', 0.9, ['-0.1', '1.1']],
  ['HELEN_DECISION_EARLY_PROB', 'earlyProb', '0.99', 0.99, ['-0.1', '1.1']],
  ['HELEN_DECISION_EARLY_MARGIN', 'earlyMargin', '0.6', 0.6, ['-0.1', '1.1']],
  ['HELEN_DECISION_EARLY_CONSECUTIVE', 'earlyConsecutive', '100', 100, ['0', '101', '2.5']],
  ['HELEN_DECISION_MIN_HAND_SCORE', 'minHandScore', '0.5', 0.5, ['-0.1', '1.1']],
  ['HELEN_DECISION_COOLDOWN', 'cooldownMs', '0.25', 250, ['-1']],
];

const refusal = (env: Record<string, string>): string => {
  try {
    decisionSettings.parse(env);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('decision settings', () => {
  it('has exactly the documented variables, in order', () => {
    expect(decisionSettings.variables().map((v) => v.env)).toEqual(TABLE.map(([env]) => env));
  });

  it.each(TABLE)('%s sets %s and refuses values out of its range', (env, field, raw, value, bad) => {
    const parsed = decisionSettings.parse({ [env]: raw });
    expect(parsed[field]).toBe(value);
    expect({ ...parsed, [field]: DEFAULT_DECISION_SETTINGS[field] }).toEqual(DEFAULT_DECISION_SETTINGS);
    for (const b of bad) expect(refusal({ [env]: b }), `${env}=${b}`).toMatch(new RegExp(`${env}: must be`));
  });

  it('documents each variable in the README with its default and its --help description', () => {
    for (const v of decisionSettings.variables()) {
      expect(v.description.length, v.env).toBeGreaterThan(10);
      expect(readme, v.env).toContain(`| \`${v.env}\` | \`${v.defaultText}\` | ${v.description} |`);
    }
  });

  it.each([
    ['HELEN_DECISION_PRESENCE_EXIT', 'HELEN_DECISION_PRESENCE_ENTER', 'must not exceed HELEN_DECISION_PRESENCE_ENTER', '0.8'],
    ['HELEN_DECISION_PROB_EXIT', 'HELEN_DECISION_PROB_ENTER', 'must not exceed HELEN_DECISION_PROB_ENTER', '0.8'],
    ['HELEN_DECISION_MIN_CONSECUTIVE', 'HELEN_DECISION_SMOOTH_WINDOW', 'must not exceed HELEN_DECISION_SMOOTH_WINDOW (votes are kept in a window that size)', '5'],
  ])('refuses %s above %s, and accepts it equal', (low, high, message, at) => {
    const above = String(Number(at) + (low.includes('CONSECUTIVE') ? 1 : 0.05));
    expect(refusal({ [low]: above, [high]: at })).toBe(`invalid configuration:\n  ${low}: ${message}`);
    expect(refusal({ [low]: at, [high]: at })).toBe('accepted');
    const below = String(Number(at) - (low.includes('CONSECUTIVE') ? 1 : 0.05));
    expect(refusal({ [low]: below, [high]: at })).toBe('accepted');
  });
});
