/** Backoff arithmetic, and a real child that keeps crashing being restarted later each time. */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { backoffDelay, SupervisedChild } from '../src/child';

describe('backoffDelay', () => {
  it('doubles from the minimum and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 500, 30_000))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000]);
    expect(backoffDelay(50, 500, 30_000)).toBe(30_000);
  });
});

describe('SupervisedChild', () => {
  it('restarts a child that exits, with growing delays, and stops restarting on stop()', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
    // `helen no-such-command` prints usage and exits 2 at once: a child that always crashes.
    const child = new SupervisedChild({ name: 'crasher', command: 'no-such-command', env: { PATH: process.env.PATH } },
      { restartMinMs: 50, restartMaxMs: 200, stableMs: 60_000, stopTimeoutMs: 2000 }, log);
    child.start();
    const until = Date.now() + 20_000;
    while (child.restarts < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await child.stop();
    const restarts = child.restarts;
    const delays = lines.filter((l) => l.restartInMs !== undefined).map((l) => l.restartInMs);
    expect(delays.slice(0, 3)).toEqual([50, 100, 200]);
    expect(lines.find((l) => l.restartInMs !== undefined)).toMatchObject({ child: 'crasher', code: 2, level: 50 });
    await new Promise((r) => setTimeout(r, 300));
    expect(child.restarts).toBe(restarts); // no restart after stop()
    expect(child.pid).toBeUndefined();
  });
});
