/**
 * The broker's authentication and authorization from its settings: reads the users file and
 * the ACL file once at start-up (a bad line refuses to start, naming the file and line).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@helen/runtime';
import type { Logger } from 'pino';
import { parseAcl, type Acl } from './acl';
import { createAuthHooks, type AuthHooks } from './hooks';
import { readUsersFile, type UserEntry } from './users-file';

export interface AuthSettings {
  readonly usersFile?: string | undefined;
  readonly aclFile: string;
  readonly allowAnonymous: boolean;
}

/** The broker's auth hooks, plus a reload of both files (SIGHUP in `helen broker`). */
export interface BrokerAuth extends AuthHooks {
  /** Re-reads the users file and the ACL; on any problem keeps the ones in force, logs why and returns false. */
  reload(): boolean;
}

function readAuthFiles(settings: AuthSettings): { users: Map<string, UserEntry> | undefined; acl: Acl } {
  const problems: string[] = [];
  let users: Map<string, UserEntry> | undefined;
  if (settings.usersFile !== undefined) {
    try {
      users = readUsersFile(settings.usersFile);
    } catch (err) {
      problems.push(`HELEN_BROKER_USERS_FILE: ${(err as Error).message}`);
    }
  }
  let acl: Acl | undefined;
  try {
    acl = parseAcl(readFileSync(settings.aclFile, 'utf8'), settings.aclFile);
  } catch (err) {
    problems.push(`HELEN_BROKER_ACL_FILE: ${(err as Error).message}`);
  }
  if (problems.length > 0 || !acl) throw new ConfigError(problems);
  return { users, acl };
}

export function loadBrokerAuth(settings: AuthSettings, log: Logger): BrokerAuth {
  const { users, acl } = readAuthFiles(settings);
  if (settings.allowAnonymous) {
    log.warn('HELEN_BROKER_ALLOW_ANONYMOUS=true: clients without a username are accepted with full access (development only)');
  }
  log.info({ users: users?.size ?? 0, aclFile: settings.aclFile, allowAnonymous: settings.allowAnonymous }, 'authentication ready');
  const hooks = createAuthHooks({ ...(users ? { users } : {}), acl, allowAnonymous: settings.allowAnonymous, log });
  return {
    ...hooks,
    reload() {
      try {
        const next = readAuthFiles(settings);
        hooks.replace(next);
        log.info({ users: next.users?.size ?? 0, aclFile: settings.aclFile }, 'users file and ACL reloaded');
        return true;
      } catch (err) {
        log.error({ problems: (err as ConfigError).problems ?? [(err as Error).message] }, 'reload refused: keeping the users file and ACL in force');
        return false;
      }
    },
  };
}

export { Acl, parseAcl, topicMatches, filterCovers, filtersOverlap, type AclSubject } from './acl';
export { createAuthHooks, DENIED_TOPIC, type AuthHooks, type AuthOptions, type Identity, type DenialCounters } from './hooks';
export {
  ROLES, DEFAULT_SCRYPT, hashPassword, verifyPassword, parseUsers, readUsersFile, writeUsersFile, isRole, isValidUserName,
  type Role, type UserEntry, type ScryptParams,
} from './users-file';
