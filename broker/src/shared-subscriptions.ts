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
 * - QoS > 0 copies to a clean-session member are tracked until it acknowledges them (PUBACK,
 *   or PUBREC for QoS 2). When that member's connection ends first, or a new connection takes
 *   over its client id, the un-acknowledged copies go to another member of the group (at
 *   least once: the dead member may have processed them). aedes keeps no outgoing state for
 *   clean sessions, so we learn a copy's packet id from aedes' write callback (called as a
 *   method of the packet it wrote) and see acknowledgements on the client's packet parser.
 *   Persistent members are left to aedes: their session keeps and resends its own in-flight
 *   messages when it reconnects.
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

/** A QoS > 0 copy handed to a clean-session member and not yet acknowledged. */
interface InFlight {
  /** Null once acknowledged (see `forget`). */
  packet: AedesPublishPacket | null;
  /** Known once aedes has written the copy (see `send`). */
  messageId?: number;
}

interface Member {
  readonly client: Client;
  qos: 0 | 1 | 2;
  /** By our copy counter. Only for clean sessions. */
  readonly inflight: Map<number, InFlight>;
  /** Packet id -> key in `inflight`, once the id is known. */
  readonly byId: Map<number, number>;
}

/** Per connection: acknowledgements seen on the wire, for the member entries of that connection. */
interface AckWatch {
  readonly members: Set<Member>;
  /**
   * Acks whose packet id no in-flight copy had yet: the PUBACK can beat aedes' write callback
   * (which runs in a later setImmediate, or after 'drain'). Kept briefly, by arrival time.
   */
  readonly early: Map<number, number>;
}

/** How long an ack seen before its copy's write callback is kept for matching. */
const EARLY_ACK_MS = 10_000;

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

/**
 * Removes an acknowledged copy, first dropping its packet. Without the cut, settled entries
 * were promoted with their payload (a view that pins the socket's whole read chunk) and waited
 * for a full GC: under /predict load the broker's ArrayBuffers grew to 22 MB and glibc kept
 * that size (measured: bench/README.md "Memory", the facade's same fix). The likely path
 * (inferred, not traced): `inflight` lives as long as the member, so it sits in V8's old
 * generation; a Map that rehashes leaves its previous table behind still pointing at the
 * entries, and a scavenge keeps whatever an old object points at.
 */
