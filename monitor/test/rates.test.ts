import { describe, expect, it } from 'vitest';
import { InFlightRequests, RateCounter, rateOf, type MonitorEvent } from '../src/index';

const request = (device: string): MonitorEvent => ({
  type: 'request', topic: 't', device, id: 'i', frames: 1, features: 1, encoding: 'f16', mask: false, deadline_left_ms: 0, reply_to: 'r', bytes: 1,
});

describe('rateOf', () => {
  it('counts requests, replies, gestures and errors per device; statuses, metadata and other topics not at all', () => {
    expect(rateOf(request('pi'))).toEqual({ key: 'pi', kind: 'requests' });
    expect(rateOf({ type: 'undecodable', topic: 't', kind: 'request', device: 'pi', reason: 'r', bytes: 1 })).toEqual({ key: 'pi', kind: 'errors' });
    expect(rateOf({ type: 'undecodable', topic: 't', kind: 'api-replies', instance: 'a1', reason: 'r', bytes: 1 })).toEqual({ key: 'api/a1', kind: 'errors' });
    expect(rateOf({ type: 'undecodable', topic: 't', kind: 'metadata', reason: 'r', bytes: 1 })).toBeUndefined();
    expect(rateOf({ type: 'status', topic: 't', role: 'device', name: 'pi', state: 'online', bytes: 1 })).toBeUndefined();
    expect(rateOf({ type: 'other', topic: 't', bytes: 1, head: '', head_encoding: 'text' })).toBeUndefined();
  });
});

describe('RateCounter', () => {
  it('divides by the real time since the last snapshot and starts again from zero', () => {
    const c = new RateCounter(0);
    for (let i = 0; i < 10; i++) c.count(request('pi'));
    expect(c.take(4000).devices.pi).toMatchObject({ requests: 10, requests_per_s: 2.5 });
    c.count(request('pi'));
    const next = c.take(4500);
    expect(next.interval_s).toBe(0.5);
    expect(next.devices.pi).toMatchObject({ requests: 1, requests_per_s: 2 });
  });

  it('shows a device that went quiet once more at zero, then drops it', () => {
    const c = new RateCounter(0);
    c.count(request('pi'));
    expect(Object.keys(c.take(1000).devices)).toEqual(['pi']);
    expect(c.take(2000).devices).toEqual({
      pi: { requests: 0, replies: 0, gestures: 0, errors: 0, requests_per_s: 0, replies_per_s: 0, gestures_per_s: 0, errors_per_s: 0 },
    });
    expect(c.take(3000).devices).toEqual({});
  });
});

describe('InFlightRequests', () => {
  it('gives a reply the device and the latency of its request, once', () => {
    const f = new InFlightRequests();
    f.add('a', 'pi', 1000);
    expect(f.answer('a', 1017)).toEqual({ device: 'pi', latencyMs: 17 });
    expect(f.answer('a', 1020)).toBeUndefined();
    expect(f.answer('never-seen', 1020)).toBeUndefined();
  });

  it('stays bounded in count and in age', () => {
    const f = new InFlightRequests(3, 60_000);
    for (const id of ['a', 'b', 'c', 'd']) f.add(id, 'pi', 0);
    expect(f.size).toBe(3);
    expect(f.answer('a', 1)).toBeUndefined(); // the oldest went first
    expect(f.answer('d', 1)).toMatchObject({ device: 'pi' });
    const aged = new InFlightRequests(100, 1000);
    aged.add('old', 'pi', 0);
    aged.add('new', 'pi', 5000);
    expect(aged.size).toBe(1);
    expect(aged.answer('old', 5000)).toBeUndefined();
  });
});
