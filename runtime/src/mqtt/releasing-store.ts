/**
 * mqtt.js's in-memory outgoing store, except that a message's payload is let go as soon as
 * the message leaves the store (its PUBACK came, or it was removed).
 *
 * Why: mqtt.js keeps a deep copy of every QoS 1 publish in a Map until its PUBACK. That Map
 * lives for the whole process, so V8 has moved it to the old generation; when it rehashes
 * (ids 1..65535 come and go all the time), the table it leaves behind still points at the
 * packets it held. A young-generation GC takes every old-to-young pointer as live without
 * checking whether the old object is itself garbage, so those packets and their payload
 * buffers survive the scavenge, get promoted, and wait for a full GC, which V8 only starts
 * when off-heap memory has grown by ~64 MB. In the facade under load that was most request
 * buffers of the process (bench/README.md "Memory"). Dropping the payload here leaves the
 * stale pointer holding a few bytes instead.
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
