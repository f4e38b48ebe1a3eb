import { describe, expect, it } from 'vitest';
import { createTopics, encodeRequestBinary, sequenceFromRows } from '@helen/schemas';
import { window } from '@helen/runtime/testing';
import { clean, clock, decodeMessage, formatBytes, formatEvent, formatRates, RateCounter, type MonitorEvent } from '../src/index';

const TS = new Date(2026, 10, 26, 4, 3, 19, 514).getTime(); // local time, as the monitor prints it
const T = '04:03:19.514';

const events: [MonitorEvent, string][] = [
  [{
    type: 'request', topic: 'helen/v1/devices/pi-kitchen/predict', device: 'pi-kitchen', id: 'pi-kitchen.2d7e72.92', frames: 30, features: 84,
    encoding: 'f16', mask: true, deadline_left_ms: 993, reply_to: 'helen/v1/devices/pi-kitchen/predictions', bytes: 5318,
  }, `${T} request  pi-kitchen       id=pi-kitchen.2d7e72.92 30x84 f16 +mask  deadline in 993 ms  5.3 kB`],
  [{
    type: 'request', topic: 't', device: 'pi', id: 'late', frames: 15, features: 126, encoding: 'json', mask: false, deadline_left_ms: -40, reply_to: 'r', bytes: 999,
  }, `${T} request  pi               id=late 15x126 json  deadline passed 40 ms ago  999 B`],
  [{
    type: 'reply', topic: 't', device: 'pi-kitchen', id: 'r1', label: 'Inicio', score: 0.9951, worker: 'vm-1', model: 'm@1', elapsed_ms: 6.24,
    batch_size: 1, latency_ms: 6, bytes: 700,
  }, `${T} reply    pi-kitchen       id=r1 Inicio 0.995  worker vm-1  infer 6.2 ms  batch 1  latency 6 ms`],
  [{
    type: 'reply', topic: 't', instance: 'api-9', id: 'r2', label: '7', score: 0.5, worker: 'w', model: 'm', elapsed_ms: 3, batch_size: 4, bytes: 1,
  }, `${T} reply    api/api-9        id=r2 7 0.500  worker w  infer 3 ms  batch 4`],
  [{
    type: 'error', topic: 't', device: 'pi-hall', id: 'bad-1', code: 'invalid_request', message: 'sequence frames have 3 features', worker: 'w1', latency_ms: 8, bytes: 1,
  }, `${T} error    pi-hall          id=bad-1 invalid_request: sequence frames have 3 features  worker w1  latency 8 ms`],
  [{ type: 'gesture', topic: 't', device: 'pi-kitchen', label: 'Reloj', score: 0.996, sequence: 2, served_by: 'cloud', bytes: 1 },
    `${T} gesture  pi-kitchen       Reloj 0.996  #2  via cloud`],
  [{ type: 'status', topic: 't', role: 'worker', name: 'vm-25645', state: 'online', model: 'helen-bigru@e7fab99adb66', bytes: 1 },
    `${T} status   vm-25645         worker online  model helen-bigru@e7fab99adb66`],
  [{ type: 'status', topic: 't', role: 'device', name: 'pi', state: 'offline', bytes: 1 }, `${T} status   pi               device offline`],
  [{ type: 'metadata', topic: 't', model_id: 'helen-bigru@e7fab99adb66', classes: 22, seq_len: 30, feature_dim: 84, bytes: 1 },
    `${T} metadata helen-bigru@e7fab99adb66 22 classes  T=30 F=84`],
  [{ type: 'cleared', topic: 'helen/v1/devices/pi/status', kind: 'device-status', name: 'pi', bytes: 0 }, `${T} status   pi               retained message cleared`],
  [{ type: 'other', topic: 'helen/v1/debug/note', bytes: 17, head: 'hello\nfrom a test', head_encoding: 'text' },
    `${T} other    helen/v1/debug/note 17 B  "hello\\nfrom a test"`],
  [{ type: 'other', topic: 'x', bytes: 4, head: '48420100', head_encoding: 'hex' }, `${T} other    x                4 B  hex 48420100`],
  [{ type: 'undecodable', topic: 't', kind: 'request', device: 'pi-hall', reason: 'binary request truncated: 8 bytes, the header alone is 28', bytes: 8 },
    `${T} request  pi-hall          undecodable: binary request truncated: 8 bytes, the header alone is 28 (8 B)`],
  [{ type: 'undecodable', topic: 'helen/v1/model/metadata', kind: 'metadata', reason: 'invalid model metadata: x', bytes: 3 },
    `${T} metadata helen/v1/model/metadata undecodable: invalid model metadata: x (3 B)`],
];

