/**
 * The pending table's resend paths (a worker went away: retryAll; every worker went away and
 * one is back: resendAll), with the payloads each send carries, and the edges of the retry
 * and timeout timers. Fake timers: pure timing logic, no I/O.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingRequests, type Settled } from '../src/index';

type Failure = string;

function table(opts: { retryAfterMs?: number; maxPending?: number; timeoutMs?: number } = {}) {
  const sent: [string, string][] = [];
  const timedOutIds: string[] = [];
  const t = new PendingRequests<string, Failure>({
    timeoutMs: opts.timeoutMs ?? 1000,
    retryAfterMs: opts.retryAfterMs,
    maxPending: opts.maxPending,
    send: (id, payload) => sent.push([id, payload.toString()]),
    timedOut: (id) => {
      timedOutIds.push(id);
      return `timeout ${id}`;
    },
    superseded: () => 'superseded',
  });
  return { t, sent, timedOutIds };
}

const outcome = (s: Settled<string, Failure>) => (s.ok ? `reply ${s.value}` : s.failure);
const payload = (text: string) => Buffer.from(text);

describe('PendingRequests resends', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resendAll sends every pending request again with its own payload, retried or not, without counting retries', async () => {
    const { t, sent } = table({ retryAfterMs: 100 });
    const a = t.request('a', payload('A'));
    await vi.advanceTimersByTimeAsync(100); // a retried by its timer
    const b = t.request('b', payload('B'));
    expect(sent).toEqual([['a', 'A'], ['a', 'A'], ['b', 'B']]);
    t.resendAll();
    expect(sent.slice(3)).toEqual([['a', 'A'], ['b', 'B']]);
    expect(t.counters.retries).toBe(1);
    // b's own retry still comes once, at its time.
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.slice(5)).toEqual([['b', 'B']]);
    expect(t.counters.retries).toBe(2);
    t.resolve('a', 'ra');
    t.resolve('b', 'rb');
    expect([outcome(await a), outcome(await b)]).toEqual(['reply ra', 'reply rb']);
  });

  it('retryAll resends with the payload, counts the retry, and cancels the timed retry', async () => {
    const { t, sent } = table({ retryAfterMs: 300 });
    const a = t.request('a', payload('A'));
    t.retryAll();
    expect(sent).toEqual([['a', 'A'], ['a', 'A']]);
    expect(t.counters.retries).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(1); // only the timeout is left
    t.fail('a', 'gone');
    expect(outcome(await a)).toBe('gone');
  });

  it('retries when retryAfterMs is just under the timeout, never without retryAfterMs', async () => {
    const { t, sent } = table({ retryAfterMs: 999, timeoutMs: 1000 });
    const a = t.request('a', payload('A'));
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome(await a)).toBe('timeout a');

    const never = table({ timeoutMs: 1000 });
    const b = never.t.request('b', payload('B'));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcome(await b)).toBe('timeout b');
    expect(never.sent).toEqual([['b', 'B']]);
    expect(never.timedOutIds).toEqual(['b']);
    expect(never.t.counters).toEqual({ retries: 0, timeouts: 1, superseded: 0 });
  });

  it('arms no retry timer at all when retryAfterMs is not under the timeout', async () => {
    for (const retryAfterMs of [1000, 5000]) {
      const { t, sent } = table({ retryAfterMs, timeoutMs: 1000 });
      const a = t.request('a', payload('A'));
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(outcome(await a)).toBe('timeout a');
      expect(sent).toHaveLength(1);
    }
  });

  it('times out at timeoutMs and not a millisecond before, telling timedOut the id', async () => {
    const { t, timedOutIds } = table({ timeoutMs: 200 });
    const a = t.request('a', payload('A'));
    await vi.advanceTimersByTimeAsync(199);
    expect(t.has('a')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.has('a')).toBe(false);
    expect(outcome(await a)).toBe('timeout a');
    expect(timedOutIds).toEqual(['a']);
    expect(t.counters.timeouts).toBe(1);
  });

  it('an entry settled by a reply is neither retried nor timed out later', async () => {
    const { t, sent } = table({ retryAfterMs: 100, timeoutMs: 200 });
    const a = t.request('a', payload('A'));
    t.resolve('a', 'R');
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toHaveLength(1);
    expect(t.counters).toEqual({ retries: 0, timeouts: 0, superseded: 0 });
    t.retryAll();
    t.resendAll();
    expect(sent).toHaveLength(1);
    expect(outcome(await a)).toBe('reply R');
  });

  it('with maxPending 1, each new request supersedes the one before', async () => {
    const { t } = table({ maxPending: 1 });
    const a = t.request('a', payload('A'));
    const b = t.request('b', payload('B'));
    const c = t.request('c', payload('C'));
    expect([outcome(await a), outcome(await b)]).toEqual(['superseded', 'superseded']);
    expect(t.size).toBe(1);
    expect(t.counters.superseded).toBe(2);
    t.resolve('c', 'C');
    expect(outcome(await c)).toBe('reply C');
  });

  it('supersedeOlderThan the oldest id settles nothing', async () => {
    const { t } = table();
    const ps = ['a', 'b'].map((id) => t.request(id, payload(id)));
    t.supersedeOlderThan('a');
    expect(t.size).toBe(2);
    expect(t.counters.superseded).toBe(0);
    t.supersedeOlderThan('b');
    expect(t.counters.superseded).toBe(1);
    t.failAll('gone');
    expect((await Promise.all(ps)).map(outcome)).toEqual(['superseded', 'gone']);
  });
});
