/**
 * Greedy micro-batching queue, after Triton's default dynamic batcher: requests wait here
 * while a batch runs; the next batch takes the oldest request and every other queued request
 * with the same number of frames T (one tensor needs one T), oldest first, up to maxBatch.
 * Pure data structure: the caller owns the clock and the timer, so it is tested without I/O.
 */
export interface Batchable {
  /** Frames of the prepared model input: requests with equal T batch together. */
  readonly frames: number;
  /** Epoch ms past which the request must not be answered. */
  readonly deadline: number;
  /** Epoch ms when the worker received it. */
  readonly received: number;
}

export interface BatchQueueOptions {
  maxBatch: number;
  queueLimit: number;
  /** Optional wait for a fuller batch, ms from the oldest request's arrival; 0 = none. */
  maxWaitMs: number;
}

interface Entry<T> {
  readonly item: T;
  readonly seq: number;
}

export class BatchQueue<T extends Batchable> {
  // One FIFO per T; the oldest request overall is the head with the smallest seq.
  private readonly groups = new Map<number, Entry<T>[]>();
  private count = 0;
  private nextSeq = 0;

  constructor(private readonly opts: BatchQueueOptions) {}

  get size(): number {
    return this.count;
  }

  /** False when the queue is full (the caller answers queue_full). */
  push(item: T): boolean {
    if (this.count >= this.opts.queueLimit) return false;
    let group = this.groups.get(item.frames);
    if (!group) this.groups.set(item.frames, (group = []));
    group.push({ item, seq: this.nextSeq++ });
    this.count++;
    return true;
  }

  /**
   * Ms until the next batch should start: 0 when greedy, when a batch is full or when the
   * oldest request has waited maxWaitMs; Infinity when empty. `flush` (draining) forces 0.
   */
  readyIn(now: number, flush = false): number {
    const oldest = this.oldestGroup();
    if (!oldest) return Infinity;
    if (flush || this.opts.maxWaitMs <= 0 || oldest.length >= this.opts.maxBatch) return 0;
    const head = oldest[0] as Entry<T>;
    return Math.max(0, head.item.received + this.opts.maxWaitMs - now);
  }

  /**
   * The next batch: requests of the oldest request's T, oldest first. Requests already past
   * their deadline come back in `expired` (never answered late) and do not use batch slots.
   */
  take(now: number): { batch: T[]; expired: T[] } {
    const expired = this.dropExpired(now);
    const group = this.oldestGroup();
    if (!group) return { batch: [], expired };
    const taken = group.splice(0, this.opts.maxBatch);
    this.count -= taken.length;
    if (group.length === 0) this.groups.delete((taken[0] as Entry<T>).item.frames);
    return { batch: taken.map((e) => e.item), expired };
  }

  /** Everything still queued (for a forced shutdown). */
  clear(): T[] {
    const all = [...this.groups.values()].flat().sort((a, b) => a.seq - b.seq).map((e) => e.item);
    this.groups.clear();
    this.count = 0;
    return all;
  }

  private oldestGroup(): Entry<T>[] | undefined {
    let best: Entry<T>[] | undefined;
    for (const group of this.groups.values()) {
      const head = group[0];
      if (head && (!best || head.seq < (best[0] as Entry<T>).seq)) best = group;
    }
    return best;
  }

  private dropExpired(now: number): T[] {
    const expired: T[] = [];
    for (const [frames, group] of this.groups) {
      const keep = group.filter((e) => {
        if (e.item.deadline >= now) return true;
        expired.push(e.item);
        return false;
      });
      if (keep.length === 0) this.groups.delete(frames);
      else if (keep.length !== group.length) this.groups.set(frames, keep);
    }
    this.count -= expired.length;
    return expired;
  }
}
