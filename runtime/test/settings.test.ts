import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, defineSettings, logLevelSetting, mqttClientSettings, parseLogLevel, setting, topicPrefixSetting,
} from '../src/index';

const table = defineSettings({
  logLevel: logLevelSetting,
  topicPrefix: topicPrefixSetting,
  mqtt: mqttClientSettings,
  http: {
    port: setting.port('HELEN_HTTP_PORT', 'facade port', 8000),
    timeoutMs: setting.secondsAsMs('HELEN_CLOUD_TIMEOUT', 'seconds', 5.0, { min: 0 }),
  },
  useZ: setting.bool('HELEN_USE_Z', 'use z', false),
  mode: setting.oneOf('HELEN_MODE', 'mode', ['cloud', 'edge'] as const, 'cloud'),
  modelPaths: setting.pathList('HELEN_MODEL_PATHS', 'model paths', ['a.onnx']),
  device: setting.topicId('HELEN_DEVICE_ID', 'device id', () => 'from-host', 'host name'),
  enter: setting.number('HELEN_ENTER', 'enter', 0.9, { min: 0, max: 1 }),
  exit: setting.number('HELEN_EXIT', 'exit', 0.7, { min: 0, max: 1 }),
}, [{ env: 'HELEN_EXIT', check: (c) => (c.exit > c.enter ? 'must not exceed HELEN_ENTER' : undefined) }]);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('settings tables', () => {
  it('give typed defaults in a deeply frozen object', () => {
    const c = table.parse({});
    expect(c).toEqual({
      logLevel: 'info', topicPrefix: 'helen/v1',
      mqtt: { url: 'mqtt://127.0.0.1:1883', username: undefined, password: undefined, caFile: undefined, certFile: undefined, keyFile: undefined, rejectUnauthorized: true },
      http: { port: 8000, timeoutMs: 5000 }, useZ: false, mode: 'cloud', modelPaths: ['a.onnx'], device: 'from-host', enter: 0.9, exit: 0.7,
    });
    expect(Object.isFrozen(c) && Object.isFrozen(c.mqtt) && Object.isFrozen(c.http) && Object.isFrozen(c.modelPaths)).toBe(true);
    expect(table.defaults()).toEqual(c);
  });

  it('parse set values (blank means default); seconds become whole milliseconds', () => {
    const c = table.parse({
      HELEN_LOG_LEVEL: 'DEBUG', HELEN_MQTT_URL: 'ws://broker:9001', HELEN_HTTP_PORT: ' 8080 ', HELEN_USE_Z: 'yes',
      HELEN_MODE: 'edge', HELEN_MODEL_PATHS: 'x.onnx::y.onnx', HELEN_CLOUD_TIMEOUT: '', HELEN_MQTT_USERNAME: 'u', HELEN_DEVICE_ID: 'pi-5',
    });
    expect(c).toMatchObject({ logLevel: 'debug', useZ: true, mode: 'edge', modelPaths: ['x.onnx', 'y.onnx'], device: 'pi-5' });
    expect(c.mqtt).toMatchObject({ url: 'ws://broker:9001', username: 'u' });
    expect(c.http).toEqual({ port: 8080, timeoutMs: 5000 });
    expect(table.parse({ HELEN_CLOUD_TIMEOUT: '0.0015' }).http.timeoutMs).toBe(2);
  });

  it('accept the original Python log level names, case-insensitively', () => {
    expect(['INFO', 'WARNING', 'warning', 'Error', 'CRITICAL', 'DEBUG', 'NOTSET', 'warn'].map(parseLogLevel))
      .toEqual(['info', 'warn', 'warn', 'error', 'fatal', 'debug', 'debug', 'warn']);
    expect(table.parse({ HELEN_LOG_LEVEL: 'WARNING' }).logLevel).toBe('warn');
  });

  it('name each bad variable and report all problems at once', () => {
    const e = configError(() => table.parse({
      HELEN_LOG_LEVEL: 'loud', HELEN_MQTT_URL: 'http://x', HELEN_HTTP_PORT: '80.5', HELEN_CLOUD_TIMEOUT: '-1',
      HELEN_USE_Z: 'maybe', HELEN_MODE: 'both', HELEN_DEVICE_ID: 'a/b',
    }));
    expect(e.problems).toEqual([
      'HELEN_LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent (or Python\'s DEBUG, INFO, WARNING, ERROR, CRITICAL) (got "loud")',
      'HELEN_MQTT_URL: must use mqtt:// or mqtts:// or ws:// or wss:// or tcp:// or tls:// (got "http://x")',
      'HELEN_HTTP_PORT: must be an integer (got "80.5")',
      'HELEN_CLOUD_TIMEOUT: must be >= 0 (got -1)',
      'HELEN_USE_Z: must be true/false, 1/0, yes/no or on/off (got "maybe")',
      'HELEN_MODE: must be one of cloud, edge (got "both")',
      'HELEN_DEVICE_ID: must be 1-128 of A-Z a-z 0-9 . _ : - (got "a/b")',
    ]);
    expect(e.message).toMatch(/^invalid configuration:\n {2}HELEN_LOG_LEVEL: /);
    expect(configError(() => table.parse({ HELEN_HTTP_PORT: '70000' })).problems).toEqual(['HELEN_HTTP_PORT: must be <= 65535 (got 70000)']);
    expect(configError(() => table.parse({ HELEN_MQTT_URL: 'not a url' })).problems[0]).toMatch(/HELEN_MQTT_URL: must be a URL/);
  });

  it('check the cross-field rules next to the table, and those of a nested table', () => {
    expect(configError(() => table.parse({ HELEN_EXIT: '0.95' })).problems).toEqual(['HELEN_EXIT: must not exceed HELEN_ENTER']);
    const dir = mkdtempSync(join(tmpdir(), 'helen-settings-'));
    const cert = join(dir, 'client.pem');
    writeFileSync(cert, 'x');
    expect(configError(() => table.parse({ HELEN_MQTT_CERT_FILE: cert })).problems).toEqual(['HELEN_MQTT_KEY_FILE: required with HELEN_MQTT_CERT_FILE']);
    expect(table.parse({ HELEN_MQTT_CERT_FILE: cert, HELEN_MQTT_KEY_FILE: cert }).mqtt.certFile).toBe(cert);
    expect(configError(() => table.parse({ HELEN_MQTT_CA_FILE: join(dir, 'missing.pem') })).problems[0]).toMatch(/^HELEN_MQTT_CA_FILE: cannot read the file /);
  });

  it('build configs from overrides for tests and library use (nested groups merge)', () => {
    const c = table.with({ mqtt: { url: 'mqtt://127.0.0.1:1' }, http: { port: 0 } });
    expect(c.mqtt).toMatchObject({ url: 'mqtt://127.0.0.1:1', rejectUnauthorized: true });
    expect(c.http).toEqual({ port: 0, timeoutMs: 5000 });
    expect(Object.isFrozen(c.http)).toBe(true);
  });

  it('refuse a table that reads one variable twice', () => {
    expect(() => defineSettings({ a: setting.bool('HELEN_X', 'a', true), b: { c: setting.bool('HELEN_X', 'c', false) } })).toThrow(/HELEN_X twice/);
  });

  it('print the --help table from the same declarations, secrets without a value', () => {
    const help = table.help();
    const lines = help.split('\n');
    expect(lines[0]).toMatch(/^VARIABLE\s+DEFAULT\s+MEANING$/);
    expect(lines.length).toBe(table.variables().length + 1);
    for (const v of table.variables()) expect(help).toMatch(new RegExp(`^${v.env}\\s`, 'm'));
    expect(help).toMatch(/^HELEN_HTTP_PORT\s+8000\s+facade port$/m);
    expect(help).toMatch(/^HELEN_CLOUD_TIMEOUT\s+5\s+seconds$/m);
    expect(help).toMatch(/^HELEN_MQTT_PASSWORD\s+\(unset\)\s+MQTT password \(optional\) \(never logged\)$/m);
    expect(help).toMatch(/^HELEN_MODE\s+cloud\s+mode \(cloud \| edge\)$/m);
    expect(help).toMatch(/^HELEN_DEVICE_ID\s+host name\s+device id$/m);
  });
});
