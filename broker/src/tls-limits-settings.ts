/**
 * The TLS listener and limit settings of the broker's table (config.ts spreads them in):
 * declared here, next to tls.ts and limits.ts, so the table stays one list.
 */
import { setting, type ConfigOf, type Rule } from '@helen/runtime';
import type { BrokerConfig } from './broker';
import { DEFAULT_LIMITS, type BrokerLimits } from './limits';

function parseOptionalPort(raw: string): number | 'off' {
  if (['off', 'none', 'disabled', 'false'].includes(raw.toLowerCase())) return 'off';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`must be a port 0-65535 or "off" (got "${raw}")`);
  return n;
}

const file = (env: string, description: string) => setting.optionalFile(env, description);

export const tlsSettings = {
  tlsPort: setting.custom<number | 'off'>('HELEN_MQTT_TLS_PORT',
    'MQTT over TLS (mqtts://) listener port (0 = pick a free port, off = none); needs the cert and key files', parseOptionalPort, 'off'),
  wssPort: setting.custom<number | 'off'>('HELEN_MQTT_WSS_PORT',
    'MQTT over secure WebSocket (wss://) listener port (0 = pick a free port, off = none); needs the cert and key files', parseOptionalPort, 'off'),
  tlsCertFile: file('HELEN_BROKER_TLS_CERT_FILE', 'PEM certificate (chain) of the mqtts/wss listeners; re-read on SIGHUP and on change'),
  tlsKeyFile: file('HELEN_BROKER_TLS_KEY_FILE', 'PEM private key of that certificate; re-read with it'),
  tlsCaFile: file('HELEN_BROKER_TLS_CA_FILE', 'PEM CA: when set, mqtts/wss clients must present a certificate signed by it'),
  tlsWatchMs: setting.secondsAsMs('HELEN_BROKER_TLS_WATCH_INTERVAL', 'seconds between checks of the cert/key/CA files for a change (0 = reload on SIGHUP only)', 5, { min: 0 }),
} as const;

export const limitSettings = {
  maxPacketBytes: setting.int('HELEN_BROKER_MAX_PACKET_BYTES', 'largest MQTT packet a client may send, in bytes; a bigger one closes the connection (0 = MQTT maximum, 256 MiB)',
    DEFAULT_LIMITS.maxPacketBytes, { min: 0, max: 268_435_460 }),
  maxConnections: setting.int('HELEN_BROKER_MAX_CONNECTIONS', 'simultaneous connections over all listeners; more are closed at once (0 = no cap)',
    DEFAULT_LIMITS.maxConnections, { min: 0 }),
  connectionRatePerSec: setting.number('HELEN_BROKER_CONNECTION_RATE', 'new connections per second per remote address (token bucket refill; 0 = no limit)',
    DEFAULT_LIMITS.connectionRatePerSec, { min: 0 }),
  connectionBurst: setting.int('HELEN_BROKER_CONNECTION_BURST', 'new connections one address may open at once before HELEN_BROKER_CONNECTION_RATE applies',
    DEFAULT_LIMITS.connectionBurst, { min: 1 }),
  maxKeepaliveS: setting.int('HELEN_BROKER_MAX_KEEPALIVE', 'largest keepalive (s) a client may ask for; keepalive 0 is refused too (0 = accept any)',
    DEFAULT_LIMITS.maxKeepaliveS, { min: 0, max: 65535 }),
  maxQueuedBytes: setting.int('HELEN_BROKER_MAX_QUEUED_BYTES', 'unsent bytes queued towards one client before it is disconnected as a slow consumer (0 = no cap)',
    DEFAULT_LIMITS.maxQueuedBytes, { min: 0 }),
  maxRetained: setting.int('HELEN_BROKER_MAX_RETAINED', 'retained topics stored; past it new retained topics are delivered but not stored (0 = no cap)',
    DEFAULT_LIMITS.maxRetained, { min: 0 }),
} as const;

type TlsConfig = ConfigOf<typeof tlsSettings>;
type LimitConfig = ConfigOf<typeof limitSettings>;
interface TableConfig { readonly tls: TlsConfig; readonly limits: LimitConfig }

export const tlsLimitRules: readonly Rule<TableConfig>[] = [
  ...(['tlsCertFile', 'tlsKeyFile'] as const).map((key) => ({
    env: key === 'tlsCertFile' ? 'HELEN_BROKER_TLS_CERT_FILE' : 'HELEN_BROKER_TLS_KEY_FILE',
    check: ({ tls }: TableConfig) => ((tls.tlsPort !== 'off' || tls.wssPort !== 'off') && tls[key] === undefined
      ? 'required when HELEN_MQTT_TLS_PORT or HELEN_MQTT_WSS_PORT is set'
      : undefined),
  })),
  {
    env: 'HELEN_BROKER_MAX_QUEUED_BYTES',
    check: ({ limits: l }) => (l.maxQueuedBytes > 0 && l.maxPacketBytes > 0 && l.maxQueuedBytes < l.maxPacketBytes
      ? `must be >= HELEN_BROKER_MAX_PACKET_BYTES (${l.maxPacketBytes}) or 0`
      : undefined),
  },
];

/** createBroker's `tls` and `limits`, only where they differ from its defaults. */
export function tlsLimitConfig(t: TlsConfig, l: LimitConfig): Pick<BrokerConfig, 'tls' | 'limits'> {
  const limits: Partial<BrokerLimits> = {};
  for (const key of Object.keys(limitSettings) as (keyof BrokerLimits)[]) {
    if (l[key] !== DEFAULT_LIMITS[key]) limits[key] = l[key];
  }
  const tls: BrokerConfig['tls'] = t.tlsPort === 'off' && t.wssPort === 'off'
    ? undefined
    : {
      certFile: t.tlsCertFile as string,
      keyFile: t.tlsKeyFile as string,
      ...(t.tlsCaFile ? { caFile: t.tlsCaFile } : {}),
      ...(t.tlsPort === 'off' ? {} : { port: t.tlsPort }),
      ...(t.wssPort === 'off' ? {} : { wssPort: t.wssPort }),
      watchIntervalMs: t.tlsWatchMs,
    };
  return { ...(tls ? { tls } : {}), ...(Object.keys(limits).length > 0 ? { limits } : {}) };
}
