/**
 * The container deployment (Dockerfile, docker-compose.yml, .env.example), checked without a
 * Docker engine:
 * - `docker-compose config -q` accepts the file with .env.example for every profile (skipped
 *   where docker-compose is not installed), and substitutes variables as this test does;
 * - the files that must agree do (workspace manifests, ACLs, documented variables, the
 *   services' settings, the health check's defaults);
 * - the default setup, then the mosquitto profile (where Mosquitto is installed), run as plain
 *   processes from the compose file itself (test/compose-processes.ts): they come up healthy,
 *   find each other by the configured URLs, refuse anonymous clients, and POST /predict on
 *   the facade answers with a prediction from one of the worker replicas.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mqtt from 'mqtt';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerSettings } from '@helen/broker';
import { edgeSettings } from '@helen/edge-publisher';
import { apiSettings } from '@helen/http-api';
import { nodeFlagsFor } from '@helen/runtime';
import { workerSettings } from '@helen/inference-worker';
import { postJson, request, waitFor, window } from '@helen/runtime/testing';
import {
  activeServices, addMosquittoUser, addUser, commentedBlock, composeServices, defaultWorkerId, healthy, hostPath, interpolate,
  mosquittoAcl, mosquittoConf, MOSQUITTO, MOSQUITTO_PASSWD, MOSQUITTO_SUB, plan, readableCopy, readEnvFile, replicasOf, rewrite, ROOT,
  start, stopAll, type ComposeService, type Instance, type Vars,
} from './compose-processes';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const envExample = read('.env.example');
const exampleVars = readEnvFile(envExample);
// One worker replica here: the default setup already runs two, and this machine has two cores.
const mosquittoVars = { ...exampleVars, ...commentedBlock(envExample, 'mosquitto profile'), HELEN_WORKERS: '1' };
const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const haveCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const haveMosquitto = [MOSQUITTO, MOSQUITTO_PASSWD, MOSQUITTO_SUB].every(executable);
if (!haveCompose) console.warn('docker-compose not installed: skipping `docker-compose config`');
if (!haveMosquitto) console.warn(`${MOSQUITTO}, mosquitto_passwd or mosquitto_sub missing: skipping the mosquitto profile`);

/** Only PATH and HOME from this runner: a HELEN_* variable here must not change what Compose sees. */
function dockerCompose(args: string[], profiles = '') {
  return spawnSync('docker-compose', ['-f', 'docker-compose.yml', '--env-file', '.env.example', ...args], {
    cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, COMPOSE_PROFILES: profiles },
  });
}

describe.skipIf(!haveCompose)('docker-compose config', () => {
  it.each(['', 'mosquitto', 'redis', 'mosquitto,redis'])('accepts the file with .env.example (profiles "%s")', (profiles) => {
    const out = dockerCompose(['config', '-q'], profiles);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  it('accepts --profile too, and substitutes each service\'s environment as this test does', () => {
    const out = dockerCompose(['--profile', 'mosquitto', 'config']);
    expect(out.status, out.stderr).toBe(0);
    const resolved = (parse(out.stdout) as { services: Record<string, ComposeService> }).services;
    const ours = composeServices(exampleVars);
    for (const [name, service] of Object.entries(ours)) {
      const env = (s: ComposeService | undefined) => Object.fromEntries(Object.entries(s?.environment ?? {}).map(([k, v]) => [k, String(v)]));
      expect(env(resolved[name]), name).toEqual(env(service));
      expect(replicasOf(resolved[name] as ComposeService), name).toBe(replicasOf(service));
    }
  });
});

describe('files that must agree', () => {
  it('the Dockerfile installs every workspace\'s manifest before `npm ci`', () => {
    const { workspaces } = JSON.parse(read('package.json')) as { workspaces: string[] };
    const copied = [...read('Dockerfile').matchAll(/^COPY (\S+)\/package\.json \1\/$/gm)].map((m) => m[1]);
    expect(copied.sort()).toEqual([...workspaces].sort());
    expect(read('Dockerfile')).toMatch(/^COPY package\.json package-lock\.json \.npmrc \.\/$/m);
  });

  it('the compose ACL is the shipped ACL but for the workers\' status rule', () => {
    const rules = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const shipped = rules(read('broker/acl/helen.acl'));
    const compose = rules(read('deploy/docker/helen.acl'));
    expect(compose).toEqual(shipped.map((r) => (r === 'pattern write helen/v1/workers/%u/status' ? 'topic write helen/v1/workers/+/status' : r)));
    expect(compose).not.toEqual(shipped);
  });

  it('.env.example sets every variable docker-compose.yml uses, and no other', () => {
    const used = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string));
    const documented = new Set(Object.keys(exampleVars).filter((k) => k !== 'COMPOSE_PROFILES'));
    expect([...used].sort()).toEqual([...documented].sort());
    expect(() => composeServices(exampleVars)).not.toThrow();
  });

  it('each Helen service is given only settings its part reads', () => {
    const tables: Record<string, { variables(): readonly { env: string }[] }> = { broker: brokerSettings, worker: workerSettings, api: apiSettings };
    for (const [name, s] of Object.entries(composeServices(exampleVars))) {
      if (!s.command) continue;
      const known = new Set(tables[s.command]?.variables().map((v) => v.env));
      for (const key of Object.keys(s.environment ?? {})) if (key !== 'NODE_OPTIONS') expect(known.has(key), `${name}: ${key}`).toBe(true);
      // V8 flags: the same per part as the supervisor and the systemd units (runtime/src/node-flags.ts).
      if (tables[s.command]) expect(String(s.environment?.NODE_OPTIONS ?? ''), `${name}: NODE_OPTIONS`).toBe(nodeFlagsFor(s.command).join(' '));
    }
  });

  it('the health check\'s defaults are the settings tables\' defaults', async () => {
    const { DEFAULTS } = (await import(pathToFileURL(join(ROOT, 'deploy/docker/healthcheck.mjs')).href)) as { DEFAULTS: Record<string, string> };
    const defaults = new Map([brokerSettings, workerSettings, apiSettings, edgeSettings].flatMap((t) => t.variables().map((v) => [v.env, v.defaultText] as const)));
    for (const [env, value] of Object.entries(DEFAULTS)) expect(defaults.get(env), env).toBe(value);
  });
});

