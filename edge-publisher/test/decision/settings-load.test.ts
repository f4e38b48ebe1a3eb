/**
 * The decision settings module loads and its defaults pass the table's own cross-checks
 * (exit thresholds under the enter ones, votes within the smoothing window). Imported inside
 * the test on purpose: a table whose checks refuse its own defaults throws at import, and a
 * failed import must show up as a failed test, not as a file that ran nothing.
 */
import { describe, expect, it } from 'vitest';

describe('decision settings module', () => {
  it('loads, and its defaults satisfy every cross-check', async () => {
    const { decisionSettings, DEFAULT_DECISION_SETTINGS } = await import('../../src/decision/settings');
    expect(decisionSettings.parse({})).toEqual(DEFAULT_DECISION_SETTINGS);
    expect(DEFAULT_DECISION_SETTINGS.presenceExit).toBeLessThan(DEFAULT_DECISION_SETTINGS.presenceEnter);
    expect(DEFAULT_DECISION_SETTINGS.minConsecutive).toBeLessThan(DEFAULT_DECISION_SETTINGS.smoothWindow);
  });
});
