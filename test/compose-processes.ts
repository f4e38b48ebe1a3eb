/**
 * docker-compose.yml run without Docker, for test/compose.test.ts: the file is read as Compose
 * reads it (variables from an env file, profiles, replicas), and each active service becomes
 * plain processes on this machine: `node bin/helen.mjs <command>` with the service's own
 * environment, or /usr/sbin/mosquitto with a copy of its config. Service host names become
 * 127.0.0.1, container ports free ports, container paths the files they are mounted from
 * (the image's /app is this checkout). Health checks run as the compose file states them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '@helen/runtime';
import { REPO_ROOT } from '@helen/runtime/testing';

export const ROOT = REPO_ROOT;
export const HELEN = join(ROOT, 'bin', 'helen.mjs');
export const MOSQUITTO = process.env.HELEN_TEST_MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';

export interface ComposeService {
  image: string;
  command?: string;
  profiles?: string[];
  deploy?: { replicas?: number | string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number | boolean>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}
export type Vars = Record<string, string>;

/** KEY=VALUE lines of an env file (Compose takes values literally; `#` lines are comments). */
export function readEnvFile(text: string): Vars {
  const vars: Vars = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1] as string] = m[2] as string;
  }
  return vars;
}

/** The commented `#KEY=VALUE` lines after a `# <title>:` line: a setup .env.example documents. */
export function commentedBlock(text: string, title: string): Vars {
  const after = text.split(`\n# ${title}:\n`)[1];
  if (after === undefined) throw new Error(`.env.example has no "# ${title}:" block`);
  return readEnvFile(after.split('\n').map((l) => l.replace(/^#/, '')).join('\n'));
}

/** Compose's substitution: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}. */
export function interpolate(text: string, vars: Vars): string {
  return text.replace(/\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, dollar?: string, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar) return '$';
      const key = (name ?? bare) as string;
      const value = vars[key];
      const missing = colon ? !value : value === undefined;
      if (!op || !missing) return value ?? '';
      if (op === '-') return arg ?? '';
      throw new Error(`${key}: ${arg ?? 'required'}`);
    });
}

function deepInterpolate(value: unknown, vars: Vars): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => deepInterpolate(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepInterpolate(v, vars)]));
  }
  return value;
}

/** docker-compose.yml's services after substitution (YAML merge keys on, as Compose has them). */
export function composeServices(vars: Vars): Record<string, ComposeService> {
  const doc = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  return deepInterpolate(doc.services, vars) as Record<string, ComposeService>;
}

export const replicasOf = (s: ComposeService) => Number(s.deploy?.replicas ?? 1);

/** Services the profiles enable that have at least one replica. */
export function activeServices(services: Record<string, ComposeService>, vars: Vars): string[] {
  const profiles = (vars.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return Object.entries(services)
    .filter(([, s]) => !s.profiles || s.profiles.some((p) => profiles.includes(p)))
    .filter(([, s]) => replicasOf(s) > 0)
    .map(([name]) => name);
}

/** The image's working directory (the Dockerfile's last WORKDIR): where the checkout is copied. */
export function imageWorkdir(): string {
  const workdirs = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^WORKDIR\s+(\S+)/gm)];
  return workdirs.at(-1)?.[1] as string;
}

/** One replica of a service, ready to spawn. */
export interface Instance {
  readonly service: string;
  readonly replica: number;
  /** container port -> port on this machine */
  readonly ports: Map<number, number>;
  env: Vars;
  /** mosquitto only: the rewritten config */
  conf?: string;
  child?: ChildProcess;
  log: string[];
}

const isMosquitto = (s: ComposeService) => s.image.startsWith('eclipse-mosquitto');

/** container path prefix -> path here, longest first. */
function pathMap(service: ComposeService, overrides: Record<string, string>): [string, string][] {
  const map: [string, string][] = [[imageWorkdir(), ROOT]];
  for (const v of service.volumes ?? []) {
    const [src, dst] = v.split(':') as [string, string];
    map.push([dst, overrides[dst] ?? (isAbsolute(src) ? src : resolve(ROOT, src))]);
  }
  return map.sort((a, b) => b[0].length - a[0].length);
}

export function hostPath(service: ComposeService, path: string, overrides: Record<string, string> = {}): string {
  for (const [dst, src] of pathMap(service, overrides)) {
    if (path === dst || path.startsWith(`${dst}/`)) return src + path.slice(dst.length);
  }
  return path;
}

/** Free ports for every container port of every replica of the active services. */
export async function plan(services: Record<string, ComposeService>, active: string[]): Promise<Instance[]> {
  const instances: Instance[] = [];
  for (const name of active) {
    const s = services[name] as ComposeService;
    const containerPorts = isMosquitto(s)
      ? [...readFileSync(hostPath(s, '/mosquitto/config/mosquitto.conf'), 'utf8').matchAll(/^listener (\d+)/gm)].map((m) => Number(m[1]))
      : Object.entries(s.environment ?? {}).filter(([k, v]) => k.endsWith('_PORT') && /^\d+$/.test(String(v))).map(([, v]) => Number(v));
    for (let replica = 0; replica < replicasOf(s); replica++) {
      const ports = new Map<number, number>();
      for (const p of containerPorts) ports.set(p, await freePort());
      instances.push({ service: name, replica, ports, env: {}, log: [] });
    }
  }
  return instances;
}

