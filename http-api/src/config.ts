/**
 * The facade's settings, one table parsed once from the environment. The same table prints
 * for `helen api --help` and is checked against the README, so they cannot drift apart.
 */
import {
  defineSettings, logLevelSetting, mqttClientSettings, productionRules, productionSettings, setting, topicPrefixSetting,
  type ConfigOf, type DeepPartial, type EnvSource,
} from '@helen/runtime';
import { facadeProductionChecks, securitySettings } from './security/settings';

/**
 * 30 x 126 floats written with full double precision (~20 characters each) is ~80 KB of
 * JSON; 1 MiB leaves ~12x headroom for longer windows, whitespace and a mask.
 */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export const apiSettings = defineSettings({
  host: setting.string('HELEN_HTTP_HOST', 'HTTP listen address', '0.0.0.0'),
  port: setting.port('HELEN_HTTP_PORT', 'HTTP listen port (0 = any free port)', 8000),
  bodyLimit: setting.int('HELEN_HTTP_BODY_LIMIT', 'largest accepted request body, bytes (413 past it)', DEFAULT_BODY_LIMIT, { min: 1024 }),
  timeoutMs: setting.int('HELEN_API_TIMEOUT_MS', 'how long /predict waits for a worker reply before 504, ms (also the request deadline)', 5000, { min: 1 }),
  /** Unset: half the timeout (see `retryAfterMs()`). */
  retryAfterMs: setting.optionalNumber('HELEN_API_RETRY_AFTER_MS', 'resend an unanswered request once after this many ms (default: half the timeout)', { min: 1 }),
  deviceId: setting.topicId('HELEN_API_DEVICE_ID', 'device id of the facade\'s predict topic', 'http-api'),
  /** Bearer tokens, rate limit, CORS (security/plugin.ts). */
  security: securitySettings,
  mqtt: mqttClientSettings,
  logLevel: logLevelSetting,
  topicPrefix: topicPrefixSetting,
  /** HELEN_ENV=production refuses no tokens, plain HTTP and plain MQTT beyond loopback unless allowed. */
  production: productionSettings(['noTokens', 'plainHttp', 'plainMqtt']),
}, productionRules(facadeProductionChecks));

/** Everything createApi needs. */
export type ApiConfig = ConfigOf<typeof apiSettings.shape>;

/** Environment -> config. Throws a ConfigError naming every bad variable. */
export function apiConfigFromEnv(env: EnvSource): ApiConfig {
  return apiSettings.parse(env);
}

/** The defaults with some fields replaced (tests, library use): `apiConfig({ mqtt: { url }, port: 0 })`. */
export function apiConfig(overrides: DeepPartial<ApiConfig> = {}): ApiConfig {
  return apiSettings.with(overrides);
}

/** When an unanswered request is sent once more: HELEN_API_RETRY_AFTER_MS, else half the timeout. */
export function retryAfterMs(config: Pick<ApiConfig, 'timeoutMs' | 'retryAfterMs'>): number {
  return config.retryAfterMs ?? Math.max(1, Math.floor(config.timeoutMs / 2));
}
