/**
 * Two outbound MQTT 3.1.1 rules aedes 1.2 gets wrong, fixed at the seams aedes exposes
 * (issue 10, item 8; the inbound refusals are in conformance.ts):
 *
 * 1. DUP on redelivery [MQTT-3.3.1-1, MQTT-4.4.0-1]. When a persistent session reconnects,
 *    aedes replays its outgoing queue (`persistence.outgoingStream`) with each message's old
 *    packet id but DUP 0. A queued message that already has a packet id was handed to the
 *    client before, so it goes out again with DUP 1. Messages queued while the client was
 *    offline have no packet id yet and keep DUP 0. Wrapping the persistence's stream covers
 *    the memory and the Redis store alike, and touches no stored object (copies only).
 *
 * 2. Overlapping subscriptions [MQTT-3.3.5-1]. aedes sends one copy (deduplicated per message)
 *    at the QoS of whichever matching subscription's handler runs first, and for a wildcard
 *    subscription it never caps the QoS at the granted one (only an exact-topic subscription
 *    downgrades). The spec wants the copy at min(publish QoS, highest QoS granted to any
 *    matching subscription). Every client's `deliver0`/`deliverQoS` (the functions aedes binds
 *    to each subscription, instance properties set in the Client constructor) is wrapped right
 *    after `aedes.handle` creates the client, to send at that QoS through aedes' own path.
 *    Only messages of this broker's bus are adjusted (`brokerId === aedes.id`); the copies our
 *    shared subscriptions hand to one member (shared-subscriptions.ts) already carry the
 *    member's QoS and pass through untouched.
 *    Remaining corner (documented): when the topic also has an exact-topic subscription with
 *    a lower QoS than a matching wildcard one, aedes' own exact-topic downgrade still applies.
 *
 * 3. Nothing before CONNACK [MQTT-3.2.0-1]. aedes re-subscribes a persistent session's
 *    topics (restoreSubs) a few asynchronous steps before it writes the CONNACK, so a message
 *    published in between goes out first. With Redis the bus is asynchronous and this happens
 *    (one reconnect in ~50 in broker/test/persistence.test.ts); mqtt.js then stalls its connect
 *    for good (it cannot acknowledge a QoS 1 message before it is connected, and holds every
 *    later packet, the CONNACK included, behind that one). A delivery to a client whose
 *    CONNACK has not been written yet is kept and written right after the CONNACK, in order;
 *    aedes is told at once that it is done, so that held deliveries never occupy its bounded
 *    bus concurrency (100). If the connection closes first they are dropped: a QoS 1/2 copy
 *    is also in the session's queue (enqueued before the bus delivery), QoS 0 may be lost.
 *    A QoS 1/2 copy held this way can arrive twice (held copy, then the queue replay with
 *    DUP 1, fix 1), which at-least-once allows; aedes sent both copies before this fix too.
 *
 * Cost: one walk over the receiving client's own subscriptions per delivered message (a
 * handful for every Helen client), measured in broker/bench/conformance.ts.
 */
import { Readable } from 'node:stream';
import type { Aedes, Client } from 'aedes';

interface DeliverablePacket {
  topic: string;
  qos: number;
  brokerId?: string;
  messageId?: number;
  dup?: boolean;
}
type Deliver = (packet: DeliverablePacket, cb: () => void) => void;
interface DeliveringClient {
  subscriptions: Record<string, { qos: number }>;
  deliver0: Deliver;
  deliverQoS: Deliver;
}
interface ConnackingClient {
  connackSent?: boolean;
  deliver0: Deliver;
  deliverQoS: Deliver;
}
interface OutgoingStore {
  outgoingStream(client: Client): Readable;
}

/** MQTT topic filter matching [MQTT-4.7]: `+` one level, `#` the rest, `$` topics not matched by a leading wildcard. */
export function filterMatches(filter: string, topic: string): boolean {
  return !hasWildcard(filter) ? filter === topic : levelsMatch(filterLevels(filter), topic, topic.split('/'));
}

