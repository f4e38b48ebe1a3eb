import { describe, expect, it } from 'vitest';
import { commonEnv, ConfigError, envVar, formatEnvHelp, mqttClientEnv, parseEnv } from '../src/index';

const spec = {
  ...commonEnv,
  ...mqttClientEnv,
  HELEN_HTTP_PORT: envVar.int('facade port', 8000, { min: 0, max: 65535 }),
  HELEN_CLOUD_TIMEOUT: envVar.number('seconds', 5.0, { min: 0 }),
  HELEN_USE_Z: envVar.bool('use z', false),
  HELEN_MODE: envVar.oneOf('mode', ['cloud', 'edge'] as const, 'cloud'),
  HELEN_MODEL_PATHS: envVar.pathList('model paths', ['a.onnx']),
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('env', () => {
  it('gives typed defaults in a frozen object', () => {
    const c = parseEnv(spec, {});
    expect(c).toEqual({
      HELEN_LOG_LEVEL: 'info', HELEN_TOPIC_PREFIX: 'helen/v1', HELEN_MQTT_URL: 'mqtt://127.0.0.1:1883',
      HELEN_MQTT_USERNAME: undefined, HELEN_MQTT_PASSWORD: undefined, HELEN_HTTP_PORT: 8000, HELEN_CLOUD_TIMEOUT: 5,
      HELEN_USE_Z: false, HELEN_MODE: 'cloud', HELEN_MODEL_PATHS: ['a.onnx'],
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses set values (blank means default)', () => {
    const c = parseEnv(spec, {
      HELEN_LOG_LEVEL: 'DEBUG', HELEN_MQTT_URL: 'ws://broker:9001', HELEN_HTTP_PORT: ' 8080 ', HELEN_USE_Z: 'yes',
      HELEN_MODE: 'edge', HELEN_MODEL_PATHS: 'x.onnx::y.onnx', HELEN_CLOUD_TIMEOUT: '', HELEN_MQTT_USERNAME: 'u',
    });
    expect(c.HELEN_LOG_LEVEL).toBe('debug');
    expect(c.HELEN_MQTT_URL).toBe('ws://broker:9001');
    expect(c.HELEN_HTTP_PORT).toBe(8080);
    expect(c.HELEN_USE_Z).toBe(true);
    expect(c.HELEN_MODE).toBe('edge');
    expect(c.HELEN_MODEL_PATHS).toEqual(['x.onnx', 'y.onnx']);
    expect(c.HELEN_CLOUD_TIMEOUT).toBe(5);
    expect(c.HELEN_MQTT_USERNAME).toBe('u');
  });

  it('names each bad variable and reports all problems at once', () => {
    const e = configError(() => parseEnv(spec, {
      HELEN_LOG_LEVEL: 'loud', HELEN_MQTT_URL: 'http://x', HELEN_HTTP_PORT: '80.5', HELEN_CLOUD_TIMEOUT: '-1',
      HELEN_USE_Z: 'maybe', HELEN_MODE: 'both',
    }));
    expect(e.problems).toEqual([
      'HELEN_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent (got "loud")',
      'HELEN_MQTT_URL: must use mqtt:// or mqtts:// or ws:// or wss:// or tcp:// or tls:// (got "http://x")',
      'HELEN_HTTP_PORT: must be an integer (got "80.5")',
      'HELEN_CLOUD_TIMEOUT: must be >= 0 (got -1)',
      'HELEN_USE_Z: must be true/false, 1/0, yes/no or on/off (got "maybe")',
      'HELEN_MODE: must be one of cloud, edge (got "both")',
    ]);
    expect(e.message).toMatch(/^invalid configuration:\n {2}HELEN_LOG_LEVEL: /);
    expect(configError(() => parseEnv(spec, { HELEN_HTTP_PORT: '70000' })).problems).toEqual(['HELEN_HTTP_PORT: must be <= 65535 (got 70000)']);
    expect(configError(() => parseEnv(spec, { HELEN_MQTT_URL: 'not a url' })).problems[0]).toMatch(/HELEN_MQTT_URL: must be a URL/);
    expect(configError(() => parseEnv(spec, { HELEN_CLOUD_TIMEOUT: 'abc' })).problems[0]).toMatch(/must be a number \(got "abc"\)/);
  });

  it('help table lists every variable with its default and meaning', () => {
    const help = formatEnvHelp(spec);
    const lines = help.split('\n');
    expect(lines[0]).toMatch(/^VARIABLE\s+DEFAULT\s+MEANING$/);
    expect(lines.length).toBe(Object.keys(spec).length + 1);
    for (const name of Object.keys(spec)) expect(help).toMatch(new RegExp(`^${name}\\s`, 'm'));
    expect(help).toMatch(/^HELEN_HTTP_PORT\s+8000\s+facade port$/m);
    expect(help).toMatch(/^HELEN_MQTT_USERNAME\s+\(unset\)\s+MQTT username/m);
    expect(help).toMatch(/^HELEN_MODE\s+cloud\s+mode \(cloud \| edge\)$/m);
    expect(help).not.toMatch(/secret/);
  });
});
