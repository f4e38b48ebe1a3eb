/**
 * The broker service's settings, one table (`helen broker --help` prints it), parsed once at
 * start-up.
 */
import {
  defineSettings, isLoopbackHost, logLevelSetting, productionRules, productionSettings, readableFile, setting,
  type ConfigOf, type EnvSource, type InsecureCheck,
} from '@helen/runtime';
import type { BrokerConfig } from './broker';
import { DEFAULT_REDIS_URL } from './persistence';
import { limitSettings, tlsLimitConfig, tlsLimitRules, tlsSettings } from './tls-limits-settings';
import { fileURLToPath } from 'node:url';

/** The shipped ACL (broker/acl/helen.acl): safe defaults for the helen/v1 topics. */
export const DEFAULT_ACL_FILE = fileURLToPath(new URL('../acl/helen.acl', import.meta.url));

/** `off` turns the WebSocket listener off; 0 (like for the TCP port) picks a free port. */
function parseWsPort(raw: string): number | 'off' {
  if (['off', 'none', 'disabled', 'false'].includes(raw.toLowerCase())) return 'off';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`must be a port 0-65535 or "off" (got "${raw}")`);
  return n;
}

/** Prometheus listener port: `off` (default) = none; 0 picks a free port. */
function parseMetricsPort(raw: string): number | 'off' {
  return parseWsPort(raw);
}

interface CheckedConfig {
  readonly host: string;
  readonly port: number;
  readonly wsPort: number | 'off';
  readonly allowAnonymous: boolean;
  readonly metricsPort: number | 'off';
  readonly metricsHost: string;
}

/**
 * What production mode refuses in the broker. The TLS listeners bind HELEN_MQTT_HOST like the
 * plain ones, so a broker serving mqtts:// beyond loopback has its plain listeners there too:
 * allow them and keep their ports closed in the firewall (README "Production mode").
 */
function brokerProductionChecks(): InsecureCheck<CheckedConfig>[] {
  return [
    {
      kind: 'anonymousMqtt',
      find: (c) => (c.allowAnonymous ? 'HELEN_BROKER_ALLOW_ANONYMOUS=true lets any client in without a password, with full access' : undefined),
      instead: 'or give each client a user: helen broker users add',
    },
    {
      kind: 'plainMqtt',
      find: (c) => (isLoopbackHost(c.host)
        ? undefined
        : `plain MQTT (no TLS) on HELEN_MQTT_HOST=${c.host}, beyond this machine: TCP port ${c.port}${c.wsPort === 'off' ? '' : ` and WebSocket port ${c.wsPort}`}`),
      instead: 'or HELEN_MQTT_HOST=127.0.0.1',
    },
    {
      kind: 'plainHttp',
      find: (c) => (c.metricsPort === 'off' || isLoopbackHost(c.metricsHost)
        ? undefined
        : `HELEN_BROKER_METRICS_HOST=${c.metricsHost} serves /metrics over plain HTTP beyond this machine`),
    },
  ];
}

export const brokerSettings = defineSettings({
  host: setting.string('HELEN_MQTT_HOST', 'bind address of the broker listeners', '0.0.0.0'),
  port: setting.port('HELEN_MQTT_PORT', 'MQTT TCP listener port (0 = pick a free port)', 1883),
  wsPort: setting.custom<number | 'off'>('HELEN_MQTT_WS_PORT',
    'MQTT WebSocket listener port (0 = pick a free port, off = no WebSocket listener)', parseWsPort, 9001),
  logLevel: logLevelSetting,
  usersFile: setting.optionalFile('HELEN_BROKER_USERS_FILE', 'users file (name, role, scrypt hash per line; manage with `helen broker users`)'),
  aclFile: setting.custom<string>('HELEN_BROKER_ACL_FILE', 'ACL file (Mosquitto-style topic/pattern lines in user/role blocks)',
    readableFile, () => DEFAULT_ACL_FILE, 'broker/acl/helen.acl'),
  allowAnonymous: setting.bool('HELEN_BROKER_ALLOW_ANONYMOUS', 'accept clients without a username, with full access (development only)', false),
  persistence: setting.oneOf('HELEN_BROKER_PERSISTENCE',
    'where retained messages and persistent sessions live (redis: they survive restarts)', ['memory', 'redis'], 'memory'),
  redisUrl: setting.url('HELEN_BROKER_REDIS_URL', 'Redis for HELEN_BROKER_PERSISTENCE=redis (password in the URL is never logged)', DEFAULT_REDIS_URL, ['redis', 'rediss']),
  sysIntervalMs: setting.secondsAsMs('HELEN_BROKER_SYS_INTERVAL', 'seconds between $SYS/broker/... statistics (0 = off)', 10, { min: 0 }),
  metricsPort: setting.custom<number | 'off'>('HELEN_BROKER_METRICS_PORT',
    'Prometheus GET /metrics listener port (0 = pick a free port, off = none)', parseMetricsPort, 'off'),
  metricsHost: setting.string('HELEN_BROKER_METRICS_HOST', 'bind address of the /metrics listener', '127.0.0.1'),
  tls: tlsSettings,
  limits: limitSettings,
  /** HELEN_ENV=production refuses anonymous clients and plain listeners beyond loopback unless allowed. */
  production: productionSettings(['anonymousMqtt', 'plainMqtt', 'plainHttp']),
}, [
  ...tlsLimitRules,
  ...productionRules(brokerProductionChecks()),
  {
    env: 'HELEN_BROKER_USERS_FILE',
    check: (c) => (c.usersFile === undefined && !c.allowAnonymous
      ? 'required unless HELEN_BROKER_ALLOW_ANONYMOUS=true (create one with `helen broker users add <name> --role <role> --file <path>`)'
      : undefined),
  },
]);

export type BrokerSettings = ConfigOf<typeof brokerSettings.shape>;

/** Environment -> the settings and createBroker()'s config (without the logger, which main wires). Throws ConfigError. */
export function loadBrokerConfig(source: EnvSource): { settings: BrokerSettings; config: BrokerConfig } {
  const settings = brokerSettings.parse(source);
  const config: BrokerConfig = {
    host: settings.host,
    port: settings.port,
    ...(settings.wsPort === 'off' ? {} : { wsPort: settings.wsPort }),
    // Persistence, $SYS and /metrics: only where they differ from createBroker's defaults.
    ...(settings.persistence === 'redis' ? { persistence: { kind: 'redis' as const, url: settings.redisUrl } } : {}),
    ...(settings.sysIntervalMs === 10_000 ? {} : { sysIntervalMs: settings.sysIntervalMs }),
    ...(settings.metricsPort === 'off' ? {} : { metrics: { port: settings.metricsPort, host: settings.metricsHost } }),
    ...tlsLimitConfig(settings.tls, settings.limits),
  };
  return { settings, config };
}
