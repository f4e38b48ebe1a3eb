/**
 * Settings every part reads with the same meaning (ARCHITECTURE.md "Environment"): the log
 * level, the topic prefix and the MQTT client's connection (URL, credentials, TLS).
 */
import { DEFAULT_TOPIC_PREFIX } from '@helen/schemas';
import { setting } from './setting';
import { defineSettings, type ConfigOf } from './table';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The original server was Python and took its `logging` names (INFO by default); they keep
 * working, case-insensitively, as aliases of pino's levels.
 */
const PYTHON_LEVELS: Readonly<Record<string, LogLevel>> = {
  notset: 'debug', debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', critical: 'fatal', fatal: 'fatal',
};

export function parseLogLevel(raw: string): LogLevel {
  const level = raw.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  const alias = PYTHON_LEVELS[level];
  if (alias) return alias;
  throw new Error(`must be one of ${LOG_LEVELS.join(', ')} (or Python's DEBUG, INFO, WARNING, ERROR, CRITICAL) (got "${raw}")`);
}

export const logLevelSetting = setting.custom('HELEN_LOG_LEVEL',
  'log level: trace, debug, info, warn, error, fatal, silent (Python names such as INFO, WARNING accepted)', parseLogLevel, 'info' as LogLevel);

export const topicPrefixSetting = setting.string('HELEN_TOPIC_PREFIX', 'MQTT topic prefix', DEFAULT_TOPIC_PREFIX);

export const MQTT_URL_SCHEMES = ['mqtt', 'mqtts', 'ws', 'wss', 'tcp', 'tls'] as const;

/** How a client reaches the broker. */
export const mqttClientSettings = defineSettings({
  url: setting.url('HELEN_MQTT_URL', 'MQTT broker URL for clients', 'mqtt://127.0.0.1:1883', MQTT_URL_SCHEMES),
  username: setting.optionalString('HELEN_MQTT_USERNAME', 'MQTT username (optional)'),
  password: setting.secret('HELEN_MQTT_PASSWORD', 'MQTT password (optional)'),
  caFile: setting.optionalFile('HELEN_MQTT_CA_FILE', 'PEM CA bundle that signs the broker\'s certificate (mqtts:// and wss://; default: the system CAs)'),
  certFile: setting.optionalFile('HELEN_MQTT_CERT_FILE', 'PEM client certificate, for brokers that ask for one (with HELEN_MQTT_KEY_FILE)'),
  keyFile: setting.optionalFile('HELEN_MQTT_KEY_FILE', 'PEM private key of HELEN_MQTT_CERT_FILE'),
  rejectUnauthorized: setting.bool('HELEN_MQTT_REJECT_UNAUTHORIZED', 'refuse a broker certificate that the CA does not sign (turn off only for testing)', true),
}, [
  { env: 'HELEN_MQTT_KEY_FILE', check: (c) => (c.certFile !== undefined && c.keyFile === undefined ? 'required with HELEN_MQTT_CERT_FILE' : undefined) },
  { env: 'HELEN_MQTT_CERT_FILE', check: (c) => (c.keyFile !== undefined && c.certFile === undefined ? 'required with HELEN_MQTT_KEY_FILE' : undefined) },
]);

export type MqttClientSettings = ConfigOf<typeof mqttClientSettings.shape>;