const ROLES: Record<string, string> = { worker: 'worker', api: 'api', edge: 'device' };
/** Every process and folder a setup made, so that a failed start-up is cleaned up too. */
const made = { instances: [] as Instance[], dirs: [] as string[] };
afterAll(async () => {
  await stopAll(made.instances);
  for (const dir of made.dirs) rmSync(dir, { recursive: true, force: true });
}, 30_000);

interface Setup {
  services: Record<string, ComposeService>;
  instances: Instance[];
  /** a health check run before anything was started (must fail) */
  before: { ok: boolean; out: string };
  url(service: string, containerPort: number): string;
  of(service: string): Instance[];
}

/** Everything a fresh VM would do: secrets folder, users (and Mosquitto's files), then `up`. */
async function up(vars: Vars): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'helen-compose-'));
  made.dirs.push(dir);
  const secrets = join(dir, 'secrets');
  mkdirSync(join(secrets, 'tls'), { recursive: true });
  for (const d of [dir, secrets]) chmodSync(d, 0o755); // Mosquitto reads them as its own user
  const withSecrets = { ...vars, HELEN_SECRETS_DIR: secrets };
  const services = composeServices(withSecrets);
  const active = activeServices(services, withSecrets);
  const instances = await plan(services, active);
  made.instances.push(...instances);
  const of = (name: string) => instances.filter((i) => i.service === name);
  const overrides: Record<string, string> = {};
  const mosquitto = services.mosquitto as ComposeService;
  if (active.includes('mosquitto')) overrides['/mosquitto/config'] = readableCopy(hostPath(mosquitto, '/mosquitto/config'), join(dir, 'mosquitto-config'));
  for (const i of instances) {
    const s = services[i.service] as ComposeService;
    i.env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, rewrite(k, String(v), i, instances, s, overrides)]));
  }

  // The users the env file names, made with the real CLI; where the broker reads them.
  const usersFile = of('broker')[0]?.env.HELEN_BROKER_USERS_FILE ?? join(secrets, 'users');
  const users = new Map<string, { role: string; password: string }>();
  for (const name of active) {
    const s = services[name] as ComposeService;
    const username = s.environment?.HELEN_MQTT_USERNAME;
    if (s.command && username !== undefined) users.set(String(username), { role: ROLES[s.command] as string, password: String(s.environment?.HELEN_MQTT_PASSWORD) });
  }
  expect(users.size).toBeGreaterThan(0);
  for (const [name, u] of users) addUser(usersFile, name, u.role, u.password);

  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile'))?.[1] ?? '[]') as string[];
  const argv = (i: Instance): string[] => {
    const s = services[i.service] as ComposeService;
    if (!s.image.startsWith('eclipse-mosquitto')) return [...entrypoint.map((a) => (a === 'node' ? process.execPath : a.startsWith('--') ? a : join(ROOT, a))), s.command as string];
    const conf = mosquittoConf(readFileSync(join(overrides['/mosquitto/config'] as string, 'mosquitto.conf'), 'utf8'), i, s, overrides);
    const file = (key: string) => new RegExp(`^${key} (\\S+)$`, 'm').exec(conf)?.[1] as string;
    [...users].forEach(([name, u], n) => addMosquittoUser(file('password_file'), name, u.password, n === 0));
    mosquittoAcl(hostPath(s, interpolate('${HELEN_BROKER_ACL_FILE}', withSecrets)), usersFile, file('acl_file'));
    for (const f of [file('password_file'), file('acl_file')]) chmodSync(f, 0o644);
    writeFileSync(join(dir, 'mosquitto.conf'), conf);
    return [MOSQUITTO, '-c', join(dir, 'mosquitto.conf')];
  };

  const logs = () => instances.flatMap((i) => i.log).join('').slice(-6000);
  const waitHealthy = async (name: string) => {
    for (const i of of(name)) {
      // Each probe is a process (as Docker runs it): once a second keeps the CPU for the services.
      await waitFor(`${name}#${i.replica} healthy`, () => (healthy(services[name] as ComposeService, i).ok ? true : undefined), 60_000, 1000)
        .catch((err: unknown) => { throw new Error(`${(err as Error).message}: ${healthy(services[name] as ComposeService, i).out}\n${logs()}`); });
    }
  };
  const first = instances[0] as Instance;
  const before = healthy(services[first.service] as ComposeService, first);

  // `up`: every service at once, each after the active dependencies it waits for are healthy
  // (an inactive one is not waited for, as Compose skips a dependency with 0 replicas).
  const healthyNow = new Map<string, Promise<void>>();
  const upService = (name: string): Promise<void> => {
    let done = healthyNow.get(name);
    if (!done) {
      const deps = Object.entries(services[name]?.depends_on ?? {})
        .filter(([dep, { condition }]) => active.includes(dep) && condition === 'service_healthy');
      done = Promise.all(deps.map(([dep]) => upService(dep)))
        .then(() => of(name).forEach((i) => start(i, argv(i))))
        .then(() => waitHealthy(name));
      healthyNow.set(name, done);
    }
    return done;
  };
  await Promise.all(active.map(upService));
  return {
    services, instances, before, of,
    url: (service, port) => `127.0.0.1:${of(service)[0]?.ports.get(port)}`,
  };
}

