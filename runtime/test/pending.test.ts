/** The pending table's timing and settling rules, with fake timers (pure timing logic, no I/O). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingRequests, type Settled } from '../src/index';

type Failure = 'timeout' | 'superseded' | 'gone';

function table(sent: string[], opts: { retryAfterMs?: number; maxPending?: number; timeoutMs?: number } = {}) {
  return new PendingRequests<string, Failure>({
    timeoutMs: opts.timeoutMs ?? 1000,
    retryAfterMs: opts.retryAfterMs,
    maxPending: opts.maxPending,
    send: (id) => sent.push(id),
    timedOut: () => 'timeout',
    superseded: () => 'superseded',
  });
}

const failure = (s: Settled<string, Failure>) => (s.ok ? `reply ${s.value}` : s.failure);

describe('PendingRequests', () => {
  let sent: string[];
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  it('settles with its reply once and forgets the id', async () => {
    const t = table(sent);
    const p = t.request('a', Buffer.alloc(0));
    expect(sent).toEqual(['a']);
    expect(t.resolve('a', 'R')).toBe(true);
    await expect(p).resolves.toEqual({ ok: true, value: 'R' });
    expect(t.size).toBe(0);
    expect(t.resolve('a', 'again')).toBe(false);
    expect(t.fail('a', 'gone')).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resends once at retryAfterMs, then times out at timeoutMs', async () => {
    const t = table(sent, { retryAfterMs: 400 });
    const p = t.request('a', Buffer.alloc(0));
    await vi.advanceTimersByTimeAsync(399);
    expect(sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(['a', 'a']);
    await vi.advanceTimersByTimeAsync(599);
    expect(t.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(failure(await p)).toBe('timeout');
    expect(t.counters).toEqual({ retries: 1, timeouts: 1, superseded: 0 });
    expect(t.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(t.resolve('a', 'late')).toBe(false);
  });

  it('retryAll resends each request only once in all; no retry when retryAfterMs >= timeoutMs', async () => {
    const t = table(sent, { retryAfterMs: 400 });
    const p = t.request('a', Buffer.alloc(0));
    t.retryAll();
    t.retryAll();
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual(['a', 'a']);
    t.failAll('gone');
    expect(failure(await p)).toBe('gone');

    const sent2: string[] = [];
    const t2 = table(sent2, { retryAfterMs: 100, timeoutMs: 100 });
    const p2 = t2.request('b', Buffer.alloc(0));
    await vi.advanceTimersByTimeAsync(100);
    expect(failure(await p2)).toBe('timeout');
    expect(sent2).toEqual(['b']);
  });

  it('failAll settles everything and clears every timer', async () => {
    const t = table(sent, { retryAfterMs: 400 });
    const outcomes = ['a', 'b', 'c'].map((id) => t.request(id, Buffer.alloc(0)));
    t.failAll('gone');
    expect((await Promise.all(outcomes)).map(failure)).toEqual(['gone', 'gone', 'gone']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with maxPending, a new request supersedes the oldest waiting one', async () => {
    const t = table(sent, { maxPending: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => t.request(id, Buffer.alloc(0)));
    expect(failure(await (a as Promise<Settled<string, Failure>>))).toBe('superseded');
    expect(t.size).toBe(2);
    expect(t.has('a')).toBe(false);
    t.resolve('b', 'B');
    t.resolve('c', 'C');
    expect((await Promise.all([b, c] as Promise<Settled<string, Failure>>[])).map(failure)).toEqual(['reply B', 'reply C']);
    expect(t.counters.superseded).toBe(1);
  });

  it('supersedeOlderThan settles every older entry and keeps the newer ones', async () => {
    const t = table(sent);
    const ps = ['a', 'b', 'c', 'd'].map((id) => t.request(id, Buffer.alloc(0)));
    t.supersedeOlderThan('c');
    expect(t.has('a') || t.has('b')).toBe(false);
    expect(t.has('c') && t.has('d')).toBe(true);
    t.supersedeOlderThan('zzz'); // unknown id: nothing happens
    expect(t.size).toBe(2);
    t.failAll('gone');
    expect((await Promise.all(ps)).map(failure)).toEqual(['superseded', 'superseded', 'gone', 'gone']);
  });
});
