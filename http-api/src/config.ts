/**
 * The facade's settings, parsed once from the environment. The same table prints for
 * `helen api --help`, so help and parsing cannot drift apart.
 */
import { commonEnv, envVar, mqttClientEnv, parseEnv, type EnvConfig } from '@helen/runtime';
import { isValidTopicId } from '@helen/schemas';

/**
 * 30 x 126 floats written with full double precision (~20 characters each) is ~80 KB of
 * JSON; 1 MiB leaves ~12x headroom for longer windows, whitespace and a mask.
 */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export const apiEnv = {
  HELEN_HTTP_HOST: envVar.string('HTTP listen address', '0.0.0.0'),
  HELEN_HTTP_PORT: envVar.int('HTTP listen port (0 = any free port)', 8000, { min: 0, max: 65535 }),
  HELEN_HTTP_BODY_LIMIT: envVar.int('largest accepted request body, bytes (413 past it)', DEFAULT_BODY_LIMIT, { min: 1024 }),
  HELEN_API_TIMEOUT_MS: envVar.int('how long /predict waits for a worker reply before 504, ms (also the request deadline)', 5000, { min: 1 }),
  HELEN_API_RETRY_AFTER_MS: envVar.optionalNumber('resend an unanswered request once after this many ms (default: half the timeout)', { min: 1 }),
  HELEN_API_DEVICE_ID: envVar.custom('device id of the facade\'s predict topic', (r) => {
    if (!isValidTopicId(r)) throw new Error(`must be 1-128 of A-Z a-z 0-9 . _ : - (got "${r}")`);
    return r;
  }, 'http-api'),
  ...mqttClientEnv,
  ...commonEnv,
};

export type ApiEnv = EnvConfig<typeof apiEnv>;

/** Everything createApi needs; tests build one with `apiConfig({...})`. */
export interface ApiConfig {
  host: string;
  port: number;
  bodyLimit: number;
  timeoutMs: number;
  retryAfterMs: number;
  deviceId: string;
  mqttUrl: string;
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
  logLevel: string;
  topicPrefix: string;
  /** Unique per process: the reply topic is helen/v1/api/{instanceId}/replies. */
  instanceId?: string;
}

export function apiConfigFromEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): ApiConfig {
  const e = parseEnv(apiEnv, env);
  return apiConfig({
    host: e.HELEN_HTTP_HOST,
    port: e.HELEN_HTTP_PORT,
    bodyLimit: e.HELEN_HTTP_BODY_LIMIT,
    timeoutMs: e.HELEN_API_TIMEOUT_MS,
    ...(e.HELEN_API_RETRY_AFTER_MS === undefined ? {} : { retryAfterMs: e.HELEN_API_RETRY_AFTER_MS }),
    deviceId: e.HELEN_API_DEVICE_ID,
    mqttUrl: e.HELEN_MQTT_URL,
    mqttUsername: e.HELEN_MQTT_USERNAME,
    mqttPassword: e.HELEN_MQTT_PASSWORD,
    logLevel: e.HELEN_LOG_LEVEL,
    topicPrefix: e.HELEN_TOPIC_PREFIX,
  });
}

/** Defaults for every field not given (the same defaults as the environment table). */
export function apiConfig(partial: Partial<ApiConfig> & { mqttUrl: string }): ApiConfig {
  const timeoutMs = partial.timeoutMs ?? 5000;
  return Object.freeze({
    host: '0.0.0.0',
    port: 8000,
    bodyLimit: DEFAULT_BODY_LIMIT,
    deviceId: 'http-api',
    mqttUsername: undefined,
    mqttPassword: undefined,
    logLevel: 'info',
    topicPrefix: 'helen/v1',
    ...partial,
    timeoutMs,
    retryAfterMs: partial.retryAfterMs ?? Math.max(1, Math.floor(timeoutMs / 2)),
  });
}
