/**
 * Requests awaiting a correlated reply, by id. Every entry is settled exactly once: by its
 * reply, its deadline, being superseded, or a bulk failure (disconnect, no worker, shutdown).
 * Whatever arrives after that (a late reply, a duplicate) finds no entry and is only counted,
 * so nothing answers twice and nothing leaks. Used by the facade (/predict) and the edge.
 */
export type Settled<R, F> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly failure: F };

export interface PendingOptions<F> {
  /** How long an entry waits for its reply. */
  readonly timeoutMs: number;
  /** Send the same payload once more after this long without a reply (undefined or >= timeout: never). */
  readonly retryAfterMs?: number | undefined;
  /** At most this many wait; a new request settles the oldest as superseded (undefined: no limit). */
  readonly maxPending?: number | undefined;
  /** Publishes a request payload (the same id and payload again on a retry). */
  send(id: string, payload: Buffer): void;
  /** The failure a timed-out entry settles with. */
  /** The failure of a request whose deadline passed (told its id). */
  timedOut(id: string): F;
  /** The failure a superseded entry settles with. */
  superseded(): F;
}

export interface PendingCounters {
  retries: number;
  timeouts: number;
  superseded: number;
}

type Settle<R, F> = (s: Settled<R, F>) => void;

/** Its fields are cleared once the entry is settled (see take()). */
interface Entry<R, F> {
  payload: Buffer | undefined;
  retried: boolean;
  timer: NodeJS.Timeout | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  settle: Settle<R, F> | undefined;
}

export class PendingRequests<R, F> {
  private readonly entries = new Map<string, Entry<R, F>>();
  readonly counters: PendingCounters = { retries: 0, timeouts: 0, superseded: 0 };

  constructor(private readonly opts: PendingOptions<F>) {}

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Registers and sends; settles with the reply or a failure, never rejects. */
  request(id: string, payload: Buffer): Promise<Settled<R, F>> {
    const { maxPending } = this.opts;
    if (maxPending !== undefined) {
      while (this.entries.size >= maxPending) {
        const oldest = this.entries.keys().next().value as string;
        this.supersede(oldest);
      }
    }
    return new Promise<Settled<R, F>>((settle) => {
      const { timeoutMs, retryAfterMs } = this.opts;
      const entry: Entry<R, F> = {
        payload,
        retried: false,
        settle,
        timer: setTimeout(() => {
          if (this.fail(id, this.opts.timedOut(id))) this.counters.timeouts++;
        }, timeoutMs),
        retryTimer: retryAfterMs !== undefined && retryAfterMs < timeoutMs ? setTimeout(() => this.retry(id), retryAfterMs) : undefined,
      };
      this.entries.set(id, entry);
      this.opts.send(id, payload);
    });
  }

  /** False for an id that is not (or no longer) pending. */
  resolve(id: string, value: R): boolean {
    const settle = this.take(id);
    settle?.({ ok: true, value });
    return settle !== undefined;
  }

  fail(id: string, failure: F): boolean {
    const settle = this.take(id);
    settle?.({ ok: false, failure });
    return settle !== undefined;
  }

  failAll(failure: F): void {
    for (const id of [...this.entries.keys()]) this.fail(id, failure);
  }

  /** Settles every entry registered before `id` as superseded: a newer answer makes them moot. */
  supersedeOlderThan(id: string): void {
    if (!this.entries.has(id)) return;
    for (const older of [...this.entries.keys()]) {
      if (older === id) return;
      this.supersede(older);
    }
  }

  /**
   * Resends every request not retried yet, e.g. when a worker went offline and may have
   * taken some of them with it. Same id: whichever reply comes first answers.
   */
  retryAll(): void {
    for (const id of [...this.entries.keys()]) this.retry(id);
  }

  /**
   * Sends every pending request again, retried or not: for when all of them may be lost
   * (the last worker went away and one is back). Same id: whichever reply comes first answers.
   */
  resendAll(): void {
    for (const [id, e] of [...this.entries]) if (e.payload) this.opts.send(id, e.payload);
  }

  private supersede(id: string): void {
    if (this.fail(id, this.opts.superseded())) this.counters.superseded++;
  }

  private retry(id: string): void {
    const e = this.entries.get(id);
    if (!e?.payload || e.retried) return;
    e.retried = true;
    clearTimeout(e.retryTimer);
    this.counters.retries++;
    this.opts.send(id, e.payload);
  }

  /**
   * Removes a pending entry and returns how to settle it (undefined: not pending).
   *
   * The entry's fields are cleared on the way out. Without that, settled entries were
   * promoted to V8's old generation under load, and with them their payload, their promise
   * and the whole request behind it (in the facade: the HTTP request and its 25 KB body),
   * which then waited for a full GC (measured in bench/README.md "Memory"). The likely path:
   * `entries` lives in the old generation, a Map that rehashes leaves its previous table
   * behind still pointing at the entries it held, and a young-generation GC takes every
   * old-to-young pointer as live, garbage or not. A cleared entry drags nothing along.
   */
  private take(id: string): Settle<R, F> | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.entries.delete(id);
    clearTimeout(e.timer);
    clearTimeout(e.retryTimer);
    const settle = e.settle;
    e.payload = undefined;
    e.settle = undefined;
    e.timer = undefined;
    e.retryTimer = undefined;
    return settle;
  }
}
