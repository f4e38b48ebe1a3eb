/**
 * The broker service's settings, one table (`helen broker --help` prints it), parsed once at
 * start-up.
 */
import { defineSettings, logLevelSetting, setting, type ConfigOf, type EnvSource } from '@helen/runtime';
import type { BrokerConfig } from './broker';

/** `off` turns the WebSocket listener off; 0 (like for the TCP port) picks a free port. */
function parseWsPort(raw: string): number | 'off' {
  if (['off', 'none', 'disabled', 'false'].includes(raw.toLowerCase())) return 'off';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`must be a port 0-65535 or "off" (got "${raw}")`);
  return n;
}

export const brokerSettings = defineSettings({
  host: setting.string('HELEN_MQTT_HOST', 'bind address of the broker listeners', '0.0.0.0'),
  port: setting.port('HELEN_MQTT_PORT', 'MQTT TCP listener port (0 = pick a free port)', 1883),
  wsPort: setting.custom<number | 'off'>('HELEN_MQTT_WS_PORT',
    'MQTT WebSocket listener port (0 = pick a free port, off = no WebSocket listener)', parseWsPort, 9001),
  logLevel: logLevelSetting,
});

export type BrokerSettings = ConfigOf<typeof brokerSettings.shape>;

/** Environment -> the settings and createBroker()'s config (without the logger, which main wires). Throws ConfigError. */
export function loadBrokerConfig(source: EnvSource): { settings: BrokerSettings; config: BrokerConfig } {
  const settings = brokerSettings.parse(source);
  const config: BrokerConfig = {
    host: settings.host,
    port: settings.port,
    ...(settings.wsPort === 'off' ? {} : { wsPort: settings.wsPort }),
  };
  return { settings, config };
}
