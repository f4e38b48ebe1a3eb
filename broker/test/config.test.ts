import { ConfigError } from '@helen/runtime';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brokerSettings, loadBrokerConfig } from '../src/config';

// Without a users file the broker only starts with anonymous clients allowed (auth.test.ts covers the rule).
const dev = { HELEN_BROKER_ALLOW_ANONYMOUS: 'true' };

describe('loadBrokerConfig', () => {
  it('has the documented defaults', () => {
    const { settings, config } = loadBrokerConfig(dev);
    expect(config).toEqual({ host: '0.0.0.0', port: 1883, wsPort: 9001 });
    expect(settings.logLevel).toBe('info');
  });

  it('takes ports, 0 for a free port, and "off" for no WebSocket listener', () => {
    expect(loadBrokerConfig({ ...dev, HELEN_MQTT_PORT: '0', HELEN_MQTT_WS_PORT: '0', HELEN_MQTT_HOST: '127.0.0.1' }).config)
      .toEqual({ host: '127.0.0.1', port: 0, wsPort: 0 });
    expect(loadBrokerConfig({ ...dev, HELEN_MQTT_WS_PORT: 'off' }).config).toEqual({ host: '0.0.0.0', port: 1883 });
    expect(loadBrokerConfig({ ...dev, HELEN_LOG_LEVEL: 'DEBUG' }).settings.logLevel).toBe('debug');
    expect(loadBrokerConfig({ ...dev, HELEN_LOG_LEVEL: 'WARNING' }).settings.logLevel).toBe('warn');
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadBrokerConfig({ HELEN_MQTT_PORT: '70000', HELEN_MQTT_WS_PORT: 'nine', HELEN_LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HELEN_MQTT_PORT: must be <= 65535/);
    expect(problems).toMatch(/HELEN_MQTT_WS_PORT: must be a port 0-65535 or "off"/);
    expect(problems).toMatch(/HELEN_LOG_LEVEL: must be one of/);
  });

  it('documents every variable, with its default, in the README table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const v of brokerSettings.variables()) {
      expect(readme).toContain(v.defaultText === undefined ? `| \`${v.env}\` | (unset) |` : `| \`${v.env}\` | \`${v.defaultText}\` |`);
    }
  });

  it('lists every variable in --help', () => {
    const help = brokerSettings.help();
    for (const name of ['HELEN_MQTT_HOST', 'HELEN_MQTT_PORT', 'HELEN_MQTT_WS_PORT', 'HELEN_LOG_LEVEL']) expect(help).toContain(name);
  });
});
