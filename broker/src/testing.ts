/**
 * Test brokers for integration suites (export "@helen/broker/testing"). One suite runs against
 * our aedes broker and a real Mosquitto 2, so nothing in the clients depends on aedes-only
 * behaviour:
 *
 *   describe.each(brokerKinds())('%s broker', (kind) => {
 *     let broker: TestBroker;
 *     beforeAll(async () => { broker = await startTestBroker(kind); });
 *     afterAll(() => broker.stop());
 *   });
 *
 * Mosquitto comes from `HELEN_TEST_MOSQUITTO_BIN` or `/usr/sbin/mosquitto`; where it is not
 * installed, `brokerKinds()` leaves it out and warns once, visibly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForTcp } from '@helen/runtime';
import { createBroker, type BrokerHooks, type HelenBroker } from './broker';

export type TestBrokerKind = 'aedes' | 'mosquitto';

export interface TestBroker {
  /** `mqtt://127.0.0.1:{port}` */
  readonly url: string;
  readonly port: number;
  readonly kind: TestBrokerKind;
  /** The in-process broker when kind is 'aedes'. */
  readonly broker?: HelenBroker;
  stop(): Promise<void>;
}

const DEFAULT_MOSQUITTO_BIN = '/usr/sbin/mosquitto';

export function mosquittoBin(): string {
  // Test-only override; the services never read it. process.env is read here on purpose.
  return process.env.HELEN_TEST_MOSQUITTO_BIN || DEFAULT_MOSQUITTO_BIN;
}

export function mosquittoAvailable(): boolean {
  try {
    accessSync(mosquittoBin(), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** e.g. "2.0.11", or undefined when Mosquitto is missing or says something unexpected. */
export function mosquittoVersion(): string | undefined {
  if (!mosquittoAvailable()) return undefined;
  // `mosquitto -h` prints the version and exits with status 3; only the text matters.
  const out = spawnSync(mosquittoBin(), ['-h'], { encoding: 'utf8', timeout: 5000 });
  return /mosquitto version (\d+\.\d+\.\d+)/.exec(`${out.stdout}${out.stderr}`)?.[1];
}

/** True when the installed Mosquitto is at least `min` ("2.0.13"); false when it is older or missing. */
export function mosquittoAtLeast(min: string): boolean {
  const have = mosquittoVersion()?.split('.').map(Number);
  if (!have) return false;
  const want = min.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    const h = have[i] ?? 0;
    const w = want[i] ?? 0;
    if (h !== w) return h > w;
  }
  return true;
}

let warned = false;

/** ['aedes'] plus 'mosquitto' when installed; warns once when it is not. */
export function brokerKinds(): TestBrokerKind[] {
  if (mosquittoAvailable()) return ['aedes', 'mosquitto'];
  if (!warned) {
    warned = true;
    console.warn(`mosquitto not installed (${mosquittoBin()}): skipping Mosquitto runs`);
  }
  return ['aedes'];
}

export interface TestBrokerOptions {
  /** aedes: the broker's hooks (e.g. the auth hooks). */
  hooks?: BrokerHooks;
  /** Mosquitto: extra config lines, after the defaults (a repeated option wins, e.g. `allow_anonymous false`). */
  mosquittoConfig?: readonly string[];
}

export async function startTestBroker(kind: TestBrokerKind, options: TestBrokerOptions = {}): Promise<TestBroker> {
  if (kind === 'aedes') {
    const broker = createBroker({ port: 0, host: '127.0.0.1', ...(options.hooks ? { hooks: options.hooks } : {}) });
    const { tcpPort } = await broker.start();
    return { url: `mqtt://127.0.0.1:${tcpPort}`, port: tcpPort, kind, broker, stop: () => broker.stop() };
  }
  // A free port is found by binding and releasing it, so another process can grab it in
  // between; Mosquitto then exits at once and we simply try another port.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startMosquitto(await freePort(), options.mosquittoConfig ?? []);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startMosquitto(port: number, extra: readonly string[] = []): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'helen-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    // The 2.1 default: a client whose subscriptions overlap (e.g. a shared and a normal one
    // on the same filter) gets one copy per subscription. 2.0.x defaulted to false.
    'allow_duplicate_messages true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...extra,
    '',
  ].join('\n'));
  // Mosquitto cannot be told to die with its parent, and a test worker killed by a signal
  // never runs 'exit' handlers. So a small sh supervisor runs it and reads a pipe from us:
  // when this process goes away, however it dies, the pipe closes and Mosquitto is stopped.
  // (fd 3: background jobs in a non-interactive sh get /dev/null as stdin otherwise.)
  const supervisor = 'exec 3<&0; "$0" -c "$1" </dev/null & pid=$!; ' +
    '(read _ <&3; kill $pid 2>/dev/null) & reader=$!; ' +
    'wait $pid; code=$?; kill $reader 2>/dev/null; exit $code';
  const child = spawn('/bin/sh', ['-c', supervisor, mosquittoBin(), conf], {
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true, // its own process group, so a last-resort kill reaches Mosquitto too
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnFailed = new Promise<never>((_resolve, reject) => child.once('error', reject));
  spawnFailed.catch(() => {}); // observed through the race below
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const cleanup = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForTcp(port, 10_000, () => false).then((up) => {
        if (!up) throw new Error(`nothing listening on 127.0.0.1:${port} after 10000 ms`);
      }),
      spawnFailed,
      exited.then((code) => {
        throw new Error(`mosquitto exited with code ${code} before listening on ${port}: ${stderr.trim()}`);
      }),
    ]);
  } catch (err) {
    await kill(child, exited);
    cleanup();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    kind: 'mosquitto',
    stop: () => {
      stopped ??= kill(child, exited).then(cleanup);
      return stopped;
    },
  };
}

/** Asks the supervisor to stop Mosquitto (closing its pipe); kills the group if that hangs. */
async function kill(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

