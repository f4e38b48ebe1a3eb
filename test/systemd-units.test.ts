/**
 * The systemd units (VM: deploy/systemd, Pi: edge-publisher/deploy) as systemd reads them:
 * `systemd-analyze verify` on copies whose `/usr/bin/node` is this machine's node (the one
 * thing of the installed layout verify checks: that the binary exists), the same check failing
 * on deliberately broken units, an offline security review of the VM units, and the units'
 * and env examples' references (commands, files, variables) against the code. Last, the
 * services as the units start them: each process gets exactly the environment systemd would
 * build from its unit and the installed env files, and together they answer /predict.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerSettings } from '@helen/broker';
import { workerSettings } from '@helen/inference-worker';
import { apiSettings } from '@helen/http-api';
import { freePort, nodeFlagsFor } from '@helen/runtime';
import { postJson, REPO_ROOT, request, waitFor } from '@helen/runtime/testing';

const VM_DIR = join(REPO_ROOT, 'deploy/systemd');
const PI_DIR = join(REPO_ROOT, 'edge-publisher/deploy');
const INSTALL_ROOT = '/opt/helen/';
const HELEN = join(REPO_ROOT, 'bin/helen.mjs');

const haveSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!haveSystemdAnalyze) console.warn('systemd-analyze not installed: skipping the systemd verify tests');

const vmUnits = readdirSync(VM_DIR).filter((f) => f.endsWith('.service')).sort();
const envExamples = readdirSync(VM_DIR).filter((f) => f.endsWith('.env.example')).sort();
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

/** `[Section] Key=value` lines of a unit, continuation lines joined; keys may repeat. */
function directives(text: string): { section: string; key: string; value: string }[] {
  const out: { section: string; key: string; value: string }[] = [];
  let section = '';
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) section = header[1] ?? '';
    else if (/^[A-Za-z]+=/.test(line)) {
      const at = line.indexOf('=');
      out.push({ section, key: line.slice(0, at), value: line.slice(at + 1).trim() });
    }
  }
  return out;
}
const values = (text: string, key: string) => directives(text).filter((d) => d.key === key).map((d) => d.value);

interface Verified {
  status: number | null;
  /** Output lines about the given units (parse warnings are `file:line: ...`, others `unit: ...`). */
  problems: string[];
}