/** Highest QoS granted to any of the client's subscriptions matching `topic`; undefined when none matches. */
export function grantedQos(subscriptions: Record<string, { qos: number }>, topic: string): number | undefined {
  let best: number | undefined;
  let levels: string[] | undefined; // the topic split once, only when a wildcard filter needs it
  for (const filter in subscriptions) {
    const qos = subscriptions[filter]!.qos;
    if (best !== undefined && qos <= best) continue;
    if (!hasWildcard(filter) ? filter === topic : levelsMatch(filterLevels(filter), topic, (levels ??= topic.split('/')))) best = qos;
  }
  return best;
}

const hasWildcard = (filter: string): boolean => filter.includes('+') || filter.includes('#');

// Split wildcard filters, cached: the same few filters are matched for every message. Bounded
// (cleared when full) so a client subscribing to endless distinct filters cannot grow it.
const splitFilters = new Map<string, string[]>();
function filterLevels(filter: string): string[] {
  let levels = splitFilters.get(filter);
  if (!levels) {
    if (splitFilters.size >= 10_000) splitFilters.clear();
    levels = filter.split('/');
    splitFilters.set(filter, levels);
  }
  return levels;
}

function levelsMatch(f: string[], topic: string, t: string[]): boolean {
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Fix 2 for one client (see the file comment). */
function deliverAtGrantedQos(client: DeliveringClient, brokerId: string): void {
  const deliver0 = client.deliver0;
  const deliverQoS = client.deliverQoS;
  const route = (packet: DeliverablePacket, cb: () => void, fallback: Deliver): void => {
    const granted = packet.brokerId === brokerId ? grantedQos(client.subscriptions, packet.topic) : undefined;
    if (granted === undefined) return fallback(packet, cb);
    const qos = Math.min(packet.qos, granted);
    if (qos === 0) return deliver0(packet, cb);
    packet.qos = qos; // a per-subscription copy made by aedes' subscription handler
    deliverQoS(packet, cb);
  };
  client.deliver0 = (packet, cb) => route(packet, cb, deliver0);
  client.deliverQoS = (packet, cb) => route(packet, cb, deliverQoS);
}

/** Fix 3 for one client: deliveries wait for its CONNACK (see the file comment). */
function holdUntilConnack(client: ConnackingClient, stream: NodeJS.EventEmitter, held: WeakMap<object, () => void>): void {
  const deliver0 = client.deliver0;
  const deliverQoS = client.deliverQoS;
  let waiting: [Deliver, DeliverablePacket][] = [];
  let closed = false;
  const hold = (deliver: Deliver): Deliver => (packet, cb) => {
    if (client.connackSent || closed) return deliver(packet, cb);
    waiting.push([deliver, packet]);
    cb(); // frees the bus slot now: a slow CONNECT must not hold up aedes' bounded delivery concurrency
  };
  const release = (): void => {
    held.delete(client);
    const queued = waiting;
    waiting = [];
    if (!closed) for (const [deliver, packet] of queued) deliver(packet, () => {});
  };
  held.set(client, release);
  client.deliver0 = hold(deliver0);
  client.deliverQoS = hold(deliverQoS);
  stream.once('close', () => {
    closed = true;
    release();
  });
}

/** Fix 1: a replayed message that already has a packet id is a redelivery (DUP 1). */
function markRedeliveries(store: OutgoingStore): void {
  const outgoingStream = store.outgoingStream.bind(store);
  store.outgoingStream = (client) =>
    outgoingStream(client).map((packet: DeliverablePacket) =>
      packet.messageId === undefined ? packet : { ...packet, dup: true });
}

export function installDeliveryFixes(aedes: Aedes): void {
  // aedes sets up its persistence asynchronously (in listen()), so the store is wrapped at
  // the first connection, before any session can be replayed.
  let storeWrapped = false;
  const connackWaiters = new WeakMap<object, () => void>();
  aedes.on('connackSent', (_packet, client) => connackWaiters.get(client)?.());
  const handle = aedes.handle;
  aedes.handle = (stream, request) => {
    if (!storeWrapped) {
      markRedeliveries((aedes as unknown as { persistence: OutgoingStore }).persistence);
      storeWrapped = true;
    }
    const client = handle.call(aedes, stream, request);
    deliverAtGrantedQos(client as unknown as DeliveringClient, aedes.id);
    holdUntilConnack(client as unknown as ConnackingClient, stream, connackWaiters);
    return client;
  };
}
