import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@helen/runtime';
import { helpText } from '@helen/runtime/testing';
import { main } from '../src/main';
import { checkTopicFilter, monitorConfig, monitorSettings, parseMonitorArgs } from '../src/index';

describe('parseMonitorArgs', () => {
  it('defaults to text lines, rates every 5 s and the prefix filter', () => {
    expect(parseMonitorArgs([])).toEqual({ help: false, json: false, intervalMs: 5000, topics: [] });
  });

  it('reads --json, --interval (fractions, 0 = off) and repeated --topic', () => {
    expect(parseMonitorArgs(['--json', '--interval', '0.5', '--topic', 'helen/v1/devices/+/predict', '--topic', 'helen/v1/model/#']))
      .toEqual({ help: false, json: true, intervalMs: 500, topics: ['helen/v1/devices/+/predict', 'helen/v1/model/#'] });
    expect(parseMonitorArgs(['--interval=0']).intervalMs).toBe(0);
  });

  it('refuses bad options with the option named', () => {
    expect(() => parseMonitorArgs(['--interval=-1'])).toThrow('--interval must be a number of seconds >= 0 (got "-1")');
    expect(() => parseMonitorArgs(['--interval', '-1'])).toThrow('--interval needs a value (one starting with "-" is written --interval=VALUE)');
    expect(() => parseMonitorArgs(['--interval', 'soon'])).toThrow('--interval must be a number of seconds >= 0 (got "soon")');
    expect(() => parseMonitorArgs(['--interval'])).toThrow('--interval needs a value');
    expect(() => parseMonitorArgs(['--verbose'])).toThrow('unknown option "--verbose"');
    expect(() => parseMonitorArgs(['helen/#'])).toThrow(/^unexpected argument/);
    expect(() => parseMonitorArgs(['--topic', 'helen/#/x'])).toThrow('--topic "helen/#/x" is not a valid MQTT topic filter: "#" must be the whole last level');
  });

  it('asks nothing else of the arguments when --help is among them', () => {
    expect(parseMonitorArgs(['--help', '--topic', 'a/#/b']).help).toBe(true);
  });
});

describe('checkTopicFilter', () => {
  it.each(['#', 'helen/#', 'helen/+/x', '+', 'helen/v1/devices/pi/predict', '$SYS/#'])('accepts %s', (f) => {
    expect(() => checkTopicFilter(f)).not.toThrow();
  });
  it.each(['', 'a/b#', 'a/#/b', 'a+/b', 'a/+b', 'a\u0000b'])('refuses %j', (f) => {
    expect(() => checkTopicFilter(f)).toThrow(/is not a valid MQTT topic filter/);
  });
});

describe('monitorConfig', () => {
  it('has the documented defaults, frozen', () => {
    const c = monitorConfig({}, parseMonitorArgs([]));
    expect(c).toMatchObject({
      json: false, intervalMs: 5000, topics: [],
      settings: { logLevel: 'warn', topicPrefix: 'helen/v1', mqtt: { url: 'mqtt://127.0.0.1:1883', username: undefined, rejectUnauthorized: true } },
    });
    expect(Object.isFrozen(c) && Object.isFrozen(c.settings) && Object.isFrozen(c.topics)).toBe(true);
  });

  it('reads the shared client variables', () => {
    const c = monitorConfig({
      HELEN_MQTT_URL: 'mqtts://broker:8883', HELEN_MQTT_USERNAME: 'watcher', HELEN_MQTT_PASSWORD: 'pw', HELEN_TOPIC_PREFIX: 'home/helen', HELEN_LOG_LEVEL: 'INFO',
    }, parseMonitorArgs(['--json']));
    expect(c.settings).toMatchObject({ logLevel: 'info', topicPrefix: 'home/helen', mqtt: { url: 'mqtts://broker:8883', username: 'watcher', password: 'pw' } });
  });

  it('names every bad variable at once', () => {
    let err: unknown;
    try {
      monitorConfig({ HELEN_MQTT_URL: 'http://x', HELEN_LOG_LEVEL: 'loud' }, parseMonitorArgs([]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['HELEN_LOG_LEVEL', 'HELEN_MQTT_URL']);
    expect(() => monitorConfig({ HELEN_TOPIC_PREFIX: 'helen/+' }, parseMonitorArgs([]))).toThrow(/HELEN_TOPIC_PREFIX: topic prefix "helen\/\+" must be/);
  });
});

describe('help and README', () => {
  it('--help prints the options and every variable with its default', async () => {
    const help = await helpText(main);
    expect(help).toMatch(/^usage: helen monitor \[--json\] \[--interval SECONDS\] \[--topic FILTER\]/);
    for (const option of ['--json', '--interval SECONDS', '--topic FILTER']) expect(help).toContain(option);
    for (const v of monitorSettings.variables()) expect(help).toContain(v.env);
    expect(help).toMatch(/^HELEN_LOG_LEVEL\s+warn\s/m);
    expect(help).toMatch(/^HELEN_MQTT_URL\s+mqtt:\/\/127\.0\.0\.1:1883\s/m);
  });

  it('README.md documents every variable with its default, and every option', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('## Environment');
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
    expect(start).toBeGreaterThan(0);
    for (const v of monitorSettings.variables()) {
      const row = table.split('\n').find((l) => l.includes(`\`${v.env}\``));
      expect(row, v.env).toBeDefined();
      if (v.defaultText !== undefined) expect(row, v.env).toContain(`\`${v.defaultText}\``);
    }
    for (const option of ['--json', '--interval', '--topic']) expect(readme).toContain(`\`${option}`);
  });
});
