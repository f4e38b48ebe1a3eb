/**
 * Shared subscriptions (`$share/{group}/{filter}`) for aedes, which has none (aedes #228).
 *
 * How it hooks in, chosen to touch as little of aedes as possible:
 * - aedes calls `authorizeSubscribe` for every SUBSCRIBE entry and again when it restores a
 *   persistent session. There we validate the share name (an invalid one is refused: SUBACK
 *   0x80) and add the client to the group. aedes then stores the subscription under its
 *   literal `$share/...` name, which only matches topics starting with `$share/`; the broker
 *   delivers nothing on those (see `isShareTopic`), so that listener never delivers and the
 *   retained-message lookup aedes does on SUBSCRIBE finds nothing, which is exactly the
 *   "no retained messages on a shared subscribe" rule.
 * - For each (group, filter) we hold one internal `aedes.subscribe(filter, fn)` listener that
 *   forwards each message to one member, round robin, via `client.publish`, which is aedes'
 *   own per-client delivery path (QoS handshakes, persistent-session outgoing queue).
 * - UNSUBSCRIBE and disconnect are observed through aedes' `unsubscribe` and
 *   `clientDisconnect` events; closed clients are also skipped lazily at delivery time.
 */
import type { Aedes, AedesPublishPacket, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';

export const SHARE_PREFIX = '$share/';

export interface SharedTopic {
  readonly group: string;
  readonly filter: string;
}

/**
 * Parses `$share/{group}/{filter}`. Returns `undefined` for a topic that is not a share at
 * all, `null` for a malformed share (empty group, `+`/`#` in the group, no filter).
 */
export function parseSharedTopic(topic: string): SharedTopic | null | undefined {
  if (!topic.startsWith(SHARE_PREFIX)) return topic === '$share' ? null : undefined;
  const rest = topic.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const group = rest.slice(0, slash);
  const filter = rest.slice(slash + 1);
  if (group.includes('+') || group.includes('#') || filter.length === 0) return null;
  return { group, filter };
}

interface Member {
  readonly client: Client;
  qos: 0 | 1 | 2;
}

interface Group {
  readonly key: string;
  readonly filter: string;
  /** By client id: a client holds at most one subscription per share name, as in MQTT. */
  readonly members: Map<string, Member>;
  /** Round-robin cursor into the insertion order of `members`. */
  next: number;
  readonly deliver: (packet: AedesPublishPacket, cb: () => void) => void;
}

type Qos = 0 | 1 | 2;

function minQos(a: number, b: number): Qos {
  return Math.min(a, b) as Qos;
}

export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();
  /**
   * Copies we hand to `client.publish` carry this broker id and our own counter, so aedes'
   * per-client duplicate filter (keyed by broker id + counter) never mistakes the shared copy
   * for the normal-subscription copy of the same message: a client holding both gets both,
   * like Mosquitto.
   */
  private copyBrokerId = '';
  private counter = 0;
  private aedes: Aedes | undefined;

  constructor(private readonly log: Logger) {}

  /**
   * Binds to the aedes instance whose `authorizeSubscribe`/`authorizeForward` call into this
   * object, and listens for `unsubscribe` / `clientDisconnect`. Call once, before listen().
   */
  attach(aedes: Aedes): void {
    this.aedes = aedes;
    this.copyBrokerId = `${aedes.id}/$share`;
    aedes.on('unsubscribe', (topics, client) => {
      for (const topic of topics) {
        const shared = parseSharedTopic(topic);
        if (shared) this.leave(client, shared);
      }
    });
    aedes.on('clientDisconnect', (client) => this.leaveAll(client));
  }

  /**
   * The `authorizeSubscribe` step. `next` is the application's own check (ACLs, later);
   * shares are validated first, then authorised by `next` with the full `$share/...` topic.
   */
  authorizeSubscribe(
    client: Client,
    sub: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
    next: (client: Client, sub: Subscription, cb: (error: Error | null, subscription?: Subscription | null) => void) => void,
  ): void {
    const shared = parseSharedTopic(sub.topic);
    if (shared === undefined) return next(client, sub, callback);
    if (shared === null) {
      this.log.debug({ clientId: client.id, topic: sub.topic }, 'invalid shared subscription refused');
      return callback(null, null);
    }
    next(client, sub, (err, granted) => {
      if (!err && granted) this.join(client, shared, granted.qos);
      callback(err, granted);
    });
  }

  /**
   * True for topics nothing may be delivered on: a publish to `$share/...` would otherwise
   * reach the literal listeners aedes keeps for shared subscriptions. The broker drops those
   * deliveries in `authorizeForward`, so such a publish goes nowhere, as on Mosquitto.
   */
  isShareTopic(topic: string): boolean {
    return topic.startsWith(SHARE_PREFIX) || topic === '$share';
  }

  /** For tests and diagnostics: member client ids per share name (`$share/{group}/{filter}`). */
  snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const g of this.groups.values()) out[g.key] = [...g.members.keys()];
    return out;
  }

  /** Drops every internal listener (broker stop). */
  clear(): void {
    for (const g of this.groups.values()) this.aedes?.unsubscribe(g.filter, g.deliver, noop);
    this.groups.clear();
  }

  private broker(): Aedes {
    if (!this.aedes) throw new Error('SharedSubscriptions used before attach()');
    return this.aedes;
  }

  private join(client: Client, { group, filter }: SharedTopic, qos: number): void {
    const key = `${SHARE_PREFIX}${group}/${filter}`;
    let g = this.groups.get(key);
    if (!g) {
      g = this.createGroup(key, filter);
      this.groups.set(key, g);
      this.broker().subscribe(filter, g.deliver, noop);
    }
    const existing = g.members.get(client.id);
    if (existing && existing.client === client) {
      existing.qos = minQos(qos, 2); // resubscribe: a new granted QoS replaces the old one
    } else {
      // A session taken over by a new connection with the same client id replaces the old member.
      g.members.delete(client.id);
      g.members.set(client.id, { client, qos: minQos(qos, 2) });
    }
    this.log.debug({ clientId: client.id, share: key, qos, members: g.members.size }, 'shared subscription joined');
  }

  private leave(client: Client, { group, filter }: SharedTopic): void {
    const g = this.groups.get(`${SHARE_PREFIX}${group}/${filter}`);
    if (g) this.removeMember(g, client);
  }

  private leaveAll(client: Client): void {
    for (const g of [...this.groups.values()]) this.removeMember(g, client);
  }

  private removeMember(g: Group, client: Client): void {
    const m = g.members.get(client.id);
    // Only the same connection: a takeover's disconnect must not evict the new session.
    if (!m || m.client !== client) return;
    g.members.delete(client.id);
    this.log.debug({ clientId: client.id, share: g.key, members: g.members.size }, 'shared subscription left');
    if (g.members.size === 0) {
      this.groups.delete(g.key);
      this.broker().unsubscribe(g.filter, g.deliver, noop);
    }
  }

  private createGroup(key: string, filter: string): Group {
    // [MQTT-4.7.2-1]: a filter starting with a wildcard does not match `$` topics.
    const blocksDollar = filter.startsWith('+') || filter.startsWith('#');
    const g: Group = {
      key,
      filter,
      members: new Map(),
      next: 0,
      deliver: (packet, cb) => {
        if (blocksDollar && packet.topic.startsWith('$')) return cb();
        const member = this.pick(g);
        if (!member) return cb();
        const copy = {
          cmd: 'publish',
          topic: packet.topic,
          payload: packet.payload,
          qos: minQos(packet.qos, member.qos),
          // Live deliveries never carry the retain flag (MQTT 3.1.1 3.3.1.3; v5 default rap=0).
          retain: false,
          dup: false,
          brokerId: this.copyBrokerId,
          brokerCounter: ++this.counter,
          ...(packet.properties ? { properties: packet.properties } : {}),
        } as unknown as PublishPacket;
        // Errors are the member's connection problem, handled by aedes; mqemitter must not see them.
        member.client.publish(copy, () => cb());
      },
    };
    return g;
  }

  /** Next open member after the cursor; prunes members whose connection already closed. */
  private pick(g: Group): Member | undefined {
    while (g.members.size > 0) {
      const members = [...g.members.values()];
      const index = g.next % members.length;
      const m = members[index]!;
      if (m.client.closed) {
        this.removeMember(g, m.client);
        continue;
      }
      g.next = index + 1;
      return m;
    }
    return undefined;
  }
}

function noop(): void {}
