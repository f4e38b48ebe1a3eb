/** The facade's settings table: the same variables, defaults and ranges as before the shared runtime. */
import { ConfigError } from '@helen/runtime';
import { describe, expect, it } from 'vitest';
import { apiConfig, apiConfigFromEnv, apiSettings, retryAfterMs, DEFAULT_BODY_LIMIT } from '../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    apiConfigFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('apiSettings', () => {
  it('has the documented defaults; the retry defaults to half the timeout', () => {
    const c = apiConfigFromEnv({});
    expect(c).toEqual({
      host: '0.0.0.0', port: 8000, bodyLimit: DEFAULT_BODY_LIMIT, timeoutMs: 5000, retryAfterMs: undefined, deviceId: 'http-api',
      mqtt: { url: 'mqtt://127.0.0.1:1883', username: undefined, password: undefined, caFile: undefined, certFile: undefined, keyFile: undefined, rejectUnauthorized: true },
      logLevel: 'info', topicPrefix: 'helen/v1',
      security: { tokens: [], tokensFile: undefined, rateLimit: 0, rateWindowMs: 60_000, corsOrigins: [], trustProxy: false },
      production: { mode: 'development', allow: { noTokens: false, plainHttp: false, plainMqtt: false } },
    });
    expect(retryAfterMs(c)).toBe(2500);
    expect(retryAfterMs(apiConfigFromEnv({ HELEN_API_TIMEOUT_MS: '1' }))).toBe(1);
    expect(retryAfterMs(apiConfigFromEnv({ HELEN_API_TIMEOUT_MS: '3001', HELEN_API_RETRY_AFTER_MS: '700' }))).toBe(700);
    expect(apiSettings.defaults()).toEqual(c);
  });

  it('reads every variable', () => {
    const c = apiConfigFromEnv({
      HELEN_HTTP_HOST: '127.0.0.1', HELEN_HTTP_PORT: '0', HELEN_HTTP_BODY_LIMIT: '2048', HELEN_API_TIMEOUT_MS: '800',
      HELEN_API_RETRY_AFTER_MS: '250.5', HELEN_API_DEVICE_ID: 'api-2', HELEN_MQTT_URL: 'mqtts://u:p@broker:8883',
      HELEN_MQTT_USERNAME: 'u', HELEN_MQTT_PASSWORD: 'p', HELEN_MQTT_REJECT_UNAUTHORIZED: 'false', HELEN_LOG_LEVEL: 'DEBUG', HELEN_TOPIC_PREFIX: 'x/v1',
    });
    expect(c).toMatchObject({ host: '127.0.0.1', port: 0, bodyLimit: 2048, timeoutMs: 800, retryAfterMs: 250.5, deviceId: 'api-2', logLevel: 'debug', topicPrefix: 'x/v1' });
    expect(c.mqtt).toMatchObject({ url: 'mqtts://u:p@broker:8883', username: 'u', password: 'p', rejectUnauthorized: false });
  });

  it('names every bad variable at once', () => {
    expect(problems({
      HELEN_HTTP_PORT: '70000', HELEN_HTTP_BODY_LIMIT: '1023', HELEN_API_TIMEOUT_MS: '0', HELEN_API_RETRY_AFTER_MS: '0.5',
      HELEN_API_DEVICE_ID: 'a/b', HELEN_MQTT_URL: 'http://broker', HELEN_LOG_LEVEL: 'loud',
    }).map((p) => p.split(':')[0])).toEqual([
      'HELEN_HTTP_PORT', 'HELEN_HTTP_BODY_LIMIT', 'HELEN_API_TIMEOUT_MS', 'HELEN_API_RETRY_AFTER_MS', 'HELEN_API_DEVICE_ID', 'HELEN_MQTT_URL', 'HELEN_LOG_LEVEL',
    ]);
    expect(problems({ HELEN_API_TIMEOUT_MS: '1.5' })).toEqual(['HELEN_API_TIMEOUT_MS: must be an integer (got "1.5")']);
    expect(problems({ HELEN_MQTT_CA_FILE: '/nonexistent/ca.pem' })[0]).toMatch(/^HELEN_MQTT_CA_FILE: cannot read/);
  });

  it('apiConfig replaces some defaults, merging the mqtt group', () => {
    const c = apiConfig({ mqtt: { url: 'mqtt://127.0.0.1:1884' }, port: 0, timeoutMs: 1000 });
    expect(c).toMatchObject({ port: 0, timeoutMs: 1000, host: '0.0.0.0', deviceId: 'http-api' });
    expect(c.mqtt).toMatchObject({ url: 'mqtt://127.0.0.1:1884', rejectUnauthorized: true });
    expect(retryAfterMs(c)).toBe(500);
    expect(Object.isFrozen(c) && Object.isFrozen(c.mqtt)).toBe(true);
  });
});
