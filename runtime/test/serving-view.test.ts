import { describe, expect, it } from 'vitest';
import { WorkerTracker } from '../../src/mqtt/worker-tracker';

const msg = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('WorkerTracker', () => {
  it('counts only online workers; draining, offline, cleared and garbage do not count', () => {
    const t = new WorkerTracker();
    expect(t.update('a', msg({ state: 'online', id: 'a' }))).toEqual({ before: 0, after: 1, wentOffline: false });
    t.update('b', msg({ state: 'online', id: 'b' }));
    expect(t.update('a', msg({ state: 'draining' }))).toEqual({ before: 2, after: 1, wentOffline: true });
    expect(t.onlineIds()).toEqual(['b']);
    expect(t.update('b', Buffer.alloc(0)).after).toBe(0);
    t.update('c', Buffer.from('not json'));
    t.update('d', msg({ state: 'sleeping' }));
    expect(t.online()).toBe(0);
    t.update('e', msg({ state: 'online' }));
    t.clear();
    expect(t.online()).toBe(0);
  });
});
