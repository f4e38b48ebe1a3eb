/**
 * mqtt-packet (the codec under mqtt.js and aedes; one copy in the tree) builds, at its first
 * write, a 2-byte Buffer for every number 0..65535 it may write as a packet id or a length:
 * 65,536 Buffer objects, 6.6 MB of V8 heap in every process that speaks MQTT (the largest
 * single item in a heap snapshot of the facade, bench/README.md "Memory"). Without the cache
 * it allocates those 2 bytes per write from Node's buffer pool instead; `npm run bench`'s MQTT
 * and /predict throughput stayed within their run-to-run spread. Process-wide and idempotent:
 * every MQTT client and the broker call it before their first write.
 */
import mqttPacket from 'mqtt-packet';

export function disableMqttNumberCache(): void {
  (mqttPacket.writeToStream as unknown as { cacheNumbers: boolean }).cacheNumbers = false;
}

/** True while mqtt-packet writes numbers from its pre-built cache (for tests). */
export function mqttNumberCacheEnabled(): boolean {
  return (mqttPacket.writeToStream as unknown as { cacheNumbers: boolean }).cacheNumbers;
}
