/**
 * `helen broker users ...` and the start-up rules, as real processes: the users file made by
 * the CLI (password on stdin, never in argv or in clear in the file) serves a real broker.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { readUsersFile, verifyPassword } from '../src/auth/users-file';
import { processResult, spawnHelen } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'helen-auth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The tests' own environment must not leak auth settings into the children.
const clean = { HELEN_BROKER_USERS_FILE: '', HELEN_BROKER_ACL_FILE: '', HELEN_BROKER_ALLOW_ANONYMOUS: '' };

const helen = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}, stdin?: string) => spawnHelen(args, { ...clean, ...env }, stdin);
const result = processResult;

const users = (args: string[], env: Record<string, string> = {}, stdin?: string) => result(run(['broker', 'users', ...args], env, stdin));

describe('helen broker users', () => {
  const file = join(dir, 'users');

  it('adds users with the password from stdin, lists, updates and removes them', async () => {
    let r = await users(['add', 'pi-kitchen', '--role', 'device', '--file', file], {}, 'kitchen-secret-1\n');
    expect(r, r.err).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/added pi-kitchen \(device\)/);
    // HELEN_BROKER_USERS_FILE instead of --file
    r = await users(['add', 'worker-1', '--role=worker'], { HELEN_BROKER_USERS_FILE: file }, 'worker-secret-2');
    expect(r.code, r.err).toBe(0);
    r = await users(['add', 'mon', '--role', 'monitor', '--file', file], {}, 'monitor-secret-3\n');
    expect(r.code, r.err).toBe(0);

    const text = readFileSync(file, 'utf8');
    for (const secret of ['kitchen-secret-1', 'worker-secret-2', 'monitor-secret-3']) expect(text).not.toContain(secret);
    expect(text).toMatch(/^pi-kitchen device \$scrypt\$N=16384,r=8,p=1,l=32\$\S+\$\S+$/m);

    r = await users(['list', '--file', file]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 2))).toEqual([
      ['pi-kitchen', 'device'], ['worker-1', 'worker'], ['mon', 'monitor'],
    ]);
    expect(r.out).not.toContain('$scrypt$'); // the hashes are not printed

    r = await users(['mosquitto-acl', '--file', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('user pi-kitchen\ntopic write helen/v1/devices/pi-kitchen/predict\n');
    expect(r.out).toContain('user worker-1\ntopic read helen/v1/devices/+/predict\n');

    const before = readFileSync(file, 'utf8');
    r = await users(['add', 'mon', '--role', 'api', '--file', file], {}, 'monitor-secret-4\n');
    expect(r.out).toMatch(/updated mon \(api\)/);
    expect(readFileSync(file, 'utf8')).not.toBe(before);

    r = await users(['remove', 'mon', '--file', file]);
    expect(r.code).toBe(0);
    r = await users(['remove', 'mon', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no user "mon"/);
    r = await users(['list', '--file', file]);
    expect(r.out).not.toMatch(/^mon\t/m);
  });

  it('never takes a password from argv, and refuses bad input with usage (exit 2)', async () => {
    const before = readFileSync(file, 'utf8');
    let r = await users(['add', 'pi-x', '--role', 'device', '--password', 'argv-secret', '--file', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/never taken from the command line/);
    r = await users(['add', 'pi-x', '--role', 'admin', '--file', file], {}, 'pw\n');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown role "admin"/);
    r = await users(['add', 'pi/x', '--role', 'device', '--file', file], {}, 'pw\n');
    expect(r.err).toMatch(/bad user name/);
    r = await users(['add', 'pi-x', '--role', 'device', '--file', file], {}, '');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no password on stdin/);
    r = await users(['list']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--file <path> or set HELEN_BROKER_USERS_FILE/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    r = await users(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/add <name> --role <device\|worker\|api\|monitor>/);
  });

  it('serves a broker: right password CONNACK 0, wrong one 4, anonymous 5', async () => {
    const child = run(['broker'], { HELEN_MQTT_PORT: '0', HELEN_MQTT_WS_PORT: 'off', HELEN_MQTT_HOST: '127.0.0.1', HELEN_LOG_LEVEL: 'warn', HELEN_BROKER_USERS_FILE: file });
    const done = result(child);
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /helen broker: mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(buf);
          if (m) resolve(m[1]!);
        });
        child.once('exit', () => reject(new Error(`exited before listening: ${buf}`)));
      });
      const url = `mqtt://127.0.0.1:${port}`;
      const code = (opts: mqtt.IClientOptions) => new Promise<number>((resolve) => {
        const c = mqtt.connect(url, { reconnectPeriod: 0, ...opts });
        c.once('connect', () => { c.end(); resolve(0); });
        c.once('error', (e) => { c.end(true); resolve((e as Error & { code: number }).code); });
      });
      expect(await code({ username: 'pi-kitchen', password: 'kitchen-secret-1' })).toBe(0);
      expect(await code({ username: 'pi-kitchen', password: 'wrong-secret-9' })).toBe(4);
      expect(await code({})).toBe(5);
    } finally {
      child.kill('SIGTERM');
    }
    const { code, out, err } = await done;
    expect(code).toBe(0);
    expect(out + err).toMatch(/"username":"pi-kitchen".*"reason":"wrong password"/);
    expect(out + err).not.toContain('wrong-secret-9');
    expect(out + err).not.toMatch(/WARNING: anonymous/);
  });
});

// Runs a command in a pseudo-terminal, answers each password prompt, prints what the terminal showed.
const PTY_RUN = `
import os, pty, sys, time, select
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out, sent, deadline = b'', 0, time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            data = os.read(fd, 1024)
        except OSError:
            break
        if not data:
            break
        out += data
    if out.count(b'password for') + out.count(b'again:') > sent:
        time.sleep(0.2)
        os.write(fd, answer + b'\\r')
        sent += 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;
const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
if (!python) console.warn('python3 not found: skipping the terminal prompt test of helen broker users');

describe.skipIf(!python)('helen broker users on a terminal', () => {
  it('prompts twice without echoing the password', async () => {
    const script = join(dir, 'pty_run.py');
    writeFileSync(script, PTY_RUN);
    const file = join(dir, 'tty-users');
    const child = spawn(python!, [script, 'tty-secret-5', process.execPath, helen, 'broker', 'users', 'add', 'pi-tty', '--role', 'device', '--file', file], {
      env: { ...process.env, ...clean },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = await result(child as unknown as ReturnType<typeof run>);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/password for pi-tty: [\s\S]*again: [\s\S]*added pi-tty \(device\)/);
    expect(r.out).not.toContain('tty-secret-5');
    const [user] = readUsersFile(file).values();
    expect(user?.name).toBe('pi-tty');
    expect(await verifyPassword('tty-secret-5', user!.hash)).toBe(true);
  });
});

describe('helen broker start-up rules', () => {
  it('refuses to start without a users file unless anonymous clients are allowed', async () => {
    const r = await result(run(['broker'], { HELEN_MQTT_PORT: '0', HELEN_MQTT_WS_PORT: 'off' }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HELEN_BROKER_USERS_FILE: required unless HELEN_BROKER_ALLOW_ANONYMOUS=true/);
  });

  it('warns when anonymous clients are allowed', async () => {
    const child = run(['broker'], { HELEN_MQTT_PORT: '0', HELEN_MQTT_WS_PORT: 'off', HELEN_MQTT_HOST: '127.0.0.1', HELEN_LOG_LEVEL: 'warn', HELEN_BROKER_ALLOW_ANONYMOUS: 'true' });
    const done = result(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('helen broker: mqtt://')) resolve(); });
      child.once('exit', () => reject(new Error('exited')));
    });
    child.kill('SIGTERM');
    const { code, out, err } = await done;
    expect(code).toBe(0);
    expect(err).toMatch(/WARNING: anonymous clients are accepted with full access/);
    expect(out).toMatch(/"level":40.*HELEN_BROKER_ALLOW_ANONYMOUS=true/);
  });

  it('names the file and line of a bad users or ACL file, and a missing file', async () => {
    const badUsers = join(dir, 'bad-users');
    writeFileSync(badUsers, '# users\nbob root $scrypt$x\n');
    const badAcl = join(dir, 'bad.acl');
    writeFileSync(badAcl, 'role device\ntopic read a/#/b\n');
    let r = await result(run(['broker'], { HELEN_BROKER_USERS_FILE: badUsers, HELEN_BROKER_ACL_FILE: badAcl, HELEN_MQTT_PORT: '0' }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HELEN_BROKER_USERS_FILE: .*bad-users:2: unknown role "root"/);
    expect(r.err).toMatch(/HELEN_BROKER_ACL_FILE: .*bad\.acl:2: "a\/#\/b" is not a valid topic filter/);
    r = await result(run(['broker'], { HELEN_BROKER_USERS_FILE: join(dir, 'missing'), HELEN_MQTT_PORT: '0' }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HELEN_BROKER_USERS_FILE: cannot read the file/);
  });

  it('--help lists the new settings', async () => {
    const { code, out } = await result(run(['broker', '--help']));
    expect(code).toBe(0);
    for (const name of ['HELEN_BROKER_USERS_FILE', 'HELEN_BROKER_ACL_FILE', 'HELEN_BROKER_ALLOW_ANONYMOUS']) expect(out).toContain(name);
    expect(out).toContain('helen broker users');
  });
});
