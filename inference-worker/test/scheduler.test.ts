/**
 * The scheduler on its own: one batch in flight, the next taken when it ends, the optional
 * wait for a fuller batch, expired requests reported, drain and abandon. Batches are plain
 * promises the test settles, so no model is needed.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/scheduler';

interface Item { name: string; frames: number; received: number; deadline: number }
const item = (name: string, deadline = Date.now() + 60_000, frames = 30): Item => ({ name, frames, received: Date.now(), deadline });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));

function harness(opts: { maxBatch?: number; queueLimit?: number; maxWaitMs?: number } = {}) {
  const batches: string[][] = [];
  const expired: string[][] = [];
  const ends: (() => void)[] = [];
  let failNext = false;
  const scheduler = new Scheduler<Item>({ maxBatch: opts.maxBatch ?? 8, queueLimit: opts.queueLimit ?? 100, maxWaitMs: opts.maxWaitMs ?? 0 }, {
    runBatch: (batch) => {
      batches.push(batch.map((i) => i.name));
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('a bug in runBatch'));
      }
      return new Promise<void>((resolve) => ends.push(resolve));
    },
    expired: (items) => expired.push(items.map((i) => i.name)),
  });
  const endBatch = () => ends.shift()?.();
  return { scheduler, batches, expired, endBatch, failNextBatch: () => (failNext = true) };
}

describe('Scheduler', () => {
  it('batches what arrives in one turn of the event loop, and runs one batch at a time', async () => {
    const h = harness();
    expect(h.scheduler.busy).toBe(false);
    h.scheduler.submit(item('a'));
    h.scheduler.submit(item('b'));
    expect(h.batches).toEqual([]); // not synchronously: the rest of this turn joins
    await tick();
    expect(h.batches).toEqual([['a', 'b']]);
    expect(h.scheduler.busy).toBe(true);
    h.scheduler.submit(item('c'));
    h.scheduler.submit(item('d'));
    await tick();
    expect(h.batches).toHaveLength(1); // still running the first
    expect(h.scheduler.queued).toBe(2);
    h.endBatch();
    await tick();
    expect(h.batches).toEqual([['a', 'b'], ['c', 'd']]);
    expect(h.scheduler.queued).toBe(0);
    h.endBatch();
    await tick();
    expect(h.scheduler.busy).toBe(false);
  });

  it('refuses past the queue limit', async () => {
    const h = harness({ queueLimit: 2 });
    expect(h.scheduler.submit(item('a'))).toBe(true);
    expect(h.scheduler.submit(item('b'))).toBe(true);
    expect(h.scheduler.submit(item('c'))).toBe(false);
    await tick();
    expect(h.batches).toEqual([['a', 'b']]);
  });

  it('reports requests that expired in the queue, never running them', async () => {
    const h = harness();
    h.scheduler.submit(item('first'));
    await tick();
    h.scheduler.submit(item('short', Date.now() + 30));
    h.scheduler.submit(item('long'));
    await sleep(60);
    h.endBatch();
    await tick();
    expect(h.expired).toEqual([['short']]);
    expect(h.batches).toEqual([['first'], ['long']]);
  });

  it('with only expired requests queued, runs nothing and goes idle', async () => {
    const h = harness();
    h.scheduler.submit(item('first'));
    await tick();
    h.scheduler.submit(item('short', Date.now() + 20));
    await sleep(50);
    h.endBatch();
    await h.scheduler.drain();
    expect(h.expired).toEqual([['short']]);
    expect(h.batches).toEqual([['first']]);
    expect(h.scheduler.busy).toBe(false);
  });

  it('waits up to maxWaitMs for a fuller batch, and starts at once when the batch is full', async () => {
    const h = harness({ maxWaitMs: 80, maxBatch: 3 });
    const t0 = Date.now();
    h.scheduler.submit(item('a'));
    await sleep(20);
    expect(h.batches).toEqual([]);
    h.scheduler.submit(item('b'));
    await sleep(20);
    expect(h.batches).toEqual([]);
    h.scheduler.submit(item('c')); // full: no more waiting
    await tick();
    expect(h.batches).toEqual([['a', 'b', 'c']]);
    expect(Date.now() - t0).toBeLessThan(80);
    h.endBatch();
    await tick();
    h.scheduler.submit(item('d'));
    const t1 = Date.now();
    while (h.batches.length < 2) await sleep(5);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(70);
    expect(h.batches[1]).toEqual(['d']);
  });

  it('drain() runs everything queued without waiting for fuller batches and resolves when idle', async () => {
    const h = harness({ maxWaitMs: 10_000, maxBatch: 4 });
    h.scheduler.submit(item('a'));
    h.scheduler.submit(item('b', Date.now() + 60_000, 16));
    let drained = false;
    const done = h.scheduler.drain().then(() => (drained = true));
    await tick();
    expect(h.batches).toEqual([['a']]);
    h.endBatch();
    await tick();
    expect(h.batches).toEqual([['a'], ['b']]);
    expect(drained).toBe(false);
    h.endBatch();
    await done;
    expect(drained).toBe(true);
    expect(h.scheduler.busy).toBe(false);
  });

  it('drain() of an idle scheduler resolves at once, before the next turn of the event loop', async () => {
    const h = harness();
    let drained = false;
    void h.scheduler.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(true);
    expect(h.batches).toEqual([]);
  });

  it('keeps going after a batch that rejects (a bug must not stall the queue)', async () => {
    const h = harness();
    h.failNextBatch();
    h.scheduler.submit(item('a'));
    await tick();
    h.scheduler.submit(item('b'));
    await sleep(10);
    expect(h.batches).toEqual([['a'], ['b']]);
    h.endBatch();
    await h.scheduler.drain();
  });

  it('abandon() hands back what is queued, oldest first, and cancels the wait for a fuller batch', async () => {
    const h = harness({ maxWaitMs: 50 });
    h.scheduler.submit(item('a'));
    h.scheduler.submit(item('b', Date.now() + 60_000, 16));
    await tick();
    expect(h.scheduler.abandon().map((i) => i.name)).toEqual(['a', 'b']);
    expect(h.scheduler.queued).toBe(0);
    await sleep(80);
    expect(h.batches).toEqual([]);
  });
});
