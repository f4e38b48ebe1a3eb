/** HELEN_ENV=production on the broker: anonymous clients and plain listeners beyond loopback need their switches. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@helen/runtime';
import { loadBrokerConfig } from '../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadBrokerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const ANONYMOUS = 'HELEN_ENV=production: HELEN_BROKER_ALLOW_ANONYMOUS=true lets any client in without a password, with full access; set HELEN_ALLOW_ANONYMOUS_MQTT=true to allow it (or give each client a user: helen broker users add)';
const PLAIN = 'HELEN_ENV=production: plain MQTT (no TLS) on HELEN_MQTT_HOST=0.0.0.0, beyond this machine: TCP port 1883 and WebSocket port 9001; set HELEN_ALLOW_PLAIN_MQTT=true to allow it (or HELEN_MQTT_HOST=127.0.0.1)';
const METRICS = 'HELEN_ENV=production: HELEN_BROKER_METRICS_HOST=0.0.0.0 serves /metrics over plain HTTP beyond this machine; set HELEN_ALLOW_PLAIN_HTTP=true to allow it';

describe('the broker in production mode', () => {
  const dev = { HELEN_BROKER_ALLOW_ANONYMOUS: 'true' };

  it('development (what npm start runs) accepts anonymous clients on every interface', () => {
    expect(problems(dev)).toEqual([]);
  });

  it('refuses anonymous clients and plain listeners beyond loopback, one line each', () => {
    expect(problems({ ...dev, HELEN_ENV: 'production' })).toEqual([ANONYMOUS, PLAIN]);
    expect(problems({ ...dev, HELEN_ENV: 'production', HELEN_MQTT_WS_PORT: 'off', HELEN_MQTT_HOST: '10.0.0.4' }))
      .toEqual([ANONYMOUS, PLAIN.replace('0.0.0.0', '10.0.0.4').replace(' and WebSocket port 9001', '')]);
    expect(problems({ ...dev, HELEN_ENV: 'production', HELEN_ALLOW_ANONYMOUS_MQTT: 'true', HELEN_ALLOW_PLAIN_MQTT: 'true', HELEN_BROKER_METRICS_PORT: '9100', HELEN_BROKER_METRICS_HOST: '0.0.0.0' }))
      .toEqual([METRICS]);
  });

  it('accepts each with its switch, or the secure setting instead', () => {
    expect(problems({ ...dev, HELEN_ENV: 'production', HELEN_ALLOW_ANONYMOUS_MQTT: 'true' })).toEqual([PLAIN]);
    expect(problems({ ...dev, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_MQTT: 'true' })).toEqual([ANONYMOUS]);
    expect(problems({ ...dev, HELEN_ENV: 'production', HELEN_MQTT_HOST: '127.0.0.1', HELEN_ALLOW_ANONYMOUS_MQTT: 'true' })).toEqual([]);
    expect(problems({ ...dev, HELEN_ENV: 'production', HELEN_ALLOW_ANONYMOUS_MQTT: 'true', HELEN_ALLOW_PLAIN_MQTT: 'true', HELEN_ALLOW_PLAIN_HTTP: 'true', HELEN_BROKER_METRICS_PORT: '9100', HELEN_BROKER_METRICS_HOST: '0.0.0.0' })).toEqual([]);
    // Metrics on loopback (the default) need no switch.
    expect(problems({ ...dev, HELEN_ENV: 'production', HELEN_MQTT_HOST: 'localhost', HELEN_ALLOW_ANONYMOUS_MQTT: 'true', HELEN_BROKER_METRICS_PORT: '9100' })).toEqual([]);
  });
});
