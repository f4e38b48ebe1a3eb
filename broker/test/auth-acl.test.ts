/** Users file and ACL as pure functions: hashing, parsing, topic matching and filter coverage. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filterCovers, filtersOverlap, parseAcl, topicMatches } from '../src/auth/acl';
import {
  hashPassword, parseUsers, readUsersFile, verifyPassword, writeUsersFile, type ScryptParams,
} from '../src/auth/users-file';
import { DEFAULT_ACL_FILE } from '../src/config';

const FAST: ScryptParams = { N: 1024, r: 8, p: 1, keylen: 32 };
const dir = mkdtempSync(join(tmpdir(), 'helen-auth-acl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('password hashes', () => {
  it('are salted scrypt with their parameters on the line, and verify only the right password', async () => {
    const a = await hashPassword('s3cret', FAST);
    const b = await hashPassword('s3cret', FAST);
    expect(a).toMatch(/^\$scrypt\$N=1024,r=8,p=1,l=32\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b); // a fresh salt each time
    expect(a).not.toContain('s3cret');
    expect(await verifyPassword('s3cret', a)).toBe(true);
    expect(await verifyPassword('s3cret!', a)).toBe(false);
    expect(await verifyPassword(Buffer.from('s3cret'), b)).toBe(true);
  });

  it('keep working when the default cost is raised: each line carries its own', async () => {
    const old = await hashPassword('pw', { N: 512, r: 4, p: 1, keylen: 16 });
    const current = await hashPassword('pw');
    expect(current).toMatch(/^\$scrypt\$N=16384,r=8,p=1,l=32\$/);
    expect(await verifyPassword('pw', old)).toBe(true);
    expect(await verifyPassword('pw', current)).toBe(true);
  });
});

describe('users file', () => {
  it('round-trips through the file, mode 0600, no password in clear', async () => {
    const path = join(dir, 'users');
    const users = [
      { name: 'pi-1', role: 'device' as const, hash: await hashPassword('device-pw', FAST) },
      { name: 'worker-1', role: 'worker' as const, hash: await hashPassword('worker-pw', FAST) },
    ];
    writeUsersFile(path, users);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('device-pw');
    const back = readUsersFile(path);
    expect([...back.values()]).toEqual(users);
    expect(await verifyPassword('worker-pw', back.get('worker-1')!.hash)).toBe(true);
  });

  it('refuses bad lines, naming the line', async () => {
    const hash = await hashPassword('x', FAST);
    expect(() => parseUsers(`# c\n\nbob admin ${hash}\n`, 'u')).toThrow(/u:3: unknown role "admin"/);
    expect(() => parseUsers('bob device plain-password\n', 'u')).toThrow(/u:1: not a \$scrypt/);
    expect(() => parseUsers(`a/b device ${hash}\n`, 'u')).toThrow(/u:1: bad user name/);
    expect(() => parseUsers(`bob device ${hash}\nbob api ${hash}\n`, 'u')).toThrow(/u:2: user "bob" listed twice/);
    expect(() => parseUsers('bob device\n', 'u')).toThrow(/u:1: expected/);
  });
});

describe('topic matching', () => {
  it('matches like MQTT', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
  });

  it('a filter is covered only when every topic it can match is', () => {
    expect(filterCovers('helen/#', 'helen/v1/devices/+/predict')).toBe(true);
    expect(filterCovers('helen/v1/devices/+/predict', 'helen/v1/devices/+/predict')).toBe(true);
    expect(filterCovers('helen/v1/devices/+/predict', 'helen/v1/devices/d1/predict')).toBe(true);
    expect(filterCovers('helen/v1/devices/d1/predictions', 'helen/v1/devices/+/predictions')).toBe(false);
    expect(filterCovers('helen/v1/devices/d1/predictions', 'helen/#')).toBe(false);
    expect(filterCovers('helen/v1/#', 'helen/v1')).toBe(true);
    expect(filterCovers('helen/v1/+/#', 'helen/v1/#')).toBe(false);
    expect(filterCovers('helen/+', 'helen/#')).toBe(false);
    expect(filterCovers('#', '$SYS/#')).toBe(false);
  });

  it('overlap', () => {
    expect(filtersOverlap('a/+/c', 'a/b/#')).toBe(true);
    expect(filtersOverlap('a/b', 'a/c')).toBe(false);
    expect(filtersOverlap('a/b', 'a/b/c')).toBe(false);
    expect(filtersOverlap('#', '$x/y')).toBe(false);
  });
});

describe('ACL', () => {
  const s = (username: string, role: string, clientId = `c-${username}`) => ({ username, role, clientId });

  it('applies user, role and global blocks with %u / %c and deny', () => {
    const acl = parseAcl([
      'topic read public/#',
      'pattern write clients/%c/hello',
      'role device',
      'pattern readwrite dev/%u/#',
      'topic deny dev/blocked/#',
      'user alice',
      'topic write alice-only',
    ].join('\n'));
    expect(acl.canSubscribe(s('bob', 'worker'), 'public/#')).toBe(true);
    expect(acl.canWrite(s('bob', 'worker'), 'clients/c-bob/hello')).toBe(true);
    expect(acl.canWrite(s('bob', 'worker'), 'clients/c-eve/hello')).toBe(false);
    expect(acl.canWrite(s('d1', 'device'), 'dev/d1/x')).toBe(true);
    expect(acl.canRead(s('d1', 'device'), 'dev/d1/x')).toBe(true);
    expect(acl.canWrite(s('d1', 'device'), 'dev/d2/x')).toBe(false);
    expect(acl.canWrite(s('blocked', 'device'), 'dev/blocked/x')).toBe(false);
    expect(acl.canSubscribe(s('blocked', 'device'), 'dev/blocked/#')).toBe(false);
    expect(acl.canWrite(s('alice', 'api'), 'alice-only')).toBe(true);
    expect(acl.canWrite(s('bob', 'api'), 'alice-only')).toBe(false);
    // a substituted value with a wildcard or separator never matches
    expect(acl.canWrite(s('bob', 'worker', 'x/+'), 'clients/x/+/hello')).toBe(false);
    expect(acl.canWrite(s('+', 'device'), 'dev/+/x')).toBe(false);
  });

  it('refuses bad lines, naming the line', () => {
    expect(() => parseAcl('topic read a/#/b', 'acl')).toThrow(/acl:1: "a\/#\/b" is not a valid topic filter/);
    expect(() => parseAcl('\nallow read x', 'acl')).toThrow(/acl:2: unknown keyword "allow"/);
    expect(() => parseAcl('user two names', 'acl')).toThrow(/acl:1: user takes one name/);
    expect(() => parseAcl('topic read a b', 'acl')).toThrow(/acl:1: a topic has no spaces/);
  });

  it('ships defaults that let each role do its job and nothing more', () => {
    const acl = parseAcl(readFileSync(DEFAULT_ACL_FILE, 'utf8'));
    const dev = s('pi-1', 'device');
    for (const t of ['predict', 'gestures', 'status']) expect(acl.canWrite(dev, `helen/v1/devices/pi-1/${t}`), t).toBe(true);
    expect(acl.canWrite(dev, 'helen/v1/devices/pi-2/predict')).toBe(false);
    expect(acl.canWrite(dev, 'helen/v1/devices/pi-1/predictions')).toBe(false);
    expect(acl.canWrite(dev, 'helen/v1/model/metadata')).toBe(false);
    for (const f of ['helen/v1/devices/pi-1/predictions', 'helen/v1/model/metadata', 'helen/v1/workers/+/status']) {
      expect(acl.canSubscribe(dev, f), f).toBe(true);
    }
    for (const f of ['helen/#', 'helen/v1/devices/pi-2/predictions', 'helen/v1/devices/+/predictions', 'helen/v1/devices/pi-2/gestures', 'helen/v1/devices/+/predict']) {
      expect(acl.canSubscribe(dev, f), f).toBe(false);
    }

    const worker = s('w1', 'worker');
    expect(acl.canSubscribe(worker, 'helen/v1/devices/+/predict')).toBe(true);
    for (const t of ['helen/v1/devices/pi-1/predictions', 'helen/v1/api/api-1/replies', 'helen/v1/model/metadata', 'helen/v1/workers/w1/status']) {
      expect(acl.canWrite(worker, t), t).toBe(true);
    }
    expect(acl.canWrite(worker, 'helen/v1/workers/w2/status')).toBe(false);
    expect(acl.canWrite(worker, 'helen/v1/devices/pi-1/predict')).toBe(false);
    expect(acl.canSubscribe(worker, 'helen/v1/devices/+/gestures')).toBe(false);

    const api = s('facade', 'api');
    expect(acl.canWrite(api, 'helen/v1/devices/http-api/predict')).toBe(true);
    for (const f of ['helen/v1/api/api-1/replies', 'helen/v1/model/metadata', 'helen/v1/workers/+/status']) expect(acl.canSubscribe(api, f), f).toBe(true);
    expect(acl.canWrite(api, 'helen/v1/model/metadata')).toBe(false);

    const mon = s('mon', 'monitor');
    expect(acl.canSubscribe(mon, 'helen/#')).toBe(true);
    expect(acl.canWrite(mon, 'helen/v1/devices/pi-1/predict')).toBe(false);
    expect(acl.canSubscribe(mon, '#')).toBe(false);
  });
});
