/**
 * The account of a chaos run: every request is entered when sent and settled exactly once
 * (a reply, an error reply / HTTP error, or an explicit timeout at the caller). Anything that
 * arrives for an already settled request is counted (duplicate after a reply, late after a
 * timeout), never settles it twice.
 */
export type Outcome = string; // 'reply', 'error:<code>', 'http:<status>', 'timeout', 'left-open', 'network:<code>'

interface Entry {
  sentAt: number;
  outcome?: Outcome;
}

export class Ledger {
  private readonly entries = new Map<string, Entry>();
  private readonly successTimes: number[] = [];
  duplicates = 0;
  late = 0;
  /** Answers for ids this ledger never sent (should stay 0). */
  strangers = 0;

  sent(id: string): void {
    this.entries.set(id, { sentAt: Date.now() });
  }

  /** Settles `id` with `outcome` unless it is settled already; returns whether it did. */
  settle(id: string, outcome: Outcome): boolean {
    const e = this.entries.get(id);
    if (!e) {
      this.strangers++;
      return false;
    }
    if (e.outcome !== undefined) {
      if (outcome === 'timeout' || outcome === 'left-open') return false; // the caller's own timer, after an answer
      if (e.outcome === 'timeout' || e.outcome === 'left-open') this.late++;
      else this.duplicates++;
      return false;
    }
    e.outcome = outcome;
    if (outcome === 'reply' || outcome === 'http:200') this.successTimes.push(Date.now());
    return true;
  }

  isOpen(id: string): boolean {
    return this.entries.get(id)?.outcome === undefined;
  }

  get total(): number {
    return this.entries.size;
  }

  /** Requests with no outcome (after the run has waited out every deadline this must be 0). */
  unsettled(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.outcome === undefined) n++;
    return n;
  }

  outcomes(): Record<Outcome, number> {
    const counts: Record<Outcome, number> = {};
    for (const e of this.entries.values()) {
      const k = e.outcome ?? 'unsettled';
      counts[k] = (counts[k] ?? 0) + 1;
    }
    return counts;
  }

  /** Successes at or after `t` (ms since epoch). */
  successesSince(t: number): number {
    return this.successTimes.filter((s) => s >= t).length;
  }

  /** Longest time between consecutive successes (and from `from` to the first, and the last to `to`). */
  longestGapMs(from: number, to: number): { ms: number; startsAt: number } {
    const times = [from, ...[...this.successTimes].sort((a, b) => a - b), to];
    let best = { ms: 0, startsAt: from };
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      if (gap > best.ms) best = { ms: gap, startsAt: times[i - 1]! };
    }
    return best;
  }
}
