/**
 * For other packages' integration tests (export "@helen/inference-worker/testing"): the real
 * worker as a child process, started through the `helen worker` entry point exactly as in
 * production, so a test can SIGTERM or SIGKILL it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HELEN_BIN = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** stdout (pino JSON lines) and stderr, as received. */
  readonly output: string[];
  /** Resolves once the worker is subscribed and has published `online`; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM: graceful drain) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `helen worker` with `env` on top of the current environment. Give it at least
 * HELEN_MQTT_URL; HELEN_LOG_LEVEL must stay at info or lower for `ready` to be seen.
 */
export function spawnWorkerProcess(env: Record<string, string | undefined>, opts: { readyTimeoutMs?: number } = {}): WorkerProcess {
  const child = spawn(process.execPath, [HELEN_BIN, 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after ${opts.readyTimeoutMs ?? 30_000} ms:\n${output.join('')}`)), opts.readyTimeoutMs ?? 30_000);
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.some((l) => l.includes('"msg":"worker ready"'))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (code ${code}) before it was ready:\n${output.join('')}`));
    });
  });
  ready.catch(() => undefined); // observed by the caller; never an unhandled rejection here
  return {
    child,
    output,
    ready,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