describe('formatEvent: text lines', () => {
  it.each(events.map(([e, line]) => [e.type, e, line] as const))('%s', (_type, event, line) => {
    expect(formatEvent(event, TS, false)).toBe(`${line}\n`);
  });

  it('keeps a hostile id, reason or topic on one line and bounded', () => {
    const line = formatEvent({
      type: 'undecodable', topic: 'evil\ntopic', kind: 'request', id: 'a\nb\u001b[31m', reason: `x\r\n${'y'.repeat(500)}`, bytes: 1,
    }, TS, false);
    expect(line.split('\n')).toEqual([expect.any(String), '']);
    expect(line).toContain('id=a\\nb\\u001b[31m undecodable: x\\r\\n');
    expect(line.length).toBeLessThan(300);
  });

  it('prints a request decoded from the real binary codec', () => {
    const topics = createTopics();
    const payload = encodeRequestBinary({ id: 'x1', reply_to: 'r', deadline: TS + 1000 }, sequenceFromRows(window(30, 84)), 'f32');
    expect(formatEvent(decodeMessage(topics, topics.predict('pi'), payload, TS), TS, false))
      .toBe(`${T} request  pi               id=x1 30x84 f32  deadline in 1000 ms  10.1 kB\n`);
  });
});

describe('formatEvent: --json lines', () => {
  it('is the event as one JSON object with type first and the time as epoch ms', () => {
    for (const [event] of events) {
      const line = formatEvent(event, TS, true);
      expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(parsed).slice(0, 2)).toEqual(['type', 'ts']);
      expect(parsed).toEqual({ ...event, ts: TS });
    }
  });
});

describe('formatRates', () => {
  const counter = new RateCounter(TS - 2000);
  counter.count(events[0]![0]);
  counter.count(events[0]![0]);
  counter.count(events[2]![0]);
  counter.count(events[3]![0]); // a facade reply: counted under api/<instance>
  counter.count(events[5]![0]);
  counter.count(events[4]![0]); // an error reply: an error, not a reply
  counter.count(events[12]![0]); // undecodable on pi-hall: an error
  counter.count(events[6]![0]); // a status: not traffic
  const snapshot = counter.take(TS);

  it('prints one text line per device, sorted by name', () => {
    expect(formatRates(snapshot, TS, false)).toBe([
      `${T} rates    api/api-9        req 0.0/s  reply 0.5/s  gesture 0.0/s  err 0.0/s  over 2 s`,
      `${T} rates    pi-hall          req 0.0/s  reply 0.0/s  gesture 0.0/s  err 1.0/s  over 2 s`,
      `${T} rates    pi-kitchen       req 1.0/s  reply 0.5/s  gesture 0.5/s  err 0.0/s  over 2 s`,
      '',
    ].join('\n'));
  });

  it('prints one JSON object with counts and rates per device', () => {
    expect(JSON.parse(formatRates(snapshot, TS, true))).toEqual({
      type: 'rates', ts: TS, interval_s: 2, devices: {
        'api/api-9': { requests: 0, replies: 1, gestures: 0, errors: 0, requests_per_s: 0, replies_per_s: 0.5, gestures_per_s: 0, errors_per_s: 0 },
        'pi-hall': { requests: 0, replies: 0, gestures: 0, errors: 2, requests_per_s: 0, replies_per_s: 0, gestures_per_s: 0, errors_per_s: 1 },
        'pi-kitchen': { requests: 2, replies: 1, gestures: 1, errors: 0, requests_per_s: 1, replies_per_s: 0.5, gestures_per_s: 0.5, errors_per_s: 0 },
      },
    });
  });

  it('prints no text line when no device had traffic, but still a JSON object', () => {
    const quiet = new RateCounter(TS).take(TS + 5000);
    expect(formatRates(quiet, TS, false)).toBe('');
    expect(JSON.parse(formatRates(quiet, TS, true))).toEqual({ type: 'rates', ts: TS, interval_s: 5, devices: {} });
  });
});

describe('small formatters', () => {
  it('clock is local HH:MM:SS.mmm', () => {
    expect(clock(new Date(2026, 0, 2, 3, 4, 5, 6).getTime())).toBe('03:04:05.006');
  });

  it('formatBytes switches to kB at 1000', () => {
    expect([formatBytes(0), formatBytes(999), formatBytes(1000), formatBytes(5318)]).toEqual(['0 B', '999 B', '1.0 kB', '5.3 kB']);
  });

  it('clean escapes control characters and cuts long text with an ellipsis', () => {
    expect(clean('a\tb\u0000c\u2028')).toBe('a\\tb\\u0000c\\u2028');
    expect(clean('abcdef', 4)).toBe('abc…');
  });
});
