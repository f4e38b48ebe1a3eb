/**
 * Adds up scored streams into the benchmark's figures (per class, per condition, overall,
 * idle) and prints them as markdown next to the targets.
 */
import type { ScoredSign, StreamScore } from './scorer';

export interface Tally {
  signs: number;
  exact: number;
  missed: number;
  wrong: number;
  double: number;
  /** Events with another label during signs, and repeated events for one sign. */
  wrongEvents: number;
  doubleEvents: number;
  latenciesMs: number[];
}

export interface Summary {
  signs: number;
  exact: number;
  missed: number;
  wrong: number;
  double: number;
  wrongEvents: number;
  doubleEvents: number;
  /** Shares of signs (0-1). */
  exactRate: number;
  wrongOrDoubleEventRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface IdleTotals {
  ms: number;
  /** The part of `ms` with hands in view (the gates keep every other stretch quiet). */
  handsMs: number;
  falseEvents: number;
  /** The same, only in streams where nobody signs. */
  idleOnlyMs: number;
  idleOnlyFalseEvents: number;
  byLabel: Record<string, number>;
}

export interface BenchReport {
  streams: number;
  idleOnlyStreams: number;
  frames: number;
  windows: number;
  /** Frame time of all streams. */
  hours: number;
  overall: Summary;
  perClass: Record<string, Summary>;
  byCondition: Record<string, Summary>;
  idle: IdleTotals & { hours: number; falsePer10h: number | null; falsePer10hWithHands: number | null };
}

/** The targets (item 2), reported next to the figures; nothing here is tuned to them. */
export const TARGETS = { exactRate: 0.97, wrongOrDoubleEventRate: 0.005, falsePer10h: 1, latencyP50Ms: 900 } as const;

const emptyTally = (): Tally => ({ signs: 0, exact: 0, missed: 0, wrong: 0, double: 0, wrongEvents: 0, doubleEvents: 0, latenciesMs: [] });

/** Nearest-rank percentile (q in 0-1) of unsorted values; null when there are none. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function summarize(t: Tally): Summary {
  return {
    signs: t.signs, exact: t.exact, missed: t.missed, wrong: t.wrong, double: t.double,
    wrongEvents: t.wrongEvents, doubleEvents: t.doubleEvents,
    exactRate: t.signs ? t.exact / t.signs : 0,
    wrongOrDoubleEventRate: t.signs ? (t.wrongEvents + t.doubleEvents) / t.signs : 0,
    latencyP50Ms: percentile(t.latenciesMs, 0.5),
    latencyP95Ms: percentile(t.latenciesMs, 0.95),
  };
}

export class BenchTotals {
  private streams = 0;
  private idleOnlyStreams = 0;
  private frames = 0;
  private windows = 0;
  private ms = 0;
  private readonly overall = emptyTally();
  private readonly perClass = new Map<string, Tally>();
  private readonly byCondition = new Map<string, Tally>();
  private readonly idle: IdleTotals = { ms: 0, handsMs: 0, falseEvents: 0, idleOnlyMs: 0, idleOnlyFalseEvents: 0, byLabel: {} };

  /** `labels`: every class, so a class no stream drew still gets its (empty) row. */
  constructor(labels: readonly string[]) {
    for (const l of labels) this.perClass.set(l, emptyTally());
  }

  add(score: StreamScore, info: { idleOnly: boolean; frames: number; windows: number; durationMs: number }): void {
    this.streams++;
    this.ms += info.durationMs;
    if (info.idleOnly) this.idleOnlyStreams++;
    this.frames += info.frames;
    this.windows += info.windows;
    for (const s of score.signs) {
      const rows = [this.overall, this.row(this.perClass, s.label), ...s.tags.map((t) => this.row(this.byCondition, t))];
      for (const r of rows) count(r, s);
    }
    this.idle.ms += score.idleMs;
    this.idle.handsMs += score.idleHandsMs;
    this.idle.falseEvents += score.idleFalse.length;
    if (info.idleOnly) {
      this.idle.idleOnlyMs += score.idleMs;
      this.idle.idleOnlyFalseEvents += score.idleFalse.length;
    }
    for (const e of score.idleFalse) this.idle.byLabel[e.label] = (this.idle.byLabel[e.label] ?? 0) + 1;
  }

