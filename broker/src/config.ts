/**
 * The broker service's environment, parsed once at start-up (`helen broker --help` prints it).
 */
import { commonEnv, envVar, parseEnv, type EnvConfig } from '@helen/runtime';
import type { BrokerConfig } from './broker';

const port = (description: string, fallback: number) => envVar.int(description, fallback, { min: 0, max: 65535 });

/** `off` turns the WebSocket listener off; 0 (like for the TCP port) picks a free port. */
function parseWsPort(raw: string): number | 'off' {
  if (['off', 'none', 'disabled', 'false'].includes(raw.toLowerCase())) return 'off';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`must be a port 0-65535 or "off" (got "${raw}")`);
  return n;
}

export const brokerEnv = {
  HELEN_MQTT_HOST: envVar.string('bind address of the broker listeners', '0.0.0.0'),
  HELEN_MQTT_PORT: port('MQTT TCP listener port (0 = pick a free port)', 1883),
  HELEN_MQTT_WS_PORT: envVar.custom<number | 'off'>(
    'MQTT WebSocket listener port (0 = pick a free port, off = no WebSocket listener)', parseWsPort, 9001),
  HELEN_LOG_LEVEL: commonEnv.HELEN_LOG_LEVEL,
};

export type BrokerEnv = EnvConfig<typeof brokerEnv>;

/** Environment -> createBroker() config (without logger, which main wires). Throws ConfigError. */
export function loadBrokerConfig(source: Record<string, string | undefined>): { env: BrokerEnv; config: BrokerConfig } {
  const env = parseEnv(brokerEnv, source);
  const config: BrokerConfig = {
    host: env.HELEN_MQTT_HOST,
    port: env.HELEN_MQTT_PORT,
    ...(env.HELEN_MQTT_WS_PORT === 'off' ? {} : { wsPort: env.HELEN_MQTT_WS_PORT }),
  };
  return { env, config };
}
