/**
 * Requests awaiting a worker reply, by id. Every entry is settled exactly once: by its
 * reply, its timeout, or a bulk failure (disconnect, no worker, shutdown). Whatever arrives
 * after that (a late reply to the first attempt after a retry, a duplicate) finds no entry
 * and is only counted, so nothing answers twice and nothing leaks.
 */
import type { PredictResponse } from '@helen/schemas';
import { timedOut, type ApiError } from '../errors';

export interface PendingOptions {
  timeoutMs: number;
  /** Resend once after this long without a reply (>= timeoutMs: never). */
  retryAfterMs: number;
}

interface Entry {
  readonly id: string;
  readonly payload: Buffer;
  retried: boolean;
  timer: NodeJS.Timeout;
  retryTimer: NodeJS.Timeout | undefined;
  resolve(value: PredictResponse): void;
  reject(err: ApiError): void;
}

export class PendingRequests {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: PendingOptions,
    /** Publishes a request payload; the same payload (same id) is sent again on retry. */
    private readonly send: (id: string, payload: Buffer) => void,
    private readonly onRetry: () => void = () => {},
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Registers, publishes, and resolves with the reply or rejects with an ApiError. */
  request(id: string, payload: Buffer): Promise<PredictResponse> {
    return new Promise<PredictResponse>((resolve, reject) => {
      const entry: Entry = {
        id,
        payload,
        retried: false,
        resolve,
        reject,
        timer: setTimeout(() => this.fail(id, timedOut(`no reply from an inference worker within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs),
        retryTimer: this.opts.retryAfterMs < this.opts.timeoutMs ? setTimeout(() => this.retry(id), this.opts.retryAfterMs) : undefined,
      };
      this.entries.set(id, entry);
      this.send(id, payload);
    });
  }

  /** Returns false for an id that is not (or no longer) pending. */
  resolve(id: string, value: PredictResponse): boolean {
    const e = this.take(id);
    if (!e) return false;
    e.resolve(value);
    return true;
  }

  fail(id: string, err: ApiError): boolean {
    const e = this.take(id);
    if (!e) return false;
    e.reject(err);
    return true;
  }

  failAll(err: ApiError): void {
    for (const id of [...this.entries.keys()]) this.fail(id, err);
  }

  /**
   * Resends every request not retried yet, e.g. when a worker went offline and may have
   * taken some of them with it. Same id: whichever reply comes first answers.
   */
  retryAll(): void {
    for (const id of [...this.entries.keys()]) this.retry(id);
  }

  private retry(id: string): void {
    const e = this.entries.get(id);
    if (!e || e.retried) return;
    e.retried = true;
    clearTimeout(e.retryTimer);
    this.onRetry();
    this.send(id, e.payload);
  }

  private take(id: string): Entry | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.entries.delete(id);
    clearTimeout(e.timer);
    clearTimeout(e.retryTimer);
    return e;
  }
}
