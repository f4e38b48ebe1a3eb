/**
 * `$SYS/broker/...` statistics, Mosquitto's topic names and formats, so the same dashboards and
 * `mosquitto_sub -t '$SYS/#'` scripts read our broker and a Mosquitto alike.
 *
 * aedes itself only publishes cluster bookkeeping under `$SYS/{brokerId}/...` (`heartbeat`,
 * `birth`, `new/clients`, `disconnect/clients`; with Redis persistence also `$SYS/sub/add|rm`),
 * and no statistics; those stay as they are. This module adds the statistics, retained, once
 * at start and then every `intervalMs`, from the same counters `/metrics` exposes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Aedes } from 'aedes';
import type { BrokerMetrics } from './metrics';

export const SYS_PREFIX = '$SYS/broker/';

function packageVersion(pkgJsonPath: string): string {
  try {
    return (JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

let versionText: string | undefined;
/** e.g. `helen-broker 0.1.0 (aedes 1.2.0)` */
export function brokerVersion(): string {
  if (versionText === undefined) {
    const own = packageVersion(new URL('../package.json', import.meta.url).pathname);
    let aedes = 'unknown';
    try {
      // aedes' exports hide package.json; its entry point sits next to it.
      const entry = createRequire(import.meta.url).resolve('aedes');
      aedes = packageVersion(entry.replace(/[^/\\]+$/, 'package.json'));
    } catch { /* stays unknown */ }
    versionText = `helen-broker ${own} (aedes ${aedes})`;
  }
  return versionText;
}

/** Topic (without the prefix) -> payload, from one metrics snapshot. */
export function sysValues(metrics: BrokerMetrics, startedAt: number, now = Date.now()): Record<string, string> {
  const s = metrics.snapshot();
  return {
    'version': brokerVersion(),
    'uptime': `${Math.floor((now - startedAt) / 1000)} seconds`,
    'clients/connected': String(s.clientsConnected),
    'connections/total': String(s.connectionsTotal),
    'messages/received': String(s.messagesReceived),
    'messages/sent': String(s.messagesSent),
    'publish/messages/received': String(s.messagesReceived),
    'publish/messages/sent': String(s.messagesSent),
    'publish/messages/dropped': String(s.dropped),
    'bytes/received': String(s.bytesReceived),
    'bytes/sent': String(s.bytesSent),
  };
}

/**
 * Publishes the statistics now and every `intervalMs` (0 = never). Returns the function that
 * stops the timer. Publishing goes through `aedes.publish`, so subscribers of `$SYS/#` (and the
 * retained store) get them like any other message.
 */
export function startSysTopics(aedes: Aedes, metrics: BrokerMetrics, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  const startedAt = Date.now();
  const publishAll = () => {
    if (aedes.closed) return;
    for (const [topic, value] of Object.entries(sysValues(metrics, startedAt))) {
      aedes.publish({ cmd: 'publish', topic: SYS_PREFIX + topic, payload: Buffer.from(value), qos: 0, retain: true, dup: false }, () => {});
    }
  };
  publishAll();
  const timer = setInterval(publishAll, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
