/** The batching rules on their own: pure data structure, explicit clock. */
import { describe, expect, it } from 'vitest';
import { BatchQueue } from '../src/batch-queue';

const item = (name: string, frames: number, received = 0, deadline = 1e12) => ({ name, frames, received, deadline });
const names = (xs: { name: string }[]) => xs.map((x) => x.name);

describe('BatchQueue', () => {
  it('takes the oldest request and every queued request of the same T, oldest first', () => {
    const q = new BatchQueue<ReturnType<typeof item>>({ maxBatch: 32, queueLimit: 100, maxWaitMs: 0 });
    for (const [n, t] of [['a', 30], ['b', 16], ['c', 30], ['d', 16], ['e', 30]] as const) q.push(item(n, t));
    expect(names(q.take(0).batch)).toEqual(['a', 'c', 'e']);
    expect(names(q.take(0).batch)).toEqual(['b', 'd']);
    expect(q.take(0).batch).toEqual([]);
    expect(q.size).toBe(0);
  });

  it('caps a batch at maxBatch and keeps the rest in order', () => {
    const q = new BatchQueue<ReturnType<typeof item>>({ maxBatch: 2, queueLimit: 100, maxWaitMs: 0 });
    for (const n of ['a', 'b', 'c']) q.push(item(n, 30));
    expect(names(q.take(0).batch)).toEqual(['a', 'b']);
    expect(names(q.take(0).batch)).toEqual(['c']);
  });

  it('refuses past queueLimit', () => {
    const q = new BatchQueue<ReturnType<typeof item>>({ maxBatch: 2, queueLimit: 2, maxWaitMs: 0 });
    expect(q.push(item('a', 30))).toBe(true);
    expect(q.push(item('b', 16))).toBe(true);
    expect(q.push(item('c', 30))).toBe(false);
    q.take(0);
    expect(q.push(item('c', 30))).toBe(true);
  });

  it('returns expired requests separately, without using batch slots', () => {
    const q = new BatchQueue<ReturnType<typeof item>>({ maxBatch: 2, queueLimit: 10, maxWaitMs: 0 });
    q.push(item('late', 30, 0, 50));
    q.push(item('a', 30, 0, 500));
    q.push(item('late16', 16, 0, 99));
    q.push(item('b', 30, 0, 500));
    const { batch, expired } = q.take(100);
    expect(names(batch)).toEqual(['a', 'b']);
    expect(names(expired)).toEqual(['late', 'late16']);
    expect(q.size).toBe(0);
  });

  it('is ready at once when greedy, else when full or when the oldest has waited maxWaitMs', () => {
    expect(new BatchQueue({ maxBatch: 4, queueLimit: 10, maxWaitMs: 0 }).readyIn(0)).toBe(Infinity);
    const greedy = new BatchQueue<ReturnType<typeof item>>({ maxBatch: 4, queueLimit: 10, maxWaitMs: 0 });
    greedy.push(item('a', 30, 1000));
    expect(greedy.readyIn(1000)).toBe(0);
    const q = new BatchQueue<ReturnType<typeof item>>({ maxBatch: 2, queueLimit: 10, maxWaitMs: 50 });
    q.push(item('a', 30, 1000));
    expect(q.readyIn(1010)).toBe(40);
    expect(q.readyIn(1010, true)).toBe(0); // draining: no waiting
    expect(q.readyIn(1070)).toBe(0);
    q.push(item('b', 30, 1005));
    expect(q.readyIn(1010)).toBe(0); // full batch
  });
});
