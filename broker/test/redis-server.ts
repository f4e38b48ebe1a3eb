/**
 * A throw-away Debian `redis-server` for tests: a free loopback port, no disk (`save ""`,
 * no AOF), stopped by `stop()`. Like the Mosquitto test broker, a small `sh` supervisor reads a
 * pipe from this process and stops Redis when it closes, so a test worker killed with SIGKILL
 * leaves no redis-server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { freePort, waitForTcp } from '@helen/runtime';

export function redisServerBin(): string {
  // Test-only override, read here on purpose.
  return process.env.HELEN_TEST_REDIS_BIN || '/usr/bin/redis-server';
}

export function redisServerAvailable(): boolean {
  try {
    accessSync(redisServerBin(), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  let lastError: unknown;
  // A released free port can be taken by someone else before Redis binds it: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOn(await freePort());
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOn(port: number): Promise<TestRedis> {
  const supervisor = 'exec 3<&0; "$@" </dev/null & pid=$!; ' +
    '(read _ <&3; kill $pid 2>/dev/null) & reader=$!; ' +
    'wait $pid; code=$?; kill $reader 2>/dev/null; exit $code';
  const args = [redisServerBin(), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'no', '--loglevel', 'warning', '--dir', '/tmp'];
  const child = spawn('/bin/sh', ['-c', supervisor, 'redis-supervisor', ...args], { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr = (stderr + c).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => killGroup(child);
  process.once('exit', killOnExit);
  try {
    await Promise.race([
      waitForTcp(port, 10_000, () => false).then((up) => {
        if (!up) throw new Error(`redis-server not listening on 127.0.0.1:${port} after 10000 ms`);
      }),
      exited.then((code) => { throw new Error(`redis-server exited with code ${code}: ${stderr.trim()}`); }),
    ]);
  } catch (err) {
    await stopChild(child, exited);
    process.off('exit', killOnExit);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => {
      stopped ??= stopChild(child, exited).then(() => { process.off('exit', killOnExit); });
      return stopped;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timer = setTimeout(() => killGroup(child), 3000);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
