/**
 * Runs the batch queue: at most one batch in flight (ONNX Runtime already uses its own
 * threads inside a run), the next batch taken the moment the previous one ends. Requests
 * that arrive while a batch runs wait in the queue and form the next batch.
 */
import { BatchQueue, type Batchable, type BatchQueueOptions } from './batch-queue';

export interface SchedulerHooks<T> {
  /** Runs one batch; must not reject (the caller answers failures itself). */
  runBatch(batch: T[]): Promise<void>;
  /** Requests that passed their deadline while queued: counted, never answered. */
  expired(items: T[]): void;
}

export class Scheduler<T extends Batchable> {
  private readonly queue: BatchQueue<T>;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private flushing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: BatchQueueOptions, private readonly hooks: SchedulerHooks<T>) {
    this.queue = new BatchQueue(opts);
  }

  get queued(): number {
    return this.queue.size;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** False when the queue is full. */
  submit(item: T): boolean {
    if (!this.queue.push(item)) return false;
    this.schedule();
    return true;
  }

  /** Runs everything queued without waiting for fuller batches; resolves when idle. */
  drain(): Promise<void> {
    this.flushing = true;
    this.schedule();
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forced shutdown: what is still queued, for the caller to count. */
  abandon(): T[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.queue.clear();
  }

  // setImmediate, not a direct call: every request already read from the socket in this
  // turn of the event loop gets queued first and joins the same batch. No timer delay.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    const now = Date.now();
    const wait = this.queue.readyIn(now, this.flushing);
    if (wait === Infinity) return this.notifyIdle();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { batch, expired } = this.queue.take(now);
    if (expired.length > 0) this.hooks.expired(expired);
    if (batch.length === 0) return this.pump();
    // runBatch answers its own failures; the catch only keeps a bug from stalling the queue.
    this.running = this.hooks.runBatch(batch).catch(() => undefined).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
