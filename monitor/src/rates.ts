/**
 * Per-device message rates over the monitor's print interval, and the requests still waiting
 * for a reply (to give a reply its device and its latency). Pure: the clock comes from the caller.
 */
import type { MonitorEvent } from './decode';

export type RateKind = 'requests' | 'replies' | 'gestures' | 'errors';

export type DeviceCounts = Record<RateKind, number>;

export interface DeviceRates extends DeviceCounts {
  requests_per_s: number;
  replies_per_s: number;
  gestures_per_s: number;
  errors_per_s: number;
}

/** Also the `--json` rates line (with `ts`). */
export interface RatesSnapshot {
  type: 'rates';
  /** The time the counts cover, seconds (the real time since the last snapshot, not the nominal interval). */
  interval_s: number;
  devices: Record<string, DeviceRates>;
}

/**
 * Where an event counts: its device, or `api/{instance}` for a facade reply whose request the
 * monitor did not see. Status, metadata and other topics are not traffic of a device.
 */
export function rateOf(event: MonitorEvent): { key: string; kind: RateKind } | undefined {
  const key = (e: { device?: string | undefined; instance?: string | undefined }) =>
    e.device ?? (e.instance !== undefined ? `api/${e.instance}` : undefined);
  let where: string | undefined;
  let kind: RateKind;
  switch (event.type) {
    case 'request': where = event.device; kind = 'requests'; break;
    case 'reply': where = key(event); kind = 'replies'; break;
    case 'gesture': where = event.device; kind = 'gestures'; break;
    // An error reply is a reply and an error: it counts as an error only, so replies/s is answers.
    case 'error': where = key(event); kind = 'errors'; break;
    case 'undecodable': where = key(event); kind = 'errors'; break;
    default: return undefined;
  }
  return where === undefined ? undefined : { key: where, kind };
}

export class RateCounter {
  private counts = new Map<string, DeviceCounts>();
  /** Devices with traffic in the previous interval: printed once more at zero when they go quiet. */
  private previous = new Set<string>();
  private since: number;

  constructor(startMs: number) {
    this.since = startMs;
  }

  count(event: MonitorEvent): void {
    const r = rateOf(event);
    if (!r) return;
    let c = this.counts.get(r.key);
    if (!c) {
      c = { requests: 0, replies: 0, gestures: 0, errors: 0 };
      this.counts.set(r.key, c);
    }
    c[r.kind]++;
  }

  /** The rates since the last take() (or the start), then starts a new interval. Devices sorted by name. */
  take(nowMs: number): RatesSnapshot {
    const seconds = Math.max(nowMs - this.since, 1) / 1000;
    const names = [...new Set([...this.counts.keys(), ...this.previous])].sort();
    const devices: Record<string, DeviceRates> = {};
    for (const name of names) {
      const c = this.counts.get(name) ?? { requests: 0, replies: 0, gestures: 0, errors: 0 };
      const perS = (k: RateKind) => round2(c[k] / seconds);
      devices[name] = { ...c, requests_per_s: perS('requests'), replies_per_s: perS('replies'), gestures_per_s: perS('gestures'), errors_per_s: perS('errors') };
    }
    this.previous = new Set(this.counts.keys());
    this.counts = new Map();
    this.since = nowMs;
    return { type: 'rates', interval_s: round2(seconds), devices };
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Requests seen and not yet answered, by id: a reply takes its device (a facade reply's topic
 * names no device) and its latency from here. Bounded in count and age, so requests nobody
 * answers (expired, dropped) cannot grow it without limit.
 */
export class InFlightRequests {
  private readonly seen = new Map<string, { device: string; atMs: number }>();

  constructor(private readonly maxEntries = 10_000, private readonly maxAgeMs = 60_000) {}

  get size(): number {
    return this.seen.size;
  }

  add(id: string, device: string, atMs: number): void {
    this.seen.delete(id); // a re-sent id moves to the back (Map order is insertion order)
    this.seen.set(id, { device, atMs });
    for (const [oldId, entry] of this.seen) {
      if (this.seen.size <= this.maxEntries && atMs - entry.atMs <= this.maxAgeMs) break;
      this.seen.delete(oldId);
    }
  }

  /** The request's device and the time since it was seen; forgets it (a duplicate reply gets no latency). */
  answer(id: string, atMs: number): { device: string; latencyMs: number } | undefined {
    const entry = this.seen.get(id);
    if (!entry) return undefined;
    this.seen.delete(id);
    return { device: entry.device, latencyMs: atMs - entry.atMs };
  }
}
