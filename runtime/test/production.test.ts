/** Production mode's shared part: loopback detection, plain-URL findings and the checks as table rules. */
import { describe, expect, it } from 'vitest';
import {
  ConfigError, defineSettings, isLoopbackHost, mqttClientSettings, plainMqttClientCheck, plainUrlFinding, productionRules,
  productionSettings, setting,
} from '../src/index';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('isLoopbackHost', () => {
  it('is true only for addresses only this machine reaches', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'api.localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '[::]', '10.0.0.5', '192.168.1.2', 'broker', 'localhost.example.com', '127.0.0.1.nip.io', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('plainUrlFinding', () => {
  it('names plain URLs to another machine, without the credentials or path', () => {
    expect(plainUrlFinding('HELEN_MQTT_URL', 'mqtt://user:hunter2@broker.lan:1883/x?y', ['mqtt', 'ws'], 'MQTT'))
      .toBe('HELEN_MQTT_URL=mqtt://broker.lan:1883 is MQTT without TLS to another machine, so credentials and data cross the network readable');
    expect(plainUrlFinding('U', 'ws://10.0.0.2:9001', ['mqtt', 'ws'], 'MQTT')).toMatch(/^U=ws:\/\/10\.0\.0\.2:9001 is MQTT/);
    for (const url of ['mqtts://broker.lan:8883', 'wss://broker.lan', 'mqtt://127.0.0.1:1883', 'mqtt://localhost', 'ws://[::1]:9001', undefined, 'not a url']) {
      expect(plainUrlFinding('U', url, ['mqtt', 'ws'], 'MQTT'), String(url)).toBeUndefined();
    }
  });
});

describe('productionRules', () => {
  const table = defineSettings({
    host: setting.string('HELEN_X_HOST', 'listen address', '0.0.0.0'),
    mqtt: mqttClientSettings,
    production: productionSettings(['plainHttp', 'plainMqtt']),
  }, productionRules<{ host: string; mqtt: { url: string } }>([
    { kind: 'plainHttp', find: (c) => (isLoopbackHost(c.host) ? undefined : `HELEN_X_HOST=${c.host} serves plain HTTP`), instead: 'or a proxy' },
    plainMqttClientCheck('HELEN_MQTT_URL', (c) => c.mqtt.url),
  ]));
  const remote = { HELEN_MQTT_URL: 'mqtt://broker.lan:1883' };

  it('checks nothing in development (the default)', () => {
    expect(problems(() => table.parse(remote))).toEqual([]);
    expect(problems(() => table.parse({ ...remote, HELEN_ENV: 'development' }))).toEqual([]);
    expect(table.defaults().production).toEqual({ mode: 'development', allow: { plainHttp: false, plainMqtt: false } });
  });

  it('refuses each insecure setting in production, one line each, naming it and its allow switch', () => {
    expect(problems(() => table.parse({ ...remote, HELEN_ENV: 'production' }))).toEqual([
      'HELEN_ENV=production: HELEN_X_HOST=0.0.0.0 serves plain HTTP; set HELEN_ALLOW_PLAIN_HTTP=true to allow it (or a proxy)',
      'HELEN_ENV=production: HELEN_MQTT_URL=mqtt://broker.lan:1883 is MQTT without TLS to another machine, so credentials and data cross the network readable; set HELEN_ALLOW_PLAIN_MQTT=true to allow it (or use mqtts:// or wss://)',
    ]);
  });

  it('accepts each one its switch allows, and secure settings without any', () => {
    expect(problems(() => table.parse({ ...remote, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_HTTP: 'true' }))).toEqual([
      expect.stringMatching(/^HELEN_ENV=production: HELEN_MQTT_URL=/),
    ]);
    expect(problems(() => table.parse({ ...remote, HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_HTTP: 'true', HELEN_ALLOW_PLAIN_MQTT: 'yes' }))).toEqual([]);
    expect(problems(() => table.parse({ HELEN_ENV: 'production', HELEN_X_HOST: '127.0.0.1', HELEN_MQTT_URL: 'mqtts://broker.lan:8883' }))).toEqual([]);
  });

  it('reports a bad HELEN_ENV or switch like any setting (and runs no check then)', () => {
    expect(problems(() => table.parse({ HELEN_ENV: 'prod' }))).toEqual(['HELEN_ENV: must be one of development, production (got "prod")']);
    expect(problems(() => table.parse({ HELEN_ENV: 'production', HELEN_ALLOW_PLAIN_HTTP: 'sure' })))
      .toEqual(['HELEN_ALLOW_PLAIN_HTTP: must be true/false, 1/0, yes/no or on/off (got "sure")']);
  });
});
