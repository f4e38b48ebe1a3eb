/**
 * One supervised child process (`node bin/helen.mjs <command>`), restarted with exponential
 * backoff when it exits on its own, stopped with SIGTERM (then SIGKILL) when asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { nodeFlagsFor } from '@helen/runtime';

export const HELEN_BIN = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));

export interface ChildSpec {
  /** Name in logs, e.g. `worker-1`. */
  name: string;
  /** `helen` subcommand. */
  command: string;
  env: Record<string, string | undefined>;
}

export interface BackoffPolicy {
  restartMinMs: number;
  restartMaxMs: number;
  stableMs: number;
  stopTimeoutMs: number;
}

/** Delay before restart number `crashesInARow` (1-based): min, 2*min, 4*min, ... capped at max. */
export function backoffDelay(crashesInARow: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, crashesInARow - 1));
}

export class SupervisedChild {
  private proc: ChildProcess | undefined;
  private stopping = false;
  private crashesInARow = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private exited: Promise<void> = Promise.resolve();
  /** Times the child was started again after a crash. */
  restarts = 0;

  constructor(
    readonly spec: ChildSpec,
    private readonly policy: BackoffPolicy,
    private readonly log: Logger,
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  start(): void {
    if (this.stopping) return;
    this.startedAt = Date.now();
    // Own process group (detached): a terminal's Ctrl-C reaches only the supervisor, which
    // then stops the children in order (facade, workers, broker last so workers can drain).
    // The IPC channel is only a lifeline: when the supervisor dies, even by SIGKILL, the child
    // sees it close and stops itself (bin/helen.mjs), so nothing is left running as an orphan.
    const proc = spawn(process.execPath, [...nodeFlagsFor(this.spec.command), HELEN_BIN, this.spec.command], {
      env: this.spec.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    this.proc = proc;
    this.log.info({ child: this.spec.name, pid: proc.pid }, `started ${this.spec.name}`);
    this.exited = new Promise((resolve) => {
      proc.once('error', (err) => {
        this.log.error({ child: this.spec.name, err }, `could not start ${this.spec.name}`);
      });
      proc.once('exit', (code, signal) => {
        if (this.proc === proc) this.proc = undefined;
        this.onExit(code, signal);
        resolve();
      });
    });
  }

  /** SIGTERM, then SIGKILL after the stop timeout. Resolves once the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => {
      this.log.warn({ child: this.spec.name, pid: proc.pid }, `${this.spec.name} did not stop in ${this.policy.stopTimeoutMs} ms: SIGKILL`);
      proc.kill('SIGKILL');
    }, this.policy.stopTimeoutMs);
    await this.exited;
    clearTimeout(killer);
  }

  /** Last resort when the supervisor itself is going down hard. */
  killNow(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.proc?.kill('SIGKILL');
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) {
      this.log.info({ child: this.spec.name, code, signal }, `${this.spec.name} stopped`);
      return;
    }
    const ranMs = Date.now() - this.startedAt;
    this.crashesInARow = ranMs >= this.policy.stableMs ? 1 : this.crashesInARow + 1;
    const delay = backoffDelay(this.crashesInARow, this.policy.restartMinMs, this.policy.restartMaxMs);
    this.log.error({ child: this.spec.name, code, signal, ranMs, crashesInARow: this.crashesInARow, restartInMs: delay },
      `${this.spec.name} exited unexpectedly; restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restarts++;
      this.start();
    }, delay);
  }
}