/** A value as seen from this machine: bind addresses, service URLs, ports, container paths. */
export function rewrite(key: string, value: string, own: Instance, all: Instance[], service: ComposeService, overrides: Record<string, string>): string {
  if (key.endsWith('_HOST') && value === '0.0.0.0') return '127.0.0.1';
  if (key.endsWith('_PORT') && /^\d+$/.test(value)) return String(own.ports.get(Number(value)));
  const url = /^([a-z]+):\/\/([A-Za-z0-9_-]+):(\d+)(.*)$/.exec(value);
  const target = url && all.find((i) => i.service === url[2] && i.replica === 0);
  if (url && target) return `${url[1]}://127.0.0.1:${target.ports.get(Number(url[3]))}${url[4]}`;
  return value.startsWith('/') ? hostPath(service, value, overrides) : value;
}

/** Mosquitto's config with listeners on free loopback ports and the mounted files' paths here. */
export function mosquittoConf(text: string, own: Instance, service: ComposeService, overrides: Record<string, string>): string {
  return text
    .replace(/^listener (\d+).*$/gm, (_l, port: string) => `listener ${own.ports.get(Number(port))} 127.0.0.1`)
    .replace(/^(password_file|acl_file|certfile|keyfile) (\S+)$/gm, (_l, key: string, path: string) => `${key} ${hostPath(service, path, overrides)}`);
}

/** A copy of a folder that Mosquitto, which drops root for its own user, can read. */
export function readableCopy(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  chmodSync(to, 0o755);
  for (const f of readdirSync(to)) chmodSync(join(to, f), 0o644);
  return to;
}

/** The environment a container would have: the image's, then the service's; nothing from this test runner. */
export function processEnv(env: Vars): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', ...env };
}

export function start(instance: Instance, argv: string[]): void {
  const child = spawn(argv[0] as string, argv.slice(1), { cwd: ROOT, env: processEnv(instance.env), stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer) => {
    instance.log.push(`${instance.service}#${instance.replica}: ${d.toString()}`);
    if (instance.log.length > 200) instance.log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  instance.child = child;
}

/** The service's health check as the compose file states it, run here; true on exit 0. */
export function healthy(service: ComposeService, instance: Instance): { ok: boolean; out: string } {
  const test = service.healthcheck?.test ?? [];
  if (test[0] !== 'CMD') throw new Error(`health check "${test.join(' ')}" is not in CMD form`);
  const argv = test.slice(1).map((a) => {
    if (a === 'node') return process.execPath;
    if (a === 'mosquitto_sub') return MOSQUITTO_SUB;
    return /^\d+$/.test(a) && instance.ports.has(Number(a)) ? String(instance.ports.get(Number(a))) : a;
  });
  const out = spawnSync(argv[0] as string, argv.slice(1), { cwd: ROOT, env: processEnv(instance.env), encoding: 'utf8', timeout: 10_000 });
  return { ok: out.status === 0, out: `${out.stdout ?? ''}${out.stderr ?? ''}`.trim() };
}

/** Adds a user with the real CLI, the password on stdin (as .env.example says). */
export function addUser(usersFile: string, name: string, role: string, password: string): void {
  const out = spawnSync(process.execPath, [HELEN, 'broker', 'users', 'add', name, '--role', role, '--file', usersFile], {
    input: `${password}\n`, encoding: 'utf8', env: processEnv({}),
  });
  if (out.status !== 0) throw new Error(`helen broker users add ${name}: ${out.stderr}`);
}

/** Mosquitto's password file line, with the password twice on stdin (as .env.example says). */
export function addMosquittoUser(passwdFile: string, name: string, password: string, create: boolean): void {
  const out = spawnSync(MOSQUITTO_PASSWD, [...(create ? ['-c'] : []), passwdFile, name], { input: `${password}\n${password}\n`, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`mosquitto_passwd ${name}: ${out.stderr}`);
}

export function mosquittoAcl(aclFile: string, usersFile: string, outFile: string): void {
  const out = spawnSync(process.execPath, [HELEN, 'broker', 'users', 'mosquitto-acl', '--acl', aclFile, '--file', usersFile], { encoding: 'utf8', env: processEnv({}) });
  if (out.status !== 0) throw new Error(`helen broker users mosquitto-acl: ${out.stderr}`);
  writeFileSync(outFile, out.stdout);
}

/** What a worker started here calls itself by default (config.ts: hostname-pid). */
export function defaultWorkerId(pid: number): string {
  return `${hostname().replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 100) || 'worker'}-${pid}`;
}

export async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(instances.map(async ({ child }) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(timer);
  }));
}
