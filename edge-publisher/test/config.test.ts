import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ConfigError } from '@helen/runtime';
import { defaultDeviceId, edgeConfigFromEnv, edgeSettings, parseScaleRange, parseScript } from '../src/config';
import { DEFAULT_DECISION_SETTINGS, decisionSettings } from '../src/decision/settings';

describe('edge configuration', () => {
  it('defaults to the original values', () => {
    const c = edgeConfigFromEnv({ HELEN_DEVICE_ID: 'pi' });
    expect(c.decision).toEqual(DEFAULT_DECISION_SETTINGS);
    expect(c.sinks).toEqual({ gestureUrl: 'http://127.0.0.1:5000/gestures/gesture-key', gestureTimeoutMs: 1500, gestureQueue: 4 });
    expect(c.http.url).toBeUndefined();
    expect(c.encoding).toBe('f16');
    expect(c.mqtt).toEqual({
      url: 'mqtt://127.0.0.1:1883', username: undefined, password: undefined, caFile: undefined, certFile: undefined, keyFile: undefined, rejectUnauthorized: true,
    });
    expect(c).toMatchObject({ requestTimeoutMs: 1000, metadataTimeoutMs: 15_000, statsIntervalMs: 30_000, fallback: { enabled: true, after: 3, probeMs: 2000, modelPaths: [] } });
    const http = edgeConfigFromEnv({ HELEN_CLOUD_API_URL: 'http://ec2:8000/' });
    expect(http.http).toEqual({ url: 'http://ec2:8000', timeoutMs: 5000, retries: 2, metadataTtlMs: 300_000 });
  });

  it('makes every decision number a setting', () => {
    const c = edgeConfigFromEnv({ HELEN_DECISION_PROB_ENTER: '0.9', HELEN_DECISION_COOLDOWN: '3.5', HELEN_DECISION_MIN_CONSECUTIVE: '3' });
    expect(c.decision).toMatchObject({ probEnter: 0.9, cooldownMs: 3500, minConsecutive: 3 });
    const names = edgeSettings.variables().map((v) => v.env).filter((k) => k.startsWith('HELEN_DECISION_'));
    expect(names).toHaveLength(Object.keys(DEFAULT_DECISION_SETTINGS).length);
    expect(names).toEqual(decisionSettings.variables().map((v) => v.env));
  });

  it('derives a valid device id from the host name', () => {
    expect(defaultDeviceId('raspberrypi')).toBe('raspberrypi');
    expect(defaultDeviceId('pi 5/kitchen#1')).toBe('pi-5-kitchen-1');
    expect(defaultDeviceId('')).toBe('edge');
  });

  it('parses the synthetic hand size range and refuses a bad one', () => {
    expect(edgeConfigFromEnv({}).source.handScale).toEqual([0.2, 0.3]);
    expect(parseScaleRange('0.1 - 0.2')).toEqual([0.1, 0.2]);
    for (const bad of ['0.3-0.2', '0-0.2', 'near', '0.2-1.5']) expect(() => parseScaleRange(bad)).toThrow(/min-max/);
    expect(() => edgeConfigFromEnv({ HELEN_EDGE_SYNTHETIC_HAND_SCALE: 'far' })).toThrow(/HELEN_EDGE_SYNTHETIC_HAND_SCALE: must be min-max/);
  });

  it('refuses bad settings with every problem named', () => {
    const bad = () => edgeConfigFromEnv({
      HELEN_DEVICE_ID: 'a/b', HELEN_EDGE_STRIDE: '0', HELEN_DECISION_PROB_ENTER: '1.5', HELEN_MQTT_URL: 'http://x',
      HELEN_EDGE_SYNTHETIC_SCRIPT: 'Inicio:1500,Hola:100', HELEN_BACKEND_GESTURE_URL: 'ftp://x',
    });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (err) {
      const msg = (err as Error).message;
      for (const name of ['HELEN_DEVICE_ID', 'HELEN_EDGE_STRIDE', 'HELEN_DECISION_PROB_ENTER', 'HELEN_MQTT_URL', 'HELEN_EDGE_SYNTHETIC_SCRIPT', 'HELEN_BACKEND_GESTURE_URL']) {
        expect(msg).toContain(`${name}:`);
      }
      expect(msg).toContain('unknown label "Hola"');
    }
    expect(() => edgeConfigFromEnv({ HELEN_EDGE_SOURCE: 'replay' })).toThrow(/HELEN_EDGE_REPLAY_FILE: required/);
    expect(() => edgeConfigFromEnv({ HELEN_DECISION_PROB_EXIT: '0.99' })).toThrow(/PROB_EXIT: must not exceed/);
    expect(() => edgeConfigFromEnv({ HELEN_DECISION_PRESENCE_EXIT: '0.9' })).toThrow(/HELEN_DECISION_PRESENCE_EXIT: must not exceed HELEN_DECISION_PRESENCE_ENTER/);
    expect(() => edgeConfigFromEnv({ HELEN_DECISION_MIN_CONSECUTIVE: '8' })).toThrow(/HELEN_DECISION_MIN_CONSECUTIVE: must not exceed HELEN_DECISION_SMOOTH_WINDOW/);
    // The decision table's rules hold on their own too.
    expect(() => decisionSettings.parse({ HELEN_DECISION_PROB_EXIT: '0.99' })).toThrow(/PROB_EXIT: must not exceed/);
    expect(edgeConfigFromEnv({ HELEN_EDGE_SOURCE: 'replay', HELEN_EDGE_REPLAY_FILE: 'recordings/x.jsonl' }).source.replayFile).toBe('recordings/x.jsonl');
  });

  it('turns the gesture POST off with "off"', () => {
    expect(edgeConfigFromEnv({ HELEN_BACKEND_GESTURE_URL: 'off' }).sinks.gestureUrl).toBeUndefined();
  });

  it('parses synthetic scripts', () => {
    expect(parseScript('idle:1000, Inicio:1500,none:200')).toEqual([
      { label: 'idle', durationMs: 1000 }, { label: 'Inicio', durationMs: 1500 }, { label: 'none', durationMs: 200 },
    ]);
    expect(() => parseScript('Inicio')).toThrow(/label:milliseconds/);
  });

  it('reads the MQTT client\'s TLS settings, and refuses a certificate without its key', () => {
    const here = new URL(import.meta.url).pathname;
    expect(existsSync(here)).toBe(true);
    const tls = edgeConfigFromEnv({ HELEN_MQTT_URL: 'mqtts://broker:8883', HELEN_MQTT_CA_FILE: here, HELEN_MQTT_REJECT_UNAUTHORIZED: 'false' });
    expect(tls.mqtt).toMatchObject({ url: 'mqtts://broker:8883', caFile: here, rejectUnauthorized: false });
    expect(() => edgeConfigFromEnv({ HELEN_MQTT_CERT_FILE: here })).toThrow(/HELEN_MQTT_KEY_FILE: required with HELEN_MQTT_CERT_FILE/);
    expect(() => edgeConfigFromEnv({ HELEN_MQTT_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/HELEN_MQTT_CA_FILE: cannot read/);
  });

  it('takes the device id from the host name and a random session id unless set', () => {
    expect(edgeConfigFromEnv({}).deviceId).toBe(defaultDeviceId());
    const a = edgeConfigFromEnv({}).sessionId;
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(edgeConfigFromEnv({}).sessionId).not.toBe(a);
    expect(edgeConfigFromEnv({ HELEN_EDGE_SESSION_ID: 'demo' }).sessionId).toBe('demo');
  });

  it('prints every variable in --help', () => {
    const help = edgeSettings.help();
    for (const v of edgeSettings.variables()) expect(help).toContain(v.env);
    expect(help).toContain('HELEN_MQTT_CA_FILE');
    expect(help).toContain('HELEN_DECISION_COOLDOWN');
  });
});
