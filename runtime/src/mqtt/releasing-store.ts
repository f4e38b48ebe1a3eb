/**
 * mqtt.js's in-memory outgoing store, except that a message's payload is let go as soon as
 * the message leaves the store (its PUBACK came, or it was removed).
 *
 * Why: mqtt.js keeps a deep copy of every QoS 1 publish in a Map until its PUBACK. Under
 * load those copies were promoted to V8's old generation after they were acknowledged, and
 * their payload buffers waited for a full GC, which V8 only starts when off-heap memory has
 * grown by ~64 MB (bench/README.md "Memory": with this store and PendingRequests clearing
 * its entries, the facade's peak of such buffers fell from 28-45 to ~9 MB). The likely path:
 * the Map lives in the old generation, when it rehashes (ids 1..65535 come and go all the
 * time) the table it leaves behind still points at the packets it held, and a
 * young-generation GC takes every old-to-young pointer as live without asking whether the
 * old object is garbage. A packet without its payload drags a few bytes along instead.
 */
import { Store } from 'mqtt';
import type { Packet } from 'mqtt-packet';

type DelCallback = (err?: Error, packet?: Packet) => void;

const RELEASED = Buffer.alloc(0);

export class ReleasingStore extends Store {
  override del(packet: Pick<Packet, 'messageId'>, cb: DelCallback): this {
    return super.del(packet, (err?: Error, stored?: Packet) => {
      try {
        cb?.(err, stored);
      } finally {
        // After the callback: whoever is told of the removal still sees the whole packet.
        if (stored?.cmd === 'publish') stored.payload = RELEASED;
      }
    });
  }
}
