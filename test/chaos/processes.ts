/**
 * The processes a chaos run starts, kills and restarts: `helen <part>` children and, for the
 * Mosquitto variant, Mosquitto itself. Every child gets an IPC lifeline (bin/helen.mjs stops
 * when it closes) or, for Mosquitto, is killed on exit, so a crashed harness leaves nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForTcp } from '@helen/runtime';

const HELEN_BIN = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));

/** A restartable process: `start()` again after `kill()` gives a fresh one with the same settings. */
export interface Part {
  readonly name: string;
  start(): Promise<void>;
  /** SIGKILL (a crash) or SIGTERM (an orderly stop); resolves once the process is gone. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  readonly running: boolean;
  /** The running process's pid (undefined when not running). */
  readonly pid: number | undefined;
  /** The last lines the process wrote (stdout and stderr), for a failure report. */
  tail(): string;
}

class ChildPart implements Part {
  private proc: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: Record<string, string>,
    /** Resolves once the started process is usable; told when it was started. */
    private readonly ready: (startedAt: number) => Promise<void>,
    private readonly lifeline: boolean,
  ) {}

  get pid(): number | undefined {
    return this.running ? this.proc?.pid : undefined;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(): Promise<void> {
    const startedAt = Date.now();
    const proc = spawn(this.command, [...this.args], {
      env: { ...process.env, ...this.env },
      stdio: this.lifeline ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const keep = (chunk: Buffer) => { this.output = (this.output + chunk.toString()).slice(-8000); };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    if (!this.lifeline) process.once('exit', () => proc.kill('SIGKILL'));
    await this.ready(startedAt);
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc || !this.running) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  tail(): string {
    return this.output.slice(-2000);
  }
}

export function helenPart(name: string, command: string, env: Record<string, string>, ready: (startedAt: number) => Promise<void>): Part {
  return new ChildPart(name, process.execPath, [HELEN_BIN, command], env, ready, true);
}

/** Mosquitto on `port` with shared subscriptions (built in), anonymous clients, no persistence. */
export function mosquittoPart(port: number, bin = '/usr/sbin/mosquitto'): Part & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'helen-chaos-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'set_tcp_nodelay true',
    'max_queued_messages 10000', 'log_dest stderr', 'log_type error', 'log_type warning', '',
  ].join('\n'));
  const part = new ChildPart('mosquitto', bin, ['-c', conf], {}, () => listening(port), false);
  return Object.assign(part, { cleanup: () => rmSync(dir, { recursive: true, force: true }) });
}

/** Resolves once something accepts TCP connections on `port` (10 s at most). */
export async function listening(port: number): Promise<void> {
  if (!(await waitForTcp(port, 10_000, () => false))) throw new Error(`nothing listens on port ${port} after 10 s`);
}
