/**
 * SharedSubscriptions as a unit, against a stand-in for the few aedes calls it makes
 * (`on`, `subscribe`, `unsubscribe`, `id`) and for clients (`publish`, `closed`, `clean`, the
 * packet parser). The stand-in lets each test decide what aedes' write callback reports and
 * when acknowledgements arrive, which a real broker and client do not let a test hold still.
 * The real behaviour on aedes and Mosquitto is in shared-subscriptions*.test.ts and
 * broker.test.ts.
 */
import { EventEmitter } from 'node:events';
import type { Aedes, AedesPublishPacket, Client, Subscription } from 'aedes';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSharedTopic, SharedSubscriptions } from '../src/shared-subscriptions';

type Listener = (packet: AedesPublishPacket, cb: () => void) => void;

/** What a client was handed: the copy and its write callback, to call as aedes would. */
interface Sent {
  packet: { topic: string; payload: Buffer; qos: number; retain: boolean; brokerId: string; brokerCounter: number };
  written: (this: { messageId?: number; qos?: number } | undefined) => void;
}

class FakeClient {
  readonly sent: Sent[] = [];
  closed = false;
  readonly _parser = new EventEmitter();
  constructor(readonly id: string, readonly clean = true) {}
  publish(packet: Sent['packet'], written: Sent['written']): void {
    this.sent.push({ packet, written });
  }
  /** aedes' write callback for copy `i`: with a packet id at `qos`, or nothing sent. */
  write(i: number, messageId?: number, qos = 1): void {
    const s = this.sent[i];
    if (!s) throw new Error(`${this.id}: no copy ${i}`);
    s.written.call(messageId === undefined ? undefined : { messageId, qos });
  }
  ack(messageId: number | undefined, cmd = 'puback'): void {
    this._parser.emit('packet', { cmd, messageId });
  }
  get payloads(): string[] {
    return this.sent.map((s) => s.packet.payload.toString());
  }
}

class FakeAedes extends EventEmitter {
  readonly id = 'broker-1';
  readonly listeners_: { filter: string; fn: Listener }[] = [];
  subscribe(filter: string, fn: Listener, cb: () => void): void {
    this.listeners_.push({ filter, fn });
    cb();
  }
  unsubscribe(filter: string, fn: Listener, cb: () => void): void {
    const i = this.listeners_.findIndex((l) => l.filter === filter && l.fn === fn);
    if (i >= 0) this.listeners_.splice(i, 1);
    cb();
  }
  /** Callbacks the listeners answered with (a shared copy answers once aedes has written it). */
  answered = 0;
  /** Delivers to every listener whose filter matches (exact, or a trailing `#`). */
  async publish(topic: string, payload: string, qos: 0 | 1 | 2 = 1): Promise<void> {
    const packet = { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: true, dup: false, messageId: 0 } as unknown as AedesPublishPacket;
    for (const { filter, fn } of [...this.listeners_]) {
      if (filter === topic || (filter.endsWith('#') && topic.startsWith(filter.slice(0, -1)))) fn(packet, () => this.answered++);
    }
    await Promise.resolve();
  }
}

const logged: Record<string, unknown>[] = [];
const log = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });

function setup() {
  const aedes = new FakeAedes();
  const shared = new SharedSubscriptions(log);
  shared.attach(aedes as unknown as Aedes);
  const allow = (_c: Client, sub: Subscription, cb: (e: Error | null, s?: Subscription | null) => void) => cb(null, sub);
  /** SUBSCRIBE as aedes would run it: answers what the callback got. */
  const subscribe = (client: FakeClient, topic: string, qos: 0 | 1 | 2 = 1, next = allow) =>
    new Promise<{ err: Error | null; granted: Subscription | null | undefined }>((resolve) =>
      shared.authorizeSubscribe(client as unknown as Client, { topic, qos } as Subscription, (err, granted) => resolve({ err, granted }), next));
  const disconnect = (client: FakeClient) => {
    client.closed = true;
    aedes.emit('clientDisconnect', client);
  };
  return { aedes, shared, subscribe, disconnect };
}

