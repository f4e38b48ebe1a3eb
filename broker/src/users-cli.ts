/**
 * `helen broker users add <name> --role <role> | remove <name> | list [--file <path>]`:
 * manages the users file (default: $HELEN_BROKER_USERS_FILE). The password is read from a
 * prompt without echo, or from the first line of stdin when stdin is not a terminal; never
 * from the command line, where other users of the machine could see it.
 */
import { readFileSync } from 'node:fs';
import { parseAcl } from './auth/acl';
import { toMosquittoAcl } from './auth/mosquitto';
import { DEFAULT_ACL_FILE } from './config';
import { DEFAULT_SCRYPT, ROLES, hashPassword, isRole, isValidUserName, readUsersFileOrEmpty, writeUsersFile } from './auth/users-file';

export const USERS_USAGE = `usage: helen broker users <command> [--file <path>]

  add <name> --role <${ROLES.join('|')}>   add a user or change its password and role;
                                    the password is prompted for (no echo) or read from stdin
  remove <name>                     remove a user
  list                              list the users and their roles
  mosquitto-acl [--acl <path>]      print the ACL (default $HELEN_BROKER_ACL_FILE or the shipped
                                    one) as a Mosquitto acl_file, one block per user

--file defaults to $HELEN_BROKER_USERS_FILE. A device's user name is its device id
(HELEN_DEVICE_ID), a worker's its worker id (HELEN_WORKER_ID).
`;

export interface UsersCliIo {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): { command: string | undefined; positional: string[]; role?: string; file?: string; acl?: string } {
  const positional: string[] = [];
  let role: string | undefined;
  let file: string | undefined;
  let acl: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string) => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === '--role' || a.startsWith('--role=')) role = value('--role');
    else if (a === '--file' || a.startsWith('--file=')) file = value('--file');
    else if (a === '--acl' || a.startsWith('--acl=')) acl = value('--acl');
    else if (a === '--password' || a.startsWith('--password=') || a === '-p') {
      throw new UsageError('passwords are never taken from the command line: type it at the prompt or pipe it on stdin');
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  const [command, ...rest] = positional;
  return { command, positional: rest, ...(role !== undefined ? { role } : {}), ...(file !== undefined ? { file } : {}), ...(acl !== undefined ? { acl } : {}) };
}

export async function usersCli(argv: string[], io: UsersCliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    io.stdout.write(USERS_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const args = parseArgs(argv);
    const file = args.file ?? io.env.HELEN_BROKER_USERS_FILE;
    if (!file) throw new UsageError('no users file: pass --file <path> or set HELEN_BROKER_USERS_FILE');
    const users = readUsersFileOrEmpty(file);
    switch (args.command) {
      case 'add': {
        const [name, extra] = args.positional;
        if (name === undefined || extra !== undefined) throw new UsageError('add takes one user name');
        if (!isValidUserName(name)) throw new UsageError(`bad user name "${name}": 1-128 of A-Z a-z 0-9 . _ : -`);
        if (args.role === undefined) throw new UsageError(`add needs --role <${ROLES.join('|')}>`);
        if (!isRole(args.role)) throw new UsageError(`unknown role "${args.role}" (${ROLES.join(', ')})`);
        const password = await readPassword(io, `password for ${name}: `);
        const existed = users.has(name);
        users.set(name, { name, role: args.role, hash: await hashPassword(password, DEFAULT_SCRYPT) });
        writeUsersFile(file, users.values());
        io.stdout.write(`${existed ? 'updated' : 'added'} ${name} (${args.role}) in ${file}\n`);
        return 0;
      }
      case 'remove': {
        const [name, extra] = args.positional;
        if (name === undefined || extra !== undefined) throw new UsageError('remove takes one user name');
        if (!users.delete(name)) {
          io.stderr.write(`helen broker users: no user "${name}" in ${file}\n`);
          return 1;
        }
        writeUsersFile(file, users.values());
        io.stdout.write(`removed ${name} from ${file}\n`);
        return 0;
      }
      case 'list': {
        if (args.positional.length > 0) throw new UsageError('list takes no arguments');
        for (const u of users.values()) io.stdout.write(`${u.name}\t${u.role}\t${u.hash.split('$')[2] ?? ''}\n`);
        return 0;
      }
      case 'mosquitto-acl': {
        if (args.positional.length > 0) throw new UsageError('mosquitto-acl takes no arguments');
        const aclFile = args.acl ?? (io.env.HELEN_BROKER_ACL_FILE || DEFAULT_ACL_FILE);
        const { text, skipped } = toMosquittoAcl(parseAcl(readFileSync(aclFile, 'utf8'), aclFile), users.values());
        io.stdout.write(text);
        for (const s of skipped) io.stderr.write(`helen broker users: left out of the Mosquitto ACL (uses %c): ${s}\n`);
        return 0;
      }
      default:
        throw new UsageError(args.command === undefined ? 'missing command' : `unknown command "${args.command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`helen broker users: ${err.message}\n\n${USERS_USAGE}`);
      return 2;
    }
    io.stderr.write(`helen broker users: ${(err as Error).message}\n`);
    return 1;
  }
}

/** From a terminal: prompted twice, without echo. Otherwise: the first line of stdin. */
async function readPassword(io: UsersCliIo, prompt: string): Promise<string> {
  if (!io.stdin.isTTY) {
    let text = '';
    io.stdin.setEncoding('utf8');
    for await (const chunk of io.stdin) text += chunk as string;
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line === '') throw new Error('no password on stdin (expected it on the first line)');
    return line;
  }
  const first = await promptHidden(io, prompt);
  if (first === '') throw new Error('empty password');
  const again = await promptHidden(io, 'again: ');
  if (first !== again) throw new Error('the passwords do not match');
  return first;
}

function promptHidden(io: UsersCliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
