/**
 * Counts what each fuzz target did with its inputs: tried, refused (by error class or code),
 * accepted, and crashes (an exception that escaped the code under test: must stay 0). The
 * tests assert on it, the report prints it.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export class Tally {
  tried = 0;
  accepted = 0;
  readonly refused = new Map<string, number>();
  readonly crashes: string[] = [];

  constructor(readonly target: string) {}

  accept(): void {
    this.tried++;
    this.accepted++;
  }

  refuse(errorClass: string): void {
    this.tried++;
    this.refused.set(errorClass, (this.refused.get(errorClass) ?? 0) + 1);
  }

  crash(what: string): void {
    this.tried++;
    this.crashes.push(what.slice(0, 300));
  }

  get refusedTotal(): number {
    let n = 0;
    for (const v of this.refused.values()) n += v;
    return n;
  }

  /** `maxClasses`: the most frequent refusal classes listed, the rest folded into one line. */
  summary(maxClasses = 40): string {
    const sorted = [...this.refused.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const classes = sorted.slice(0, maxClasses).map(([k, v]) => `    ${String(v).padStart(6)}  ${k}`);
    const rest = sorted.slice(maxClasses);
    if (rest.length > 0) classes.push(`    ${String(rest.reduce((a, [, v]) => a + v, 0)).padStart(6)}  (${rest.length} rarer classes)`);
    return [
      `${this.target}: tried ${this.tried}, accepted ${this.accepted}, refused ${this.refusedTotal} (${this.refused.size} classes), crashes ${this.crashes.length}`,
      ...classes,
      ...this.crashes.slice(0, 5).map((c) => `    CRASH ${c}`),
    ].join('\n');
  }
}

/**
 * A short, stable class for an error message: numbers, quoted text and indexes stripped, so
 * "sequence[3][7] is NaN" and "sequence[0][1] is NaN" count as one class.
 */
export function errorClass(message: string): string {
  return message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, '\'…\'')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N')
    .replace(/ \([^()]*\)$/, '')
    .split(';')[0]!
    .trim()
    .slice(0, 80);
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
}

/** The garbage collector, when it can be had: `--expose-gc`, else V8's flag set at run time. */
function gcFunction(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** RSS and heap after a full GC (when available), so two samples compare retained memory. */
export function memory(): MemorySample {
  const gc = gcFunction();
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

export function formatMemory(before: MemorySample, after: MemorySample): string {
  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const d = (n: number): string => `${n >= 0 ? '+' : ''}${(n / 2 ** 20).toFixed(1)} MiB`;
  return `rss ${mb(before.rss)} -> ${mb(after.rss)} (${d(after.rss - before.rss)}), heapUsed ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} (${d(after.heapUsed - before.heapUsed)})`;
}