afterEach(() => {
  logged.length = 0;
  vi.useRealTimers();
});

describe('parseSharedTopic', () => {
  it('splits $share/{group}/{filter}; undefined for other topics, null for malformed shares', () => {
    expect(parseSharedTopic('$share/workers/helen/v1/+/predict')).toEqual({ group: 'workers', filter: 'helen/v1/+/predict' });
    expect(parseSharedTopic('$share/g/#')).toEqual({ group: 'g', filter: '#' });
    expect(parseSharedTopic('$share/g/a/')).toEqual({ group: 'g', filter: 'a/' });
    for (const topic of ['helen/v1/x', 'share/g/t', '$SYS/x', '$sharex/g/t', '']) expect(parseSharedTopic(topic), topic).toBeUndefined();
    for (const topic of ['$share', '$share/', '$share//t', '$share/g', '$share/g/', '$share/+/t', '$share/a+/t', '$share/#/t', '$share/g#/t']) {
      expect(parseSharedTopic(topic), topic).toBeNull();
    }
  });

  it('isShareTopic: $share and anything under $share/', () => {
    const { shared } = setup();
    expect(['$share', '$share/g/t', '$share/'].map((t) => shared.isShareTopic(t))).toEqual([true, true, true]);
    expect(['$sharex', 'share/g/t', 'a/$share/g', ''].map((t) => shared.isShareTopic(t))).toEqual([false, false, false, false]);
  });
});

