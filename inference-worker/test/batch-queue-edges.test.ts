/** The batch queue at its edges: which group is oldest, deadline equality, clear() order, a clock behind. */
import { describe, expect, it } from 'vitest';
import { BatchQueue } from '../src/batch-queue';

const item = (name: string, frames: number, received = 0, deadline = 1e12) => ({ name, frames, received, deadline });
type Item = ReturnType<typeof item>;
const names = (xs: { name: string }[]) => xs.map((x) => x.name);

describe('BatchQueue edges', () => {
  it('takes from the group with the oldest head, not the group created first', () => {
    const q = new BatchQueue<Item>({ maxBatch: 1, queueLimit: 10, maxWaitMs: 0 });
    q.push(item('a', 30));
    q.push(item('b', 16));
    q.push(item('c', 30));
    expect(names(q.take(0).batch)).toEqual(['a']);
    // The T=30 group still exists (c) but b, in the T=16 group, is older.
    expect(names(q.take(0).batch)).toEqual(['b']);
    expect(names(q.take(0).batch)).toEqual(['c']);
  });

  it('keeps a request whose deadline is exactly now', () => {
    const q = new BatchQueue<Item>({ maxBatch: 4, queueLimit: 10, maxWaitMs: 0 });
    q.push(item('on-time', 30, 0, 100));
    q.push(item('late', 30, 0, 99));
    const { batch, expired } = q.take(100);
    expect(names(batch)).toEqual(['on-time']);
    expect(names(expired)).toEqual(['late']);
  });

  it('clear() returns everything queued, oldest first across groups, and empties the queue', () => {
    const q = new BatchQueue<Item>({ maxBatch: 4, queueLimit: 10, maxWaitMs: 0 });
    for (const [n, t] of [['a', 30], ['b', 16], ['c', 30], ['d', 16]] as const) q.push(item(n, t));
    expect(names(q.clear())).toEqual(['a', 'b', 'c', 'd']);
    expect(q.size).toBe(0);
    expect(q.readyIn(0)).toBe(Infinity);
  });

  it('is ready at once when greedy, even if the clock reads before the request arrived', () => {
    const q = new BatchQueue<Item>({ maxBatch: 4, queueLimit: 10, maxWaitMs: 0 });
    q.push(item('a', 30, 1000));
    expect(q.readyIn(900)).toBe(0);
  });

  it('counts expired requests out of the size, and a partly expired group keeps the rest in order', () => {
    const q = new BatchQueue<Item>({ maxBatch: 1, queueLimit: 3, maxWaitMs: 0 });
    q.push(item('a', 30, 0, 50));
    q.push(item('b', 30, 0, 500));
    q.push(item('c', 30, 0, 500));
    expect(q.push(item('d', 30))).toBe(false);
    const first = q.take(100);
    expect(names(first.expired)).toEqual(['a']);
    expect(names(first.batch)).toEqual(['b']);
    expect(q.size).toBe(1);
    expect(q.push(item('d', 30))).toBe(true);
    expect(names(q.take(100).batch)).toEqual(['c']);
    expect(names(q.take(100).batch)).toEqual(['d']);
  });
});
