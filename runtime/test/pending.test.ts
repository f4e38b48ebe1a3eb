/** The pending table's timing rules, with fake timers (pure timing logic, no I/O). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PredictResponse } from '@helen/schemas';
import { ApiError, unavailable } from '../../src/errors';
import { PendingRequests } from '../../src/mqtt/pending';

const reply = (id: string): PredictResponse => ({
  v: 1, id, prediction: 'Inicio', probabilities: [1], top_index: 0, top_probability: 1, elapsed_ms: 1, model: 'm', worker: 'w', batch_size: 1,
});

describe('PendingRequests', () => {
  let sent: string[];
  let table: PendingRequests;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    table = new PendingRequests({ timeoutMs: 1000, retryAfterMs: 400 }, (id) => sent.push(id));
  });
  afterEach(() => vi.useRealTimers());

  it('resolves with its reply and forgets the id', async () => {
    const p = table.request('a', Buffer.alloc(0));
    expect(table.resolve('a', reply('a'))).toBe(true);
    await expect(p).resolves.toMatchObject({ id: 'a' });
    expect(table.size).toBe(0);
    expect(table.resolve('a', reply('a'))).toBe(false);
  });

  it('resends once at retryAfterMs, then times out at timeoutMs', async () => {
    const p = table.request('a', Buffer.alloc(0));
    const outcome = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(399);
    expect(sent).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(['a', 'a']);
    await vi.advanceTimersByTimeAsync(599);
    expect(table.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).statusCode).toBe(504);
    expect(table.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(sent).toEqual(['a', 'a']);
  });

  it('a reply after the timeout is not matched', async () => {
    const outcome = table.request('a', Buffer.alloc(0)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
    expect(table.resolve('a', reply('a'))).toBe(false);
  });

  it('retryAll resends each request only once in all', async () => {
    void table.request('a', Buffer.alloc(0)).catch(() => {});
    table.retryAll();
    table.retryAll();
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toEqual(['a', 'a']);
    table.failAll(unavailable('x'));
  });

  it('failAll settles everything and clears every timer', async () => {
    const outcomes = ['a', 'b', 'c'].map((id) => table.request(id, Buffer.alloc(0)).catch((e: unknown) => (e as ApiError).statusCode));
    table.failAll(unavailable('gone'));
    expect(await Promise.all(outcomes)).toEqual([503, 503, 503]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('no retry when retryAfterMs >= timeoutMs', async () => {
    const t = new PendingRequests({ timeoutMs: 100, retryAfterMs: 100 }, (id) => sent.push(id));
    const outcome = t.request('a', Buffer.alloc(0)).catch(() => 'timeout');
    await vi.advanceTimersByTimeAsync(100);
    expect(await outcome).toBe('timeout');
    expect(sent).toEqual(['a']);
  });
});
