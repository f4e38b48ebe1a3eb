/**
 * `helen stack` settings, one table. The children read their own variables (see `helen broker
 * --help`, `helen worker --help`, `helen api --help`); the stack sets the ones that wire them together.
 */
import { defineSettings, logLevelSetting, setting, type ConfigOf, type EnvSource } from '@helen/runtime';

export const stackSettings = defineSettings({
  mqttPort: setting.port('HELEN_MQTT_PORT', 'broker MQTT TCP port (0 = pick a free port); the worker and facade get HELEN_MQTT_URL=mqtt://127.0.0.1:<port>', 1883),
  wsPort: setting.port('HELEN_MQTT_WS_PORT', 'broker MQTT WebSocket port (0 = pick a free port)', 9001),
  httpPort: setting.port('HELEN_HTTP_PORT', 'HTTP facade port (0 = pick a free port)', 8000),
  workers: setting.int('HELEN_STACK_WORKERS', 'inference worker processes', 1, { min: 1, max: 64 }),
  readyTimeoutMs: setting.int('HELEN_STACK_READY_TIMEOUT_MS', 'how long to wait for the stack to answer /health before warning, ms', 60_000, { min: 1 }),
  restartMinMs: setting.int('HELEN_STACK_RESTART_MIN_MS', 'first restart delay of a crashed child, ms (doubles per crash in a row)', 500, { min: 0 }),
  restartMaxMs: setting.int('HELEN_STACK_RESTART_MAX_MS', 'longest restart delay, ms (at least the first delay)', 30_000, { min: 0 }),
  stopTimeoutMs: setting.int('HELEN_STACK_STOP_TIMEOUT_MS', 'how long a child may take to stop after SIGTERM before SIGKILL, ms', 15_000, { min: 1 }),
  logLevel: logLevelSetting,
});

export interface StackConfig extends ConfigOf<typeof stackSettings.shape> {
  /** A child that ran this long before crashing starts the backoff over. */
  readonly stableMs: number;
  /** The environment the children inherit (the stack's wiring variables override it). */
  readonly childEnv: Record<string, string | undefined>;
}

export function stackConfigFromEnv(env: EnvSource): StackConfig {
  const s = stackSettings.parse(env);
  return Object.freeze({
    ...s,
    restartMaxMs: Math.max(s.restartMaxMs, s.restartMinMs),
    stableMs: 10_000,
    childEnv: { ...env },
  });
}
