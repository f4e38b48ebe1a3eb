/**
 * The services under test as separate processes, started through `helen <service>` exactly as
 * production runs them, so their resident memory and CPU time can be read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, nodeFlagsFor, waitForHealth, waitForTcp } from '@helen/runtime';

export const HELEN_BIN = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Last lines of stdout/stderr, for the error message when it dies. */
  readonly output: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Resident set size in MB (VmRSS), NaN once the process is gone. */
export function rssMb(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** User + system CPU seconds the process has used so far (USER_HZ = 100 on Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Spawns any command as a Service (used for helen services, the baseline's gunicorn, wrk). */
export function spawnService(name: string, command: string, args: string[], env: Record<string, string | undefined>, cwd = REPO_ROOT): Service {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  return {
    name,
    child,
    pid: child.pid,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

const QUIET = { HELEN_LOG_LEVEL: 'warn' };

/**
 * Sources or bundles for every service of this run, decided once at start (bin/pick-entry.mjs,
 * the launcher's own rule), so editing a file during a run cannot switch services half-way.
 */
export const serviceRuntime: { runFrom: 'src' | 'dist' } = { runFrom: 'src' };
export async function decideServiceRuntime(): Promise<'src' | 'dist'> {
  const { pickEntry } = (await import(join(REPO_ROOT, 'bin', 'pick-entry.mjs'))) as { pickEntry: (command: string) => { bundle?: string } };
  serviceRuntime.runFrom = pickEntry('broker').bundle ? 'dist' : 'src';
  return serviceRuntime.runFrom;
}

/**
 * `npm run bench -- --profile DIR`: every helen service started from then on writes a V8 CPU
 * profile into DIR/<service name>/ when it exits (Node 20 refuses --cpu-prof in NODE_OPTIONS,
 * so it goes on the command line).
 */
export const profiling: { dir?: string } = {};

export function spawnHelen(name: string, service: string, env: Record<string, string | undefined>): Service {
  const profile = profiling.dir ? ['--cpu-prof', `--cpu-prof-dir=${profiling.dir}/${name.replace(/\W+/g, '-')}`] : [];
  // HELEN_BENCH_NODE_FLAGS (space-separated, "none" for no flags) replaces the services' V8 flags
  // for one run, to measure what a flag does; production always uses nodeFlagsFor(service).
  const override = process.env.HELEN_BENCH_NODE_FLAGS;
  const flags = override === undefined ? nodeFlagsFor(service) : override === 'none' ? [] : override.split(/\s+/).filter(Boolean);
  return spawnService(name, process.execPath, [...profile, ...flags, HELEN_BIN, service], { ...QUIET, HELEN_RUN_FROM: serviceRuntime.runFrom, ...env });
}

async function ready(service: Service, wait: Promise<boolean>, what: string): Promise<void> {
  const died = new Promise<boolean>((resolve) => service.child.once('exit', () => resolve(false)));
  if (!(await Promise.race([wait, died]))) {
    await service.stop('SIGKILL');
    throw new Error(`${service.name} did not become ready (${what}):\n${service.output.join('').slice(-2000)}`);
  }
}

export interface BrokerService extends Service { url: string; port: number }

/** `helen broker` on a free loopback port, anonymous clients allowed (a benchmark, loopback only). */
export async function startBroker(env: Record<string, string> = {}): Promise<BrokerService> {
  const port = await freePort();
  const service = spawnHelen('broker', 'broker', {
    HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_PORT: String(port), HELEN_MQTT_WS_PORT: 'off',
    HELEN_BROKER_ALLOW_ANONYMOUS: 'true', ...env,
  });
  await ready(service, waitForTcp(port, 30_000, () => false), `TCP ${port}`);
  return { ...service, url: `mqtt://127.0.0.1:${port}`, port };
}

export interface WorkerService extends Service { metricsUrl: string }

/** `helen worker` on the shared subscription, with its /metrics on a free loopback port. */
export async function startWorker(mqttUrl: string, id: string, env: Record<string, string> = {}): Promise<WorkerService> {
  const metricsPort = await freePort();
  const service = spawnHelen(`worker ${id}`, 'worker', {
    HELEN_MQTT_URL: mqttUrl, HELEN_WORKER_ID: id, HELEN_WORKER_HTTP_PORT: String(metricsPort), ...env,
  });
  const base = `http://127.0.0.1:${metricsPort}`;
  await ready(service, waitForHealth(`${base}/health`, 60_000, () => false), `${base}/health`);
  return { ...service, metricsUrl: `${base}/metrics` };
}

export interface ApiService extends Service { url: string }

/** `helen api` (the facade) on a free loopback port. */
export async function startApi(mqttUrl: string, env: Record<string, string> = {}): Promise<ApiService> {
  const port = await freePort();
  const service = spawnHelen('facade', 'api', { HELEN_MQTT_URL: mqttUrl, HELEN_HTTP_HOST: '127.0.0.1', HELEN_HTTP_PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  await ready(service, waitForHealth(`${url}/health`, 60_000, () => false), `${url}/health`);
  return { ...service, url };
}

/**
 * `helen broker` plus one `helen worker` on it, each pushed onto `started` as soon as it runs,
 * so the caller's `finally` stops whatever did start when a later step throws.
 */
export async function startBrokerAndWorker(started: Service[], workerId: string): Promise<{ broker: BrokerService; worker: WorkerService }> {
  const broker = await startBroker();
  started.push(broker);
  const worker = await startWorker(broker.url, workerId);
  started.push(worker);
  return { broker, worker };
}
