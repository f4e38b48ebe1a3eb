/** The persistence, $SYS and /metrics settings and what loadBrokerConfig makes of them. */
import { ConfigError } from '@helen/runtime';
import { describe, expect, it } from 'vitest';
import { brokerSettings, loadBrokerConfig } from '../src/config';

// Other settings of the table (users/ACL) have rules of their own; satisfy them here.
const base = { HELEN_BROKER_ALLOW_ANONYMOUS: 'true' };

describe('persistence, $SYS and metrics settings', () => {
  it('default to memory, $SYS every 10 s and no /metrics listener, none of which appears in the config', () => {
    const { settings, config } = loadBrokerConfig(base);
    expect(settings).toMatchObject({
      persistence: 'memory', redisUrl: 'redis://127.0.0.1:6379', sysIntervalMs: 10_000, metricsPort: 'off', metricsHost: '127.0.0.1',
    });
    expect(config.persistence).toBeUndefined();
    expect(config.sysIntervalMs).toBeUndefined(); // createBroker's default is the same 10 s
    expect(config.metrics).toBeUndefined();
  });

  it('map to createBroker options', () => {
    const { config } = loadBrokerConfig({
      ...base,
      HELEN_BROKER_PERSISTENCE: 'redis', HELEN_BROKER_REDIS_URL: 'redis://:pw@redis.internal:6380/1',
      HELEN_BROKER_SYS_INTERVAL: '0', HELEN_BROKER_METRICS_PORT: '9464', HELEN_BROKER_METRICS_HOST: '0.0.0.0',
    });
    expect(config.persistence).toEqual({ kind: 'redis', url: 'redis://:pw@redis.internal:6380/1' });
    expect(config.sysIntervalMs).toBe(0);
    expect(config.metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(loadBrokerConfig({ ...base, HELEN_BROKER_SYS_INTERVAL: '2.5' }).config.sysIntervalMs).toBe(2500);
    expect(loadBrokerConfig({ ...base, HELEN_BROKER_METRICS_PORT: 'off' }).config.metrics).toBeUndefined();
  });

  it('name every bad value', () => {
    let error: unknown;
    try {
      loadBrokerConfig({
        ...base, HELEN_BROKER_PERSISTENCE: 'mongo', HELEN_BROKER_REDIS_URL: 'http://x', HELEN_BROKER_SYS_INTERVAL: '-1', HELEN_BROKER_METRICS_PORT: 'yes',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HELEN_BROKER_PERSISTENCE: must be one of memory, redis/);
    expect(problems).toMatch(/HELEN_BROKER_REDIS_URL: must use redis:\/\/ or rediss:\/\//);
    expect(problems).toMatch(/HELEN_BROKER_SYS_INTERVAL: must be >= 0/);
    expect(problems).toMatch(/HELEN_BROKER_METRICS_PORT: must be a port 0-65535 or "off"/);
  });

  it('are in --help', () => {
    const help = brokerSettings.help();
    for (const name of ['HELEN_BROKER_PERSISTENCE', 'HELEN_BROKER_REDIS_URL', 'HELEN_BROKER_SYS_INTERVAL', 'HELEN_BROKER_METRICS_PORT', 'HELEN_BROKER_METRICS_HOST']) {
      expect(help).toContain(name);
    }
  });
});