describe('SharedSubscriptions (aedes stand-in)', () => {
  it('needs attach() first', async () => {
    const shared = new SharedSubscriptions(log);
    const c = new FakeClient('a');
    expect(() => shared.authorizeSubscribe(c as unknown as Client, { topic: '$share/g/t', qos: 1 } as Subscription, () => undefined, (_c, s, cb) => cb(null, s)))
      .toThrow('SharedSubscriptions used before attach()');
  });

  it('passes other topics to the next check untouched, refuses malformed shares without asking it, and joins only what it grants', async () => {
    const { shared, subscribe } = setup();
    const c = new FakeClient('a');
    const asked: string[] = [];
    const next = (_c: Client, sub: Subscription, cb: (e: Error | null, s?: Subscription | null) => void) => {
      asked.push(sub.topic);
      if (sub.topic.includes('denied')) return cb(null, null);
      if (sub.topic.includes('broken')) return cb(new Error('acl store down'));
      cb(null, { ...sub, qos: 0 });
    };
    expect(await subscribe(c, 'plain/topic', 1, next)).toEqual({ err: null, granted: { topic: 'plain/topic', qos: 0 } });
    expect(await subscribe(c, '$share//t', 1, next)).toEqual({ err: null, granted: null });
    expect(logged).toContainEqual(expect.objectContaining({ level: 20, clientId: 'a', topic: '$share//t', msg: 'invalid shared subscription refused' }));
    expect(await subscribe(c, '$share/g/denied', 1, next)).toEqual({ err: null, granted: null });
    const broken = await subscribe(c, '$share/g/broken', 1, next);
    expect(broken.err?.message).toBe('acl store down');
    expect(await subscribe(c, '$share/g/ok', 1, next)).toEqual({ err: null, granted: { topic: '$share/g/ok', qos: 0 } });
    expect(asked).toEqual(['plain/topic', '$share/g/denied', '$share/g/broken', '$share/g/ok']);
    expect(shared.snapshot()).toEqual({ '$share/g/ok': ['a'] });
    expect(logged).toContainEqual(expect.objectContaining({ clientId: 'a', share: '$share/g/ok', qos: 0, members: 1, msg: 'shared subscription joined' }));
  });

  it('gives each message to one member in turn, as a fresh non-retained copy at min(published, granted) QoS', async () => {
    const { aedes, subscribe } = setup();
    const a = new FakeClient('a');
    const b = new FakeClient('b');
    await subscribe(a, '$share/g/t', 1);
    await subscribe(b, '$share/g/t', 0);
    expect(aedes.listeners_.map((l) => l.filter)).toEqual(['t']); // one internal listener per group
    for (const p of ['m0', 'm1', 'm2', 'm3']) await aedes.publish('t', p, 2);
    expect(a.payloads).toEqual(['m0', 'm2']);
    expect(b.payloads).toEqual(['m1', 'm3']);
    expect(a.sent.map((s) => s.packet.qos)).toEqual([1, 1]);
    expect(b.sent.map((s) => s.packet.qos)).toEqual([0, 0]);
    const copy = a.sent[0]?.packet;
    expect(copy).toMatchObject({ topic: 't', retain: false, brokerId: 'broker-1/$share' });
    expect(a.sent[1]?.packet.brokerCounter).toBeGreaterThan(copy?.brokerCounter ?? Infinity);
  });

  it('a second SUBSCRIBE from the same connection replaces its granted QoS', async () => {
    const { aedes, shared, subscribe } = setup();
    const a = new FakeClient('a');
    await subscribe(a, '$share/g/t', 2);
    await aedes.publish('t', 'at 2', 2);
    await subscribe(a, '$share/g/t', 0);
    await aedes.publish('t', 'at 0', 2);
    expect(a.sent.map((s) => [s.packet.payload.toString(), s.packet.qos])).toEqual([['at 2', 2], ['at 0', 0]]);
    expect(shared.snapshot()).toEqual({ '$share/g/t': ['a'] });
  });

  it('answers at once when the group has no member left to deliver to', async () => {
    const { aedes, subscribe, disconnect } = setup();
    const a = new FakeClient('a');
    await subscribe(a, '$share/g/t');
    a.closed = true; // closed, the disconnect event not yet seen: skipped and removed at delivery
    await aedes.publish('t', 'nobody');
    expect(a.sent).toEqual([]);
    expect(aedes.answered).toBe(1); // aedes is told the delivery is done
    disconnect(a);
  });

  it('tracks QoS > 0 copies to clean members until PUBACK or PUBREC; QoS 0, downgraded and persistent copies are not tracked', async () => {
    const { aedes, shared, subscribe } = setup();
    const a = new FakeClient('a');
    await subscribe(a, '$share/g/t', 2);
    await aedes.publish('t', 'q1', 1);
    await aedes.publish('t', 'q2', 2);
    await aedes.publish('t', 'q0', 0);
    const inflight = () => shared.inflightSnapshot()['$share/g/t']?.a;
    expect(inflight()).toBe(2);
    a.write(0, 11, 1);
    a.write(1, 12, 2);
    a.write(2); // QoS 0: nothing to acknowledge
    expect(inflight()).toBe(2);
    a.ack(undefined); // no packet id: ignored
    a.ack(11, 'pubcomp'); // not an acknowledgement of delivery
    a.ack(12, 'suback');
    expect(inflight()).toBe(2);
    a.ack(11, 'puback');
    expect(inflight()).toBe(1);
    a.ack(12, 'pubrec');
    expect(inflight()).toBe(0);

    await aedes.publish('t', 'downgraded', 1);
    expect(inflight()).toBe(1);
    a.write(3, 13, 0); // aedes sent it at QoS 0
    expect(inflight()).toBe(0);

    const p = new FakeClient('p', false);
    const { aedes: aedes2, shared: shared2, subscribe: subscribe2 } = setup();
    await subscribe2(p, '$share/g/t', 1);
    await aedes2.publish('t', 'persistent', 1);
    expect(p.payloads).toEqual(['persistent']);
    expect(shared2.inflightSnapshot()).toEqual({ '$share/g/t': { p: 0 } });
  });

  it('drops the packet from an in-flight entry as it settles (acked, acked early, sent at QoS 0), not only the entry', async () => {
    // The entries themselves are private; Map.prototype.set shows them as they are stored. A
    // settled entry that still held its packet kept the payload alive through a rehashed
    // Map's old table until a full GC (see `forget` in shared-subscriptions.ts).
    const entries: { packet: unknown }[] = [];
    const set = Map.prototype.set;
    const spy = vi.spyOn(Map.prototype, 'set').mockImplementation(function (this: Map<unknown, unknown>, key, value) {
      if (value && typeof value === 'object' && 'packet' in value) entries.push(value as { packet: unknown });
      return set.call(this, key, value);
    });
    try {
      const { aedes, shared, subscribe } = setup();
      const a = new FakeClient('a');
      await subscribe(a, '$share/g/t', 1);
      await aedes.publish('t', 'acked', 1);
      await aedes.publish('t', 'early', 1);
      await aedes.publish('t', 'downgraded', 1);
      await aedes.publish('t', 'waiting', 1);
      expect(entries).toHaveLength(4);
      expect(entries.every((e) => e.packet !== null)).toBe(true);
      a.write(0, 1, 1);
      a.ack(1);
      a.ack(2);
      a.write(1, 2, 1);
      a.write(2, 3, 0);
      a.write(3, 4, 1);
      expect(shared.inflightSnapshot()['$share/g/t']?.a).toBe(1);
      expect(entries.map((e) => e.packet === null)).toEqual([true, true, true, false]);
    } finally {
      spy.mockRestore();
    }
  });

  it('matches an acknowledgement that arrives before aedes\' write callback, for 10 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { aedes, shared, subscribe } = setup();
    const a = new FakeClient('a');
    await subscribe(a, '$share/g/t', 1);
    const inflight = () => shared.inflightSnapshot()['$share/g/t']?.a;
    await aedes.publish('t', 'early', 1);
    a.ack(21); // before the write callback
    a.write(0, 21, 1);
    expect(inflight()).toBe(0);

    await aedes.publish('t', 'stale', 1);
    a.ack(22);
    vi.setSystemTime(Date.now() + 10_001);
    a.ack(99); // a later packet clears acknowledgements older than 10 s
    a.write(1, 22, 1);
    expect(inflight()).toBe(1);

    await aedes.publish('t', 'fresh', 1);
    a.ack(23);
    vi.setSystemTime(Date.now() + 9_000);
    a.ack(98);
    a.write(2, 23, 1);
    expect(inflight()).toBe(1); // 23 still matched; 22 stays unacknowledged
  });

  it('hands un-acknowledged copies of a member whose connection ends to the other members, and drops them when none is left', async () => {
    const { aedes, shared, subscribe, disconnect } = setup();
    const a = new FakeClient('a');
    const b = new FakeClient('b');
    await subscribe(a, '$share/g/t');
    await subscribe(b, '$share/g/t');
    await aedes.publish('t', 'to a', 1);
    await aedes.publish('t', 'to b', 1);
    await aedes.publish('t', 'to a, acked', 1);
    a.write(0, 1);
    a.write(1, 2);
    a.ack(2);
    expect(shared.inflightSnapshot()).toEqual({ '$share/g/t': { a: 1, b: 1 } });
    disconnect(a);
    expect(b.payloads).toEqual(['to b', 'to a']);
    expect(shared.snapshot()).toEqual({ '$share/g/t': ['b'] });
    expect(logged).toContainEqual(expect.objectContaining({ clientId: 'a', share: '$share/g/t', members: 1, msg: 'shared subscription left' }));
    expect(logged).toContainEqual(expect.objectContaining({ clientId: 'a', share: '$share/g/t', unacked: 1, moved: 1, msg: 'un-acknowledged shared deliveries handed over' }));

    disconnect(b); // two un-acknowledged copies, nobody to take them
    expect(logged).toContainEqual(expect.objectContaining({ clientId: 'b', unacked: 2, moved: 0 }));
    expect(shared.snapshot()).toEqual({});
    expect(aedes.listeners_).toEqual([]);
  });

  it('keeps a copy whose write callback comes after the connection closed, for the hand-over', async () => {
    const { aedes, subscribe, disconnect } = setup();
    const a = new FakeClient('a');
    const b = new FakeClient('b');
    await subscribe(a, '$share/g/t');
    await subscribe(b, '$share/g/t');
    await aedes.publish('t', 'lost with a', 1);
    a.closed = true;
    a.write(0); // nothing was sent: the connection had gone
    disconnect(a);
    expect(b.payloads).toEqual(['lost with a']);
  });

  it('skips and removes a member whose connection closed before its disconnect event, handing its copies over', async () => {
    const { aedes, shared, subscribe } = setup();
    const a = new FakeClient('a');
    const b = new FakeClient('b');
    const c = new FakeClient('c');
    for (const m of [a, b, c]) await subscribe(m, '$share/g/t');
    for (const p of ['m0', 'm1', 'm2']) await aedes.publish('t', p, 1); // a, b, c
    b.write(0, 4); // b holds m1, un-acknowledged
    b.closed = true;
    await aedes.publish('t', 'm3', 1); // a
    await aedes.publish('t', 'm4', 1); // b's turn, but closed: b leaves, its m1 goes to c, m4 to a
    expect(shared.snapshot()).toEqual({ '$share/g/t': ['a', 'c'] });
    expect([a.payloads, b.payloads, c.payloads]).toEqual([['m0', 'm3', 'm4'], ['m1'], ['m2', 'm1']]);
  });

  it('UNSUBSCRIBE leaves the group but keeps the copies the still-connected client may acknowledge', async () => {
    const { aedes, shared, subscribe } = setup();
    const a = new FakeClient('a');
    const b = new FakeClient('b');
    await subscribe(a, '$share/g/t');
    await subscribe(b, '$share/g/t');
    await aedes.publish('t', 'to a', 1);
    aedes.emit('unsubscribe', ['$share/g/t', 'plain/t', '$share//bad'], a);
    expect(shared.snapshot()).toEqual({ '$share/g/t': ['b'] });
    expect(b.payloads).toEqual([]);
    aedes.emit('unsubscribe', ['$share/other/t'], b); // a share it never joined: nothing happens
    expect(shared.snapshot()).toEqual({ '$share/g/t': ['b'] });
  });

  it('moves a member to the connection that takes over its client id, with the old connection\'s un-acknowledged copies', async () => {
    const { aedes, shared, subscribe, disconnect } = setup();
    const old = new FakeClient('a');
    await subscribe(old, '$share/g/t');
    await aedes.publish('t', 'unacked', 1);
    old.write(0, 5);
    const fresh = new FakeClient('a');
    await subscribe(fresh, '$share/g/t');
    expect(fresh.payloads).toEqual(['unacked']);
    disconnect(old); // the old connection's end must not evict the new one
    expect(shared.snapshot()).toEqual({ '$share/g/t': ['a'] });
    await aedes.publish('t', 'next', 1);
    expect(fresh.payloads).toEqual(['unacked', 'next']);
  });

  it('a filter starting with a wildcard gets no $-topics; a $-filter does', async () => {
    const { aedes, subscribe } = setup();
    const wild = new FakeClient('wild');
    const plus = new FakeClient('plus');
    const sys = new FakeClient('sys');
    const mid = new FakeClient('mid');
    await subscribe(wild, '$share/g/#');
    await subscribe(plus, '$share/g/+/x');
    await subscribe(sys, '$share/g/$SYS/#');
    await subscribe(mid, '$share/g/a/#');
    // The stand-in matches `+/x` only literally: deliver to it by hand.
    const plusListener = aedes.listeners_.find((l) => l.filter === '+/x');
    plusListener?.fn({ topic: '$SYS/x', payload: Buffer.from('sys'), qos: 0 } as AedesPublishPacket, () => aedes.answered++);
    await aedes.publish('$SYS/uptime', 'up', 0);
    await aedes.publish('a/$b', 'a', 0);
    expect(wild.payloads).toEqual(['a']);
    expect(plus.payloads).toEqual([]);
    expect(sys.payloads).toEqual(['up']);
    expect(mid.payloads).toEqual(['a']);
  });

  it('clear() drops every group and its internal listener', async () => {
    const { aedes, shared, subscribe } = setup();
    const a = new FakeClient('a');
    await subscribe(a, '$share/g/t');
    await subscribe(a, '$share/h/u');
    shared.clear();
    expect(shared.snapshot()).toEqual({});
    expect(aedes.listeners_).toEqual([]);
    await aedes.publish('t', 'after clear');
    expect(a.sent).toEqual([]);
  });
});
