/**
 * How every service process runs and stops: start, wait for SIGINT/SIGTERM (or for the
 * service to end by itself), stop within a bound, and return the exit code. A signal during
 * start cuts the start short; a second signal changes nothing unless the caller says so.
 */
import type { Logger } from 'pino';

export interface RunnableService {
  start(): Promise<unknown>;
  /** Idempotent; also called after a failed or interrupted start. */
  stop(): Promise<void>;
  /** Resolves when the service ends by itself, with the exit code to use (e.g. 1 after a fatal error). */
  readonly ended?: Promise<number> | undefined;
}

export interface RunOptions {
  readonly log: Logger;
  /** Longest stop() may take before the process is told to exit anyway (code 1). */
  readonly stopTimeoutMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * Called on each signal after the first. Default: exit at once with code 1 (a person who
   * presses Ctrl-C twice, or an init system that signals again, wants the process gone now).
   */
  readonly onRepeatSignal?: (signal: NodeJS.Signals) => void;
  /** Called once started (e.g. to print the addresses). */
  readonly onStarted?: (started: unknown) => void;
}

export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** A signal listener that resolves once; `dispose` removes it. */
export function stopSignal(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'], onRepeat?: (s: NodeJS.Signals) => void) {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals): void => {
    if (first) {
      onRepeat?.(signal);
      return;
    }
    first = signal;
    controller.abort(signal);
  };
  // One bound listener per signal: the name is ours, not whatever the emitter passes.
  const listeners = signals.map((s) => [s, () => handler(s)] as const);
  for (const [s, l] of listeners) process.on(s, l);
  const received = new Promise<NodeJS.Signals>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve(first as NodeJS.Signals), { once: true });
  });
  return {
    signal: controller.signal,
    received,
    dispose: () => {
      for (const [s, l] of listeners) process.off(s, l);
    },
  };
}

/** Runs `service` until a stop signal or its own end; returns the process exit code. */
export async function runService(service: RunnableService, opts: RunOptions): Promise<number> {
  const { log } = opts;
  const stop = stopSignal(opts.signals, opts.onRepeatSignal ?? ((signal) => {
    log.warn({ signal }, 'second signal while stopping: exiting now');
    process.exit(1);
  }));
  const ended = service.ended ?? new Promise<number>(() => undefined);
  try {
    const starting = service.start();
    const first = await Promise.race([
      starting.then((value) => ({ kind: 'started' as const, value })),
      stop.received.then((signal) => ({ kind: 'signal' as const, signal })),
      ended.then((code) => ({ kind: 'ended' as const, code })),
    ]).catch(async (err: unknown) => {
      // A failed start holds nothing: stop what it began, then report why.
      await service.stop().catch(() => undefined);
      throw err;
    });
    let code = 0;
    if (first.kind === 'started') {
      opts.onStarted?.(first.value);
      const next = await Promise.race([stop.received.then((signal) => ({ signal, code: 0 })), ended.then((c) => ({ signal: undefined, code: c }))]);
      code = next.code;
      log.info({ signal: next.signal }, 'stopping');
    } else {
      // The stop below ends a start that was cut short.
      starting.catch(() => undefined);
      if (first.kind === 'ended') code = first.code;
      log.info(first.kind === 'signal' ? { signal: first.signal } : { code }, 'stopping before start-up finished');
    }
    const stopTimeoutMs = opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const finished = await withTimeout(service.stop(), stopTimeoutMs);
    if (!finished) {
      log.error({ stopTimeoutMs }, `did not stop within ${stopTimeoutMs} ms; exiting anyway`);
      // Something still holds the event loop; the bound is the point, so leave now.
      setImmediate(() => process.exit(1)).unref();
      return 1;
    }
    return code;
  } finally {
    stop.dispose();
  }
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
