/**
 * The broker's users file: one user per line, `<name> <role> <hash>`, where the hash is
 * `$scrypt$N=<cost>,r=<block size>,p=<parallelism>,l=<key length>$<salt b64>$<key b64>`.
 * The scrypt parameters live on each line, so they can be raised later for new passwords
 * without invalidating old ones. Blank lines and `#` comments are ignored.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export const ROLES = ['device', 'worker', 'api', 'monitor'] as const;
export type Role = (typeof ROLES)[number];

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  /** Derived key length, bytes. */
  keylen: number;
}

/** ~16 MiB and a few tens of ms per check on the dev VM; raise N for new passwords as machines get faster. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1, keylen: 32 };

export interface UserEntry {
  readonly name: string;
  readonly role: Role;
  /** The `$scrypt$...` string, never the password. */
  readonly hash: string;
}

/** A user name is one MQTT topic level usable as a device or worker id (no spaces, wildcards or `/`). */
const NAME = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidUserName(name: string): boolean {
  return NAME.test(name);
}

export function isRole(role: string): role is Role {
  return (ROLES as readonly string[]).includes(role);
}

function scrypt(password: string | Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, params.keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  if (password.length === 0) throw new Error('the password must not be empty');
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return `$scrypt$N=${params.N},r=${params.r},p=${params.p},l=${params.keylen}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash { params: ScryptParams; salt: Buffer; key: Buffer }

function parseHash(hash: string): ParsedHash {
  const m = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+),l=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) throw new Error('not a $scrypt$N=..,r=..,p=..,l=..$salt$key hash');
  const [N, r, p, keylen] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 20) throw new Error(`scrypt N must be a power of two <= 2^20 (got ${N})`);
  if (r < 1 || r > 64 || p < 1 || p > 16 || keylen < 16 || keylen > 128) throw new Error('scrypt parameters out of range');
  const key = Buffer.from(m[6]!, 'base64');
  if (key.length !== keylen) throw new Error('key length does not match l=');
  return { params: { N, r, p, keylen }, salt: Buffer.from(m[5]!, 'base64'), key };
}

/** Constant-time check of a password against a stored hash. */
export async function verifyPassword(password: string | Buffer, hash: string): Promise<boolean> {
  const { params, salt, key } = parseHash(hash);
  const candidate = await scrypt(password, salt, params);
  return timingSafeEqual(candidate, key);
}

/** Parses the file's text; throws naming the bad line. */
export function parseUsers(text: string, source = 'users file'): Map<string, UserEntry> {
  const users = new Map<string, UserEntry>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    const parts = line.split(/\s+/);
    if (parts.length !== 3) throw new Error(`${where}: expected "<name> <role> <hash>"`);
    const [name, role, hash] = parts as [string, string, string];
    if (!isValidUserName(name)) throw new Error(`${where}: bad user name "${name}" (1-128 of A-Z a-z 0-9 . _ : -)`);
    if (!isRole(role)) throw new Error(`${where}: unknown role "${role}" (${ROLES.join(', ')})`);
    try {
      parseHash(hash);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    if (users.has(name)) throw new Error(`${where}: user "${name}" listed twice`);
    users.set(name, { name, role, hash });
  });
  return users;
}

export function readUsersFile(path: string): Map<string, UserEntry> {
  return parseUsers(readFileSync(path, 'utf8'), path);
}

/** Like readUsersFile, but a missing file is an empty list (the CLI creates it). */
export function readUsersFileOrEmpty(path: string): Map<string, UserEntry> {
  try {
    return readUsersFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
}

/** Writes the whole file atomically (temporary file + rename), readable by its owner only. */
export function writeUsersFile(path: string, users: Iterable<UserEntry>): void {
  const lines = ['# helen broker users: <name> <role> <scrypt hash>. Manage with `helen broker users`.'];
  for (const u of users) lines.push(`${u.name} ${u.role} ${u.hash}`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
