/**
 * POSTs gesture events to the UI backend (HELEN_BACKEND_GESTURE_URL), like the original
 * GestureSender + post_gesturekey: one request at a time, a 1.5 s timeout, and a bounded
 * queue that drops the oldest event when full (a stale command is worth less than a new one).
 * On stop it refuses new events and still delivers the queued ones (a sign the user made just
 * before a restart should act), for at most one request timeout; what is left then is dropped.
 */
import type { Logger } from 'pino';
import type { GestureEvent } from '@helen/schemas';
import type { GestureSink } from './types';

export interface HttpSinkOptions {
  url: string;
  timeoutMs: number;
  queueSize: number;
}

export interface HttpSinkStats {
  posted: number;
  failed: number;
  dropped: number;
}

export class HttpGestureSink implements GestureSink {
  readonly name = 'http';
  readonly stats: HttpSinkStats = { posted: 0, failed: 0, dropped: 0 };
  private readonly queue: GestureEvent[] = [];
  private busy: Promise<void> | undefined;
  /** Set by stop(): no new events; the queue still drains until `abort` fires. */
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(private readonly opts: HttpSinkOptions, private readonly log: Logger) {}

  send(event: GestureEvent): void {
    if (this.stopped) return;
    if (this.queue.length >= this.opts.queueSize) {
      const dropped = this.queue.shift();
      this.stats.dropped++;
      this.log.warn({ dropped: dropped?.gesture, queue: this.opts.queueSize }, 'gesture queue full: dropped the oldest event');
    }
    this.queue.push(event);
    this.busy ??= this.drain().finally(() => {
      this.busy = undefined;
    });
  }

  /** Waits for the queue to empty (tests); resolves at once when idle. */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  /**
   * Refuses new events, then waits up to `flushMs` (default: one request timeout) for the queue
   * to drain; after that the request on the wire is aborted and what is still queued is
   * counted as dropped.
   */
  async stop(flushMs = this.opts.timeoutMs): Promise<void> {
    this.stopped = true;
    const draining = this.busy;
    if (!draining) return;
    let timer: NodeJS.Timeout | undefined;
    const flushed = await Promise.race([
      draining.then(() => true),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), flushMs); }),
    ]);
    clearTimeout(timer);
    if (flushed) return;
    this.stats.dropped += this.queue.length;
    this.log.warn({ dropped: this.queue.length, flushMs }, 'stopping: gesture events not delivered in time were dropped');
    this.queue.length = 0;
    this.abort.abort();
    await this.busy;
  }

  private async drain(): Promise<void> {
    for (let event = this.queue.shift(); event && !this.abort.signal.aborted; event = this.queue.shift()) {
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.stats.posted++;
        this.log.debug({ gesture: event.gesture, status: res.status }, 'gesture posted');
      } catch (err) {
        this.stats.failed++;
        if (!this.abort.signal.aborted) this.log.warn({ gesture: event.gesture, err: (err as Error).message, url: this.opts.url }, 'gesture POST failed');
      }
    }
  }
}
