/**
 * One socket write per turn of the event loop instead of one per packet.
 *
 * mqtt-packet (under mqtt.js and aedes) corks the stream for each packet and uncorks it on
 * process.nextTick, so packets written in one callback already leave in one writev. But
 * under load every request arrives in its own callback (one HTTP request, one MQTT read),
 * and the nextTick queue drains after each: the facade wrote ~3 times per /predict (its
 * request, the PUBACK of the reply, the HTTP answer), the broker ~2.8, each a loopback
 * syscall that also runs the receiver's TCP path. Holding the cork until setImmediate (the
 * check phase, right after the poll phase has run every ready callback) lets the packets of
 * all the callbacks of one turn leave together. A lone packet waits for nothing but the end
 * of the turn it was written in: when nothing else is ready that is at once.
 */
import type { Writable } from 'node:stream';

const coalesced = new WeakSet<Writable>();

/**
 * Idempotent; the stream keeps working as before (backpressure, errors, end). A turn's writes
 * are sent at once when they reach the stream's high-water mark: big payloads gain nothing
 * from waiting, and bytes held here would count as a slow consumer's backlog (the broker's
 * HELEN_BROKER_MAX_QUEUED_BYTES check reads writableLength).
 */
export function coalesceWrites(stream: Writable): void {
  if (coalesced.has(stream)) return;
  coalesced.add(stream);
  let held = false;
  const release = () => {
    if (!held) return;
    held = false;
    if (!stream.destroyed) stream.uncork();
  };
  const write = stream.write;
  stream.write = function coalescingWrite(this: Writable, ...args: Parameters<Writable['write']>): boolean {
    if (!held && !stream.destroyed && !stream.writableEnded) {
      held = true;
      stream.cork();
      setImmediate(release);
    }
    const ok = write.apply(this, args);
    if (held && stream.writableLength >= stream.writableHighWaterMark) release();
    return ok;
  } as Writable['write'];
}