function forget(member: Member, key: number): void {
  const f = member.inflight.get(key);
  if (f) f.packet = null;
  member.inflight.delete(key);
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
  private readonly watches = new WeakMap<Client, AckWatch>();

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

  /** For tests and diagnostics: un-acknowledged shared copies per share name and member. */
  inflightSnapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const g of this.groups.values()) {
      out[g.key] = Object.fromEntries([...g.members].map(([id, m]) => [id, m.inflight.size]));
    }
    return out;
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
      const member: Member = { client, qos: minQos(qos, 2), inflight: new Map(), byId: new Map() };
      g.members.set(client.id, member);
      this.watch(member);
      // The old connection's un-acknowledged copies will never be acknowledged now.
      if (existing) this.handOver(g, existing);
    }
    this.log.debug({ clientId: client.id, share: key, qos, members: g.members.size }, 'shared subscription joined');
  }

  private leave(client: Client, { group, filter }: SharedTopic): void {
    const g = this.groups.get(`${SHARE_PREFIX}${group}/${filter}`);
    // Still connected: it can still acknowledge what it has; nothing is handed over.
    if (g) this.removeMember(g, client, false);
  }

  private leaveAll(client: Client): void {
    for (const g of [...this.groups.values()]) this.removeMember(g, client, true);
  }

  /** `handOver`: the connection is gone, so its un-acknowledged copies go to other members. */
  private removeMember(g: Group, client: Client, handOver: boolean): void {
    const m = g.members.get(client.id);
    // Only the same connection: a takeover's disconnect must not evict the new session.
    if (!m || m.client !== client) return;
    g.members.delete(client.id);
    this.watches.get(client)?.members.delete(m);
    this.log.debug({ clientId: client.id, share: g.key, members: g.members.size }, 'shared subscription left');
    if (handOver) this.handOver(g, m);
    m.inflight.clear();
    m.byId.clear();
    if (g.members.size === 0 && this.groups.get(g.key) === g) {
      this.groups.delete(g.key);
      this.broker().unsubscribe(g.filter, g.deliver, noop);
    }
  }

  /** Gives `from`'s un-acknowledged copies to other members (none left: they are dropped). */
  private handOver(g: Group, from: Member): void {
    if (from.inflight.size === 0) return;
    const pending = [...from.inflight.values()];
    from.inflight.clear();
    from.byId.clear();
    let moved = 0;
    for (const { packet } of pending) {
      if (!packet) continue;
      const to = this.pick(g, from);
      if (!to) break;
      this.send(to, packet, noop);
      moved++;
    }
    this.log.debug({ clientId: from.client.id, share: g.key, unacked: pending.length, moved }, 'un-acknowledged shared deliveries handed over');
  }

  /** Sees PUBACK/PUBREC of `m`'s connection (once per connection) to clear in-flight copies. */
  private watch(m: Member): void {
    if (!m.client.clean) return;
    let w = this.watches.get(m.client);
    if (!w) {
      const watch: AckWatch = { members: new Set(), early: new Map() };
      w = watch;
      this.watches.set(m.client, watch);
      const parser = (m.client as unknown as { _parser?: NodeJS.EventEmitter })._parser;
      parser?.on('packet', (p: { cmd: string; messageId?: number }) => {
        if ((p.cmd !== 'puback' && p.cmd !== 'pubrec') || p.messageId === undefined) return;
        if (!this.acked(watch, p.messageId)) {
          // Insertion order is arrival order (delete first to move a repeated id to the end),
          // so expired entries are at the front. Acks for this connection's normal
          // subscriptions land here too; the expiry bounds them.
          const now = Date.now();
          for (const [id, at] of watch.early) {
            if (now - at <= EARLY_ACK_MS) break;
            watch.early.delete(id);
          }
          watch.early.delete(p.messageId);
          watch.early.set(p.messageId, now);
        }
      });
    }
    w.members.add(m);
  }

  /** Clears the in-flight copy with this packet id; false when none had it (yet). */
  private acked(w: AckWatch, messageId: number): boolean {
    for (const m of w.members) {
      const key = m.byId.get(messageId);
      if (key !== undefined) {
        m.byId.delete(messageId);
        forget(m, key);
        return true;
      }
    }
    return false;
  }

  /** One copy of `packet` to `member`, via aedes' per-client delivery path. */
  private send(member: Member, packet: AedesPublishPacket, cb: () => void): void {
    const key = ++this.counter;
    const copy = {
      cmd: 'publish',
      topic: packet.topic,
      payload: packet.payload,
      qos: minQos(packet.qos, member.qos),
      // Live deliveries never carry the retain flag (MQTT 3.1.1 3.3.1.3; v5 default rap=0).
      retain: false,
      dup: false,
      brokerId: this.copyBrokerId,
      brokerCounter: key,
      ...(packet.properties ? { properties: packet.properties } : {}),
    } as unknown as PublishPacket;
    const tracked = copy.qos > 0 && member.client.clean;
    if (tracked) member.inflight.set(key, { packet });
    const watch = this.watches.get(member.client);
    // aedes calls this as `packet.writeCallback()` once the copy is written, so `this` is the
    // packet it sent, with its packet id (undefined when it sent nothing).
    function written(this: { messageId?: number; qos?: number } | undefined): void {
      const f = member.inflight.get(key);
      if (f) {
        const messageId = this?.messageId;
        if (messageId === undefined || !this?.qos) {
          // Nothing sent, or sent at QoS 0 (downgraded): no acknowledgement will come. If the
          // connection is gone, the disconnect hand-over deals with it; otherwise it is done.
          if (!member.client.closed) forget(member, key);
        } else if (watch?.early.delete(messageId)) {
          forget(member, key);
        } else {
          f.messageId = messageId;
          member.byId.set(messageId, key);
        }
      }
      cb();
    }
    // Errors are the member's connection problem, handled by aedes; mqemitter must not see them.
    member.client.publish(copy, written);
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
        this.send(member, packet, cb);
      },
    };
    return g;
  }

  /** Next open member after the cursor (never `not`); prunes members whose connection closed. */
  private pick(g: Group, not?: Member): Member | undefined {
    while (g.members.size > 0) {
      const members = [...g.members.values()];
      const index = g.next % members.length;
      const m = members[index]!;
      if (m.client.closed) {
        this.removeMember(g, m.client, true);
        continue;
      }
      if (m === not) {
        if (members.length === 1) return undefined;
        g.next = index + 1;
        continue;
      }
      g.next = index + 1;
      return m;
    }
    return undefined;
  }
}

function noop(): void {}
