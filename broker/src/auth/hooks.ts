/**
 * Users file + ACL -> the broker's aedes hooks (authenticate, authorizePublish,
 * authorizeSubscribe), with Mosquitto's outcomes for MQTT 3.1.1:
 * - unknown user or wrong password: CONNACK 4; no username when anonymous is not allowed: 5;
 *   a last will on a topic the user may not write: 5 (Mosquitto 2 refuses such a CONNECT).
 * - a publish the ACL refuses is dropped: acknowledged as usual (PUBACK at QoS 1), delivered
 *   to nobody, never retained, logged; the client stays connected.
 * - a subscription the ACL refuses gets 0x80 in SUBACK; for `$share/{group}/{filter}` the
 *   rules apply to `{filter}`.
 * Anonymous clients (only when allowed) may do anything: that is the development mode.
 */
import type { AedesPublishPacket, Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { BrokerHooks } from '../broker';
import { parseSharedTopic } from '../shared-subscriptions';
import type { Acl, AclSubject } from './acl';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword, type Role, type UserEntry } from './users-file';

export interface AuthOptions {
  /** Known users; empty or absent = nobody can log in with a name. */
  users?: ReadonlyMap<string, UserEntry>;
  acl: Acl;
  allowAnonymous: boolean;
  log: Logger;
}

export interface Identity {
  readonly anonymous: boolean;
  readonly username: string;
  readonly role: Role | '';
}

/**
 * Where a refused publish goes instead: a `$` topic nothing can subscribe to (the hook
 * refuses every filter under it, anonymous or not), so the packet reaches nobody.
 */
export const DENIED_TOPIC = '$helen-denied/publish';

type ConnackError = Error & { returnCode: number };

function connackError(returnCode: 4 | 5, message: string): ConnackError {
  return Object.assign(new Error(message), { returnCode });
}

/** Where denials are counted (the broker's metrics: `/metrics` and `$SYS`). */
export interface DenialCounters {
  refused(reason: string): void;
  dropped(reason: string): void;
}

export interface AuthHooks extends Required<BrokerHooks> {
  /** The identity a connected client authenticated with (tests, diagnostics). */
  identity(client: Client): Identity | undefined;
  /** Count denied publishes and subscriptions from now on (the broker's metrics exist after the hooks). */
  countWith(counters: DenialCounters): void;
  /**
   * Use a new users file and ACL from now on (connections already made keep their identity;
   * every later CONNECT, publish and subscribe is checked against the new ones).
   */
  replace(next: { users?: ReadonlyMap<string, UserEntry> | undefined; acl: Acl }): void;
}

export function createAuthHooks(opts: AuthOptions): AuthHooks {
  const log = opts.log.child({ module: 'broker.auth' });
  // Replaced as a whole on reload (SIGHUP): a check always sees one consistent users file and ACL.
  let users = opts.users ?? new Map<string, UserEntry>();
  let acl = opts.acl;
  const identities = new WeakMap<Client, Identity>();
  let counters: DenialCounters | undefined;
  // Unknown users cost one scrypt too, so timing does not tell which names exist.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= hashPassword('helen-dummy-password', DEFAULT_SCRYPT));

  const subject = (client: Client, id: Identity): AclSubject => ({ username: id.username, role: id.role, clientId: client.id });

  function willAllowed(client: Client, id: Identity): boolean {
    if (id.anonymous) return true;
    const will = (client as unknown as { _will?: { topic?: string } | null })._will;
    return !will?.topic || acl.canWrite(subject(client, id), will.topic);
  }

  const authenticate: AuthHooks['authenticate'] = (client, username, password, callback) => {
    const remote = { clientId: client.id };
    if (username === undefined || username === null) {
      if (!opts.allowAnonymous) {
        log.warn(remote, 'anonymous connection refused (HELEN_BROKER_ALLOW_ANONYMOUS is false)');
        return callback(connackError(5, 'not authorized'), false);
      }
      identities.set(client, { anonymous: true, username: '', role: '' });
      return callback(null, true);
    }
    const user = users.get(username);
    const check = async (): Promise<boolean> => {
      if (!user) {
        await verifyPassword(password ?? Buffer.alloc(0), await dummy()).catch(() => false);
        return false;
      }
      if (password === undefined || password === null) return false;
      return verifyPassword(password, user.hash);
    };
    check().then((ok) => {
      if (!ok || !user) {
        log.warn({ ...remote, username, reason: user ? 'wrong password' : 'unknown user' }, 'authentication failed');
        return callback(connackError(4, 'bad user name or password'), false);
      }
      const id: Identity = { anonymous: false, username, role: user.role };
      if (!willAllowed(client, id)) {
        log.warn({ ...remote, username }, 'connection refused: last will topic not writable by this user');
        return callback(connackError(5, 'not authorized'), false);
      }
      identities.set(client, id);
      log.debug({ ...remote, username, role: user.role }, 'authenticated');
      callback(null, true);
    }, (err: unknown) => {
      log.error({ ...remote, username, err: (err as Error).message }, 'authentication error');
      callback(connackError(5, 'not authorized'), false);
    });
  };

  const authorizePublish: AuthHooks['authorizePublish'] = (client, packet, callback) => {
    if (packet.topic.startsWith('$SYS/')) return callback(new Error('$SYS/ topic is reserved'));
    // client null: a will left by a client of another broker node; its topic was checked at its CONNECT.
    if (!client) return callback(null);
    const id = identities.get(client);
    if (id?.anonymous) return callback(null);
    if (id && acl.canWrite(subject(client, id), packet.topic)) return callback(null);
    const isWill = (client as unknown as { will?: unknown }).will === packet;
    log.warn({ clientId: client.id, username: id?.username, topic: packet.topic, will: isWill || undefined }, 'publish denied by ACL: dropped');
    if (isWill) return callback(new Error('will not authorized'));
    counters?.dropped('acl_publish');
    drop(packet);
    callback(null);
  };

  const authorizeSubscribe: AuthHooks['authorizeSubscribe'] = (client, sub, callback) => {
    const shared = parseSharedTopic(sub.topic);
    const filter = shared ? shared.filter : sub.topic;
    const id = identities.get(client);
    const refuse = () => {
      log.warn({ clientId: client.id, username: id?.username, topic: sub.topic }, 'subscription denied by ACL');
      counters?.refused('acl_subscribe');
      callback(null, null);
    };
    if (filter.split('/')[0] === DENIED_TOPIC.split('/')[0]) return refuse();
    if (id?.anonymous) return callback(null, sub);
    if (!id || !acl.canSubscribe(subject(client, id), filter)) return refuse();
    callback(null, sub);
  };

  return {
    authenticate, authorizePublish, authorizeSubscribe,
    identity: (client) => identities.get(client),
    countWith: (c) => {
      counters = c;
    },
    replace: (next) => {
      users = next.users ?? new Map<string, UserEntry>();
      acl = next.acl;
    },
  };
}

/** Turns a refused publish into one that reaches nobody: acknowledged as usual, never stored as retained. */
function drop(packet: PublishPacket | AedesPublishPacket): void {
  packet.topic = DENIED_TOPIC;
  packet.retain = false;
  packet.payload = Buffer.alloc(0);
}