/** One setup's processes stop before the next starts (the machine has two cores). */
async function down(setup: Setup | undefined): Promise<void> {
  if (setup) await stopAll(setup.instances);
}

/** What every setup must do once up. */
function behavesLikeTheVm(get: () => Setup, brokerService: string, vars: Vars) {
  it('every replica of every service passes its health check, which failed before start', () => {
    const setup = get();
    expect(setup.before.ok, setup.before.out).toBe(false);
    for (const i of setup.instances) {
      const result = healthy(setup.services[i.service] as ComposeService, i);
      expect(result.ok, `${i.service}#${i.replica}: ${result.out}`).toBe(true);
    }
  });

  it('the broker refuses clients without a user', async () => {
    await expect(mqtt.connectAsync(`mqtt://${get().url(brokerService, 1883)}`, { reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(/authori[sz]ed/i);
  });

  it('the facade sees every worker replica and answers POST /predict from one of them', async () => {
    const setup = get();
    const workers = setup.of('inference-worker');
    expect(workers.length).toBe(Number(vars.HELEN_WORKERS));
    const api = `http://${setup.url('http-api', 8000)}`;
    await waitFor('every worker online at the facade', async () => {
      const res = await request(`${api}/health`);
      return (res.body as { workers?: number }).workers === workers.length ? res : undefined;
    }, 15_000, 200);
    const res = await postJson(`${api}/predict`, { sequence: window(30, 84, 3), mask: Array(30).fill([1, 1]) });
    expect(res.status, res.text).toBe(200);
    const body = res.body as { prediction: string; worker: string; probabilities: number[] };
    expect(typeof body.prediction).toBe('string');
    expect(body.probabilities.length).toBe(22);
    expect(workers.map((w) => defaultWorkerId(w.child?.pid as number))).toContain(body.worker);
  });
}

describe('the default setup as processes: embedded broker, 2 workers, facade', () => {
  let setup: Setup | undefined;
  beforeAll(async () => { setup = await up(exampleVars); }, 150_000);
  afterAll(() => down(setup), 30_000);
  behavesLikeTheVm(() => setup as Setup, 'broker', exampleVars);
});

describe.skipIf(!haveMosquitto)('the mosquitto profile as processes: Mosquitto 2 instead of the embedded broker, 1 worker, facade', () => {
  let setup: Setup | undefined;
  beforeAll(async () => { setup = await up(mosquittoVars); }, 150_000);
  afterAll(() => down(setup), 30_000);

  it('runs Mosquitto, not the embedded broker', () => {
    expect((setup as Setup).instances.map((i) => i.service).sort()).toEqual(['http-api', 'inference-worker', 'mosquitto']);
  });
  behavesLikeTheVm(() => setup as Setup, 'mosquitto', mosquittoVars);
});