  report(): BenchReport {
    const hours = this.idle.ms / 3_600_000;
    const map = (m: Map<string, Tally>) => Object.fromEntries([...m].map(([k, v]) => [k, summarize(v)]));
    return {
      streams: this.streams, idleOnlyStreams: this.idleOnlyStreams, frames: this.frames, windows: this.windows,
      hours: this.ms / 3_600_000, overall: summarize(this.overall), perClass: map(this.perClass),
      byCondition: Object.fromEntries(Object.entries(map(this.byCondition)).sort(([a], [b]) => a.localeCompare(b))),
      idle: {
        ...this.idle, hours, falsePer10h: hours > 0 ? (this.idle.falseEvents / hours) * 10 : null,
        falsePer10hWithHands: this.idle.handsMs > 0 ? (this.idle.falseEvents / this.idle.handsMs) * 36_000_000 : null,
      },
    };
  }

  private row(m: Map<string, Tally>, key: string): Tally {
    let t = m.get(key);
    if (!t) m.set(key, (t = emptyTally()));
    return t;
  }
}

function count(t: Tally, s: ScoredSign): void {
  t.signs++;
  t[s.outcome]++;
  t.wrongEvents += s.wrongEvents;
  t.doubleEvents += Math.max(0, s.correctEvents - 1);
  if (s.latencyMs !== undefined) t.latenciesMs.push(s.latencyMs);
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '-');
const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)}`);

function tableRow(name: string, s: Summary): string {
  return `| ${name} | ${s.signs} | ${pct(s.exact, s.signs)} | ${pct(s.missed, s.signs)} | ${pct(s.wrong, s.signs)} | ${pct(s.double, s.signs)} | ${ms(s.latencyP50Ms)} | ${ms(s.latencyP95Ms)} |`;
}

const HEADER = '| | signs | caught exactly once | missed | wrong | double | onset to event p50 ms | p95 ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';

export function formatReport(r: BenchReport, title: string): string {
  const o = r.overall;
  const i = r.idle;
  const mark = (ok: boolean) => (ok ? 'met' : 'not met');
  const falsePer10h = i.falsePer10h === null ? '-' : i.falsePer10h.toFixed(1);
  const labels = Object.entries(i.byLabel).sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ') || 'none';
  return [
    `### ${title}`,
    '',
    `${r.streams} streams (${r.idleOnlyStreams} without signs), ${r.hours.toFixed(2)} h of frame time, ${r.frames} frames, ${r.windows} windows scored; ${o.signs} signs.`,
    '',
    HEADER,
    ...Object.entries(r.perClass).map(([k, s]) => tableRow(k, s)),
    tableRow('**all**', o),
    '',
    'By condition (a sign counts in each of its rows):',
    '',
    HEADER,
    ...Object.entries(r.byCondition).map(([k, s]) => tableRow(k, s)),
    '',
    `Events: ${o.wrongEvents} wrong and ${o.doubleEvents} repeated during signs (${(100 * o.wrongOrDoubleEventRate).toFixed(2)}% of signs).`,
    `Idle: ${i.hours.toFixed(2)} h of frame time outside signs (${(i.idleOnlyMs / 3_600_000).toFixed(2)} h in streams without signs; ${(i.handsMs / 3_600_000).toFixed(2)} h with hands in view), `
      + `${i.falseEvents} false events (${i.idleOnlyFalseEvents} in streams without signs) = ${falsePer10h} per 10 h `
      + `(${i.falsePer10hWithHands === null ? '-' : i.falsePer10hWithHands.toFixed(1)} per 10 h with hands in view); by label: ${labels}.`,
    '',
    `Targets (issue 12): caught exactly once >= 97%: ${(100 * o.exactRate).toFixed(1)}% (${mark(o.exactRate >= TARGETS.exactRate)}); `
      + `wrong or double events <= 0.5% of signs: ${(100 * o.wrongOrDoubleEventRate).toFixed(2)}% (${mark(o.wrongOrDoubleEventRate <= TARGETS.wrongOrDoubleEventRate)}); `
      + `<= 1 false event per 10 h idle: ${falsePer10h} (${mark(i.falsePer10h !== null && i.falsePer10h <= TARGETS.falsePer10h)}); `
      + `onset to event p50 <= 900 ms: ${ms(o.latencyP50Ms)} (${mark(o.latencyP50Ms !== null && o.latencyP50Ms <= TARGETS.latencyP50Ms)}).`,
  ].join('\n');
}
