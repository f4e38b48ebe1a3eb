/**
 * `helen stack` settings. The children read their own variables (see `helen broker --help`,
 * `helen worker --help`, `helen api --help`); the stack sets the ones that wire them together.
 */
import { commonEnv, envVar, parseEnv } from '@helen/runtime';

const port = (description: string, fallback: number) => envVar.int(description, fallback, { min: 0, max: 65535 });

export const stackEnv = {
  HELEN_MQTT_PORT: port('broker MQTT TCP port (0 = pick a free port); the worker and facade get HELEN_MQTT_URL=mqtt://127.0.0.1:<port>', 1883),
  HELEN_MQTT_WS_PORT: port('broker MQTT WebSocket port (0 = pick a free port)', 9001),
  HELEN_HTTP_PORT: port('HTTP facade port (0 = pick a free port)', 8000),
  HELEN_STACK_WORKERS: envVar.int('inference worker processes', 1, { min: 1, max: 64 }),
  HELEN_STACK_READY_TIMEOUT_MS: envVar.int('how long to wait for the stack to answer /health before warning, ms', 60_000, { min: 1 }),
  HELEN_STACK_RESTART_MIN_MS: envVar.int('first restart delay of a crashed child, ms (doubles per crash in a row)', 500, { min: 0 }),
  HELEN_STACK_RESTART_MAX_MS: envVar.int('longest restart delay, ms', 30_000, { min: 0 }),
  HELEN_STACK_STOP_TIMEOUT_MS: envVar.int('how long a child may take to stop after SIGTERM before SIGKILL, ms', 15_000, { min: 1 }),
  HELEN_LOG_LEVEL: commonEnv.HELEN_LOG_LEVEL,
};

export interface StackConfig {
  mqttPort: number;
  wsPort: number;
  httpPort: number;
  workers: number;
  readyTimeoutMs: number;
  restartMinMs: number;
  restartMaxMs: number;
  /** A child that ran this long before crashing starts the backoff over. */
  stableMs: number;
  stopTimeoutMs: number;
  logLevel: string;
  /** The environment the children inherit (the stack's wiring variables override it). */
  childEnv: Record<string, string | undefined>;
}

export function stackConfigFromEnv(env: Record<string, string | undefined>): StackConfig {
  const e = parseEnv(stackEnv, env);
  return Object.freeze({
    mqttPort: e.HELEN_MQTT_PORT,
    wsPort: e.HELEN_MQTT_WS_PORT,
    httpPort: e.HELEN_HTTP_PORT,
    workers: e.HELEN_STACK_WORKERS,
    readyTimeoutMs: e.HELEN_STACK_READY_TIMEOUT_MS,
    restartMinMs: e.HELEN_STACK_RESTART_MIN_MS,
    restartMaxMs: Math.max(e.HELEN_STACK_RESTART_MAX_MS, e.HELEN_STACK_RESTART_MIN_MS),
    stableMs: 10_000,
    stopTimeoutMs: e.HELEN_STACK_STOP_TIMEOUT_MS,
    logLevel: e.HELEN_LOG_LEVEL,
    childEnv: { ...env },
  });
}