const scratch = mkdtempSync(join(tmpdir(), 'helen-systemd-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Copies the units into a fresh directory (a template also as instances 1 and 2, as they run)
 * with `/usr/bin/node` replaced by this machine's node, and runs `systemd-analyze verify`.
 */
function verify(units: { name: string; text: string }[], mode: 'system' | 'user' = 'system'): Verified {
  const dir = mkdtempSync(join(scratch, 'units-'));
  const files: string[] = [];
  for (const { name, text } of units) {
    const names = name.endsWith('@.service') ? ['1', '2'].map((i) => name.replace('@.service', `@${i}.service`)) : [name];
    for (const n of names) {
      writeFileSync(join(dir, n), text.replaceAll('/usr/bin/node ', `${process.execPath} `));
      files.push(join(dir, n));
    }
  }
  const runtimeDir = join(dir, 'runtime');
  mkdirSync(runtimeDir, { mode: 0o700 });
  const res = spawnSync('systemd-analyze', [...(mode === 'user' ? ['--user'] : []), 'verify', '--man=no', '--generators=no', ...files], {
    encoding: 'utf8',
    // --user needs a runtime directory; an empty private one keeps the host's user session out.
    env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
  });
  const names = files.map((f) => basename(f));
  const problems = `${res.stdout}\n${res.stderr}`.split('\n').filter((l) => l.includes(dir) || names.some((n) => l.startsWith(`${n}:`)));
  return { status: res.status, problems };
}

const vmSet = vmUnits.map((name) => ({ name, text: read(VM_DIR, name) }));

describe.skipIf(!haveSystemdAnalyze)('systemd-analyze', () => {
  it('verifies the VM units (the worker template as @1 and @2) with no warning', () => {
    expect(vmUnits).toEqual(['helen-api.service', 'helen-broker.service', 'helen-worker@.service']);
    const result = verify(vmSet);
    expect(result.problems).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('verifies the Pi units: the edge as a system unit, the kiosk as a user unit', () => {
    const edge = verify([{ name: 'helen-edge.service', text: read(PI_DIR, 'helen-edge.service') }]);
    expect(edge.problems).toEqual([]);
    expect(edge.status).toBe(0);
    const kiosk = verify([{ name: 'helen-kiosk.service', text: read(PI_DIR, 'helen-kiosk.service') }], 'user');
    expect(kiosk.problems).toEqual([]);
    expect(kiosk.status).toBe(0);
  });

  it('the same check fails on broken units', () => {
    const api = read(VM_DIR, 'helen-api.service');
    const broken = {
      // A key in the wrong section is only a warning to systemd (exit 0), so warnings count.
      // (The Pi unit had exactly this: StartLimitIntervalSec= under [Service], ignored.)
      'a key in the wrong section': api.replace('Restart=always', 'Restart=always\nStartLimitIntervalSec=0'),
      'a bad value': api.replace('Restart=always', 'Restart=sometimes'),
      'a misspelt section': api.replace('[Install]', '[Instal]'),
      'a binary that does not exist': api.replace('/usr/bin/node ', '/usr/bin/no-such-node '),
      'an unknown specifier in a template': read(VM_DIR, 'helen-worker@.service').replace('HELEN_WORKER_ID=%i', 'HELEN_WORKER_ID=%Q'),
    };
    for (const [what, text] of Object.entries(broken)) {
      const name = what.includes('template') ? 'broken@.service' : 'broken.service';
      const result = verify([{ name, text }]);
      expect(result.problems.length > 0 || result.status !== 0, what).toBe(true);
    }
    const kiosk = read(PI_DIR, 'helen-kiosk.service').replace('Restart=always', 'Restart=sometimes');
    expect(verify([{ name: 'broken-kiosk.service', text: kiosk }], 'user').problems).not.toEqual([]);
  });

  it('rates the VM units\' hardening OK (exposure <= 2.0 of 10) in an offline security review', () => {
    const review = (file: string) => spawnSync('systemd-analyze', ['security', '--offline=yes', '--man=no', '--threshold=20', file], { encoding: 'utf8' });
    for (const name of vmUnits) {
      const file = join(mkdtempSync(join(scratch, 'security-')), name.replace('@.service', '@1.service'));
      writeFileSync(file, read(VM_DIR, name).replaceAll('/usr/bin/node ', `${process.execPath} `));
      const res = review(file);
      expect(res.status, `${name}: ${res.stdout.split('\n').filter((l) => l.includes('Overall')).join('')}`).toBe(0);
    }
    // The control: the Pi unit (camera group, Chromium) is far more exposed and fails the gate.
    const pi = join(mkdtempSync(join(scratch, 'security-')), 'helen-edge.service');
    writeFileSync(pi, read(PI_DIR, 'helen-edge.service').replaceAll('/usr/bin/node ', `${process.execPath} `));
    expect(review(pi).status).not.toBe(0);
  });
});

describe('unit contents', () => {
  const allUnits = [...vmSet.map((u) => ({ ...u, dir: 'deploy/systemd' })), { name: 'helen-edge.service', text: read(PI_DIR, 'helen-edge.service'), dir: 'edge-publisher/deploy' }];

  it('run an existing `helen` command of the installed checkout as helen in /opt/helen', () => {
    for (const { name, text } of allUnits) {
      const [exec, ...more] = values(text, 'ExecStart');
      expect(more, name).toEqual([]);
      const [node, ...rest] = (exec ?? '').split(/\s+/);
      expect(node, name).toBe('/usr/bin/node');
      const [script, ...args] = rest.filter((a) => !a.startsWith('--'));
      // The same V8 flags as every other way of starting the service (runtime/src/node-flags.ts).
      expect(rest.filter((a) => a.startsWith('--')), name).toEqual([...nodeFlagsFor(args[0] ?? '')]);
      expect(script, name).toBe(`${INSTALL_ROOT}bin/helen.mjs`);
      const help = spawnSync(process.execPath, [HELEN, ...args, '--help'], { encoding: 'utf8' });
      expect(help.status, `${name}: helen ${args.join(' ')} --help\n${help.stderr}`).toBe(0);
      expect(help.stdout, name).toMatch(/^usage: helen /);
      expect(values(text, 'User'), name).toEqual(['helen']);
      expect(values(text, 'WorkingDirectory'), name).toEqual(['/opt/helen']);
      expect(values(text, 'Restart'), name).toEqual(['always']);
      for (const doc of values(text, 'Documentation')) {
        expect(doc.startsWith(`file://${INSTALL_ROOT}`), `${name}: ${doc}`).toBe(true);
        expect(existsSync(join(REPO_ROOT, doc.slice(`file://${INSTALL_ROOT}`.length))), `${name}: ${doc}`).toBe(true);
      }
    }
  }, 60_000);

  it('start the workers and the facade after the broker unit, which pulls it in', () => {
    for (const name of ['helen-worker@.service', 'helen-api.service']) {
      const text = read(VM_DIR, name);
      for (const key of ['Wants', 'After']) {
        expect(values(text, key).join(' ').split(/\s+/), `${name} ${key}`).toContain('helen-broker.service');
      }
    }
    const worker = read(VM_DIR, 'helen-worker@.service');
    expect(values(worker, 'Environment')).toEqual(['HELEN_WORKER_ID=%i', 'HELEN_MQTT_USERNAME=%i']);
  });

  it('read env files that have an example here naming where it is installed', () => {
    const installedAs = envExamples.map((f) => /^# (\/etc\/helen\/\S+)/.exec(read(VM_DIR, f))?.[1]);
    for (const { name, text } of vmSet) {
      for (const file of values(text, 'EnvironmentFile')) {
        expect(installedAs, `${name}: ${file}`).toContain(file.replace('%i', 'N'));
      }
    }
  });
});

describe('env examples', () => {
  const tables = [brokerSettings, workerSettings, apiSettings];
  const parsed = new Map<string, string | undefined>();
  for (const table of tables) for (const v of table.variables()) parsed.set(v.env, v.defaultText);
  /** A default path of the checkout, as it reads in the installed layout. */
  const installed = (text: string) => text.replace(REPO_ROOT, INSTALL_ROOT).replace(/^(broker|models)\//, `${INSTALL_ROOT}$1/`);

  it('name only variables that a VM service parses, each commented one with its real default', () => {
    let commented = 0;
    for (const file of envExamples) {
      for (const line of read(VM_DIR, file).split('\n')) {
        const m = /^(#?)(HELEN_[A-Z0-9_]+)=(.*)$/.exec(line);
        if (!m) continue;
        const [, hash, name = '', value = ''] = m;
        expect(parsed.has(name), `${file}: ${name} is not parsed by the broker, the worker or the facade`).toBe(true);
        const defaultText = parsed.get(name);
        // A commented line shows the default; an unset-by-default one shows an example value.
        if (hash === '#' && defaultText !== undefined) {
          expect(value, `${file}: default of ${name}`).toBe(installed(defaultText));
          commented++;
        }
      }
    }
    expect(commented).toBeGreaterThan(30);
    for (const { text } of vmSet) {
      for (const env of values(text, 'Environment')) expect(parsed.has(env.split('=')[0] ?? ''), env).toBe(true);
    }
  });

  it('keep per-service values out of the shared file (it would override the worker unit\'s)', () => {
    const shared = read(VM_DIR, 'helen.env.example');
    for (const name of ['HELEN_WORKER_ID', 'HELEN_MQTT_USERNAME', 'HELEN_MQTT_PASSWORD']) {
      expect(shared).not.toMatch(new RegExp(`^#?${name}=`, 'm'));
    }
  });
});

/** `KEY=value` lines of an EnvironmentFile (comments and blank lines skipped), as systemd reads these. */
function envFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1] ?? ''] = m[2] ?? '';
  }
  return out;
}

describe('the VM services as the units start them', () => {
  const etc = mkdtempSync(join(scratch, 'etc-helen-'));
  const children: ChildProcess[] = [];
  const logs: string[] = [];

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
  });

  /** Environment= lines (%i = instance), then each EnvironmentFile= in order, overriding: systemd's order. */
  function unitEnv(unit: string, instance = ''): Record<string, string> {
    const text = read(VM_DIR, unit).replaceAll('%i', instance);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const line of values(text, 'Environment')) Object.assign(env, envFile(line));
    for (const file of values(text, 'EnvironmentFile')) Object.assign(env, envFile(readFileSync(file.replace('/etc/helen/', `${etc}/`), 'utf8')));
    return env;
  }

  function start(unit: string, instance = ''): void {
    const [, ...words] = (values(read(VM_DIR, unit), 'ExecStart')[0] ?? '').split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const [, ...args] = words.filter((w) => !w.startsWith('--'));
    const name = `${unit}${instance}`;
    const child = spawn(process.execPath, [...flags, HELEN, ...args], { cwd: REPO_ROOT, env: unitEnv(unit, instance), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => logs.push(`${name}: ${d.toString()}`));
    child.stderr?.on('data', (d: Buffer) => logs.push(`${name} (stderr): ${d.toString()}`));
    children.push(child);
  }

  it('broker, workers @1 and @2 and the facade log in with their own users and answer /predict', async () => {
    // /etc/helen as the install steps leave it, on free loopback ports instead of 1883/8000.
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const shared = read(VM_DIR, 'helen.env.example').replaceAll('/etc/helen/', `${etc}/`) + [
      `HELEN_MQTT_HOST=127.0.0.1`, `HELEN_MQTT_PORT=${mqttPort}`, 'HELEN_MQTT_WS_PORT=off',
      `HELEN_MQTT_URL=mqtt://127.0.0.1:${mqttPort}`, 'HELEN_HTTP_HOST=127.0.0.1', `HELEN_HTTP_PORT=${httpPort}`, '',
    ].join('\n');
    writeFileSync(join(etc, 'helen.env'), shared);
    mkdirSync(join(etc, 'broker'), { mode: 0o700 });
    const login = (user: string, role: string, example: string, installed: string) => {
      const password = `${user}-${Math.random().toString(36).slice(2)}`;
      const add = spawnSync(process.execPath, [HELEN, 'broker', 'users', 'add', user, '--role', role, '--file', join(etc, 'broker/users')], { input: `${password}\n`, encoding: 'utf8' });
      expect(add.status, add.stderr).toBe(0);
      writeFileSync(join(etc, installed), read(VM_DIR, example).replace(/^HELEN_MQTT_PASSWORD=.*$/m, `HELEN_MQTT_PASSWORD=${password}`));
    };
    login('api', 'api', 'helen-api.env.example', 'api.env');
    login('1', 'worker', 'helen-worker.env.example', 'worker-1.env');
    login('2', 'worker', 'helen-worker.env.example', 'worker-2.env');

    start('helen-broker.service');
    start('helen-worker@.service', '1');
    start('helen-worker@.service', '2');
    start('helen-api.service');
    const url = `http://127.0.0.1:${httpPort}`;
    // Four processes start tsx and two load the model: give a busy machine time.
    await waitFor('/health ok with both workers', async () => {
      const res = await request(`${url}/health`).catch(() => undefined);
      return res?.status === 200 && (res.body as { workers: number }).workers === 2 ? res : undefined;
    }, 150_000, 200).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${logs.join('')}`);
    });
    const { feature_dim: F } = (await request(`${url}/metadata`)).body as { feature_dim: number };
    const res = await postJson(`${url}/predict`, { sequence: Array.from({ length: 30 }, () => Array<number>(F).fill(0.5)) });
    expect(res.status, res.text).toBe(200);
    expect(['1', '2']).toContain((res.body as { worker: string }).worker);
  }, 180_000);
});
