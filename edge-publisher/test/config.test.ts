import { describe, expect, it } from 'vitest';
import { ConfigError, formatEnvHelp } from '@helen/runtime';
import { defaultDeviceId, edgeConfigFromEnv, edgeEnv, parseScaleRange, parseScript } from '../src/config';
import { DEFAULT_DECISION_SETTINGS } from '../src/decision/settings';

describe('edge configuration', () => {
  it('defaults to the original values', () => {
    const c = edgeConfigFromEnv({ HELEN_DEVICE_ID: 'pi' });
    expect(c.decision).toEqual(DEFAULT_DECISION_SETTINGS);
    expect(c.sinks).toEqual({ gestureUrl: 'http://127.0.0.1:5000/gestures/gesture-key', gestureTimeoutMs: 1500, gestureQueue: 4 });
    expect(c.http).toBeUndefined();
    expect(c.encoding).toBe('f16');
    expect(c.mqtt.url).toBe('mqtt://127.0.0.1:1883');
    const http = edgeConfigFromEnv({ HELEN_CLOUD_API_URL: 'http://ec2:8000/' });
    expect(http.http).toEqual({ url: 'http://ec2:8000', timeoutMs: 5000, retries: 2, metadataTtlMs: 300_000 });
  });

  it('makes every decision number a setting', () => {
    const c = edgeConfigFromEnv({ HELEN_DECISION_PROB_ENTER: '0.9', HELEN_DECISION_COOLDOWN: '3.5', HELEN_DECISION_MIN_CONSECUTIVE: '3' });
    expect(c.decision).toMatchObject({ probEnter: 0.9, cooldownMs: 3500, minConsecutive: 3 });
    const names = Object.keys(edgeEnv).filter((k) => k.startsWith('HELEN_DECISION_'));
    expect(names).toHaveLength(Object.keys(DEFAULT_DECISION_SETTINGS).length);
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

  it('prints every variable in --help', () => {
    const help = formatEnvHelp(edgeEnv);
    for (const name of Object.keys(edgeEnv)) expect(help).toContain(name);
  });
});
