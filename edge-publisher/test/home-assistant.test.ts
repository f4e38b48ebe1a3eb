/**
 * The Home Assistant connection against a real Mosquitto 2 (what Home Assistant's add-on
 * runs), watched by an MQTT 5 client subscribed to the discovery and device topics. Every
 * discovery payload is checked against a table of the options Home Assistant documents for
 * the `event` entity and MQTT device triggers, so a misspelt or undocumented key fails here,
 * not silently in someone's home.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { mosquittoAvailable, mosquittoBin, startTestBroker, type TestBroker } from '@helen/broker/testing';
import { DEFAULT_METADATA_PATH } from '@helen/model-runtime';
import { ConfigError, freePort } from '@helen/runtime';
import { REPO_ROOT } from '@helen/runtime/testing';
import type { ModelMetadata } from '@helen/schemas';
import { createEdge } from '../src/app';
import { edgeConfigFromEnv } from '../src/config';
import { HomeAssistantBridge } from '../src/home-assistant/bridge';
import { discoveryMessages, TRIGGER_TYPE, type DiscoveryMessage } from '../src/home-assistant/discovery';
import { homeAssistantSettings } from '../src/home-assistant/settings';
import { homeTopics, labelObjectIds, nodeIdOf } from '../src/home-assistant/topics';
import { gestureEvent, silent, waitFor } from './helpers';

const metadata = JSON.parse(readFileSync(DEFAULT_METADATA_PATH, 'utf8')) as ModelMetadata;
const LABELS = metadata.class_labels;
const PREFIX = 'homeassistant';

// ---------------------------------------------------------------------------------------
// Home Assistant's documented discovery options (single-component discovery; `platform` is
// "only allowed and required in device discovery messages", so it is not allowed here).
//   event:          https://www.home-assistant.io/integrations/event.mqtt/
//   device trigger: https://www.home-assistant.io/integrations/device_trigger.mqtt/
//   origin:         https://www.home-assistant.io/integrations/mqtt/ (discovery: origin info)
// ---------------------------------------------------------------------------------------
type Kind = 'string' | 'integer' | 'boolean' | 'list' | 'map' | 'null';
interface Shape { allowed: Record<string, readonly Kind[]>; required: readonly string[] }

const DEVICE: Shape = {
  allowed: {
    configuration_url: ['string'], connections: ['list'], hw_version: ['string'], identifiers: ['string', 'list'],
    manufacturer: ['string'], model: ['string'], model_id: ['string'], name: ['string'], serial_number: ['string'],
    suggested_area: ['string'], sw_version: ['string'], via_device: ['string'],
  },
  required: [],
};
const ORIGIN: Shape = { allowed: { name: ['string'], sw_version: ['string'], support_url: ['string'] }, required: ['name'] };
const AVAILABILITY_ITEM: Shape = {
  allowed: { payload_available: ['string'], payload_not_available: ['string'], topic: ['string'], value_template: ['string'] },
  required: ['topic'],
};
const SCHEMAS: Record<'event' | 'device_automation', Shape> = {
  event: {
    allowed: {
      availability: ['list'], availability_mode: ['string'], availability_template: ['string'], availability_topic: ['string'],
      device: ['map'], device_class: ['string', 'null'], enabled_by_default: ['boolean'], encoding: ['string'],
      entity_category: ['string'], entity_picture: ['string'], event_types: ['list'], icon: ['string'],
      json_attributes_template: ['string'], json_attributes_topic: ['string'], name: ['string', 'null'], object_id: ['string'],
      payload_available: ['string'], payload_not_available: ['string'], qos: ['integer'], state_topic: ['string'],
      unique_id: ['string'], value_template: ['string'], origin: ['map'],
    },
    required: ['state_topic', 'event_types'],
  },
  device_automation: {
    allowed: {
      automation_type: ['string'], payload: ['string'], qos: ['integer'], topic: ['string'], type: ['string'],
      subtype: ['string'], device: ['map'], value_template: ['string'], origin: ['map'],
    },
    required: ['automation_type', 'topic', 'type', 'subtype', 'device'],
  },
};

function kindOf(v: unknown): Kind | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'other';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v as Kind;
  return typeof v === 'object' ? 'map' : 'other';
}

function checkShape(where: string, value: Record<string, unknown>, shape: Shape): string[] {
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const kinds = shape.allowed[key];
    if (!kinds) problems.push(`${where}: "${key}" is not a documented option`);
    else if (!kinds.includes(kindOf(v) as Kind)) problems.push(`${where}: "${key}" must be ${kinds.join(' or ')}, is ${kindOf(v)}`);
  }
  for (const key of shape.required) if (!(key in value)) problems.push(`${where}: "${key}" is required`);
  return problems;
}

/** Every way a discovery message breaks what Home Assistant documents; empty when it is fine. */
function discoveryProblems(topic: string, payload: Record<string, unknown>): string[] {
  const m = /^([^#+]+)\/(event|device_automation)\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\/config$/.exec(topic);
  if (!m) return [`${topic}: not <prefix>/<component>/<node_id>/<object_id>/config with ids of [a-zA-Z0-9_-]`];
  const component = m[2] as 'event' | 'device_automation';
  const problems = checkShape(topic, payload, SCHEMAS[component]);
  const device = payload.device as Record<string, unknown> | undefined;
  if (device) {
    problems.push(...checkShape(`${topic} device`, device, DEVICE));
    if (device.identifiers === undefined && device.connections === undefined) problems.push(`${topic} device: needs identifiers or connections`);
  }
  if (payload.origin) problems.push(...checkShape(`${topic} origin`, payload.origin as Record<string, unknown>, ORIGIN));
  for (const key of ['qos'] as const) if (key in payload && ![0, 1, 2].includes(payload[key] as number)) problems.push(`${topic}: qos must be 0, 1 or 2`);
  if (component === 'event') {
    if ('availability' in payload && 'availability_topic' in payload) problems.push(`${topic}: availability and availability_topic together`);
    for (const [i, a] of ((payload.availability as Record<string, unknown>[] | undefined) ?? []).entries()) problems.push(...checkShape(`${topic} availability[${i}]`, a, AVAILABILITY_ITEM));
    if (device && !('unique_id' in payload)) problems.push(`${topic}: device needs unique_id`);
    const types = payload.event_types as unknown[];
    if (!Array.isArray(types) || types.length === 0 || types.some((t) => typeof t !== 'string')) problems.push(`${topic}: event_types must be a list of strings`);
  } else if (payload.automation_type !== 'trigger') {
    problems.push(`${topic}: automation_type must be "trigger"`);
  }
  return problems;
}

function triggers(messages: readonly { topic: string; payload: Record<string, unknown> }[]) {
  return messages.filter((m) => m.topic.includes('/device_automation/'));
}

describe('Home Assistant discovery payloads', () => {
  const input = { deviceId: 'pi-kitchen.1:a', discoveryPrefix: PREFIX, labels: LABELS, version: '0.1.0', modelId: metadata.model_id };

  it('are what Home Assistant documents: one event entity with the labels, one trigger per label', () => {
    const messages = discoveryMessages(input);
    for (const m of messages) expect(discoveryProblems(m.topic, m.payload), m.topic).toEqual([]);
    const event = messages.filter((m) => m.topic.includes('/event/'));
    expect(event).toHaveLength(1);
    expect(event[0]?.payload.event_types).toEqual(LABELS);
    const trig = triggers(messages);
    expect(trig.map((t) => t.payload.subtype)).toEqual(LABELS);
    expect(new Set(trig.map((t) => t.topic)).size).toBe(LABELS.length);
    expect(trig.every((t) => t.payload.type === TRIGGER_TYPE && t.payload.payload === t.payload.subtype)).toBe(true);
    // Every config names the same device, so Home Assistant shows one device with all of them.
    expect(new Set(messages.map((m) => JSON.stringify((m.payload.device as { identifiers: unknown }).identifiers))).size).toBe(1);
    expect(nodeIdOf('pi-kitchen.1:a')).toBe('helen_pi-kitchen_1_a');
  });

  it('catches what Home Assistant would not accept (the checker itself)', () => {
    const [event] = discoveryMessages(input) as [DiscoveryMessage];
    expect(discoveryProblems(event.topic, { ...event.payload, evnet_types: [] })).toContain(`${event.topic}: "evnet_types" is not a documented option`);
    expect(discoveryProblems(event.topic, { ...event.payload, platform: 'event' })).toHaveLength(1);
    expect(discoveryProblems(event.topic.replace('gesture', 'gesture.1'), event.payload)).toHaveLength(1);
    const { state_topic: _dropped, ...noState } = event.payload;
    expect(discoveryProblems(event.topic, noState)).toEqual([`${event.topic}: "state_topic" is required`]);
  });

  it('turn any label into a valid, distinct object id (accents, spaces, clashes)', () => {
    const ids = labelObjectIds(['Café', 'Cafe', 'a b', 'a/b', '']);
    expect(ids).toEqual(['gesture_Cafe', 'gesture_Cafe_1', 'gesture_a_b', 'gesture_a_b_3', 'gesture__']);
    const messages = discoveryMessages({ ...input, labels: ['Café', 'Cafe', 'a b'] });
    for (const m of messages) expect(discoveryProblems(m.topic, m.payload), m.topic).toEqual([]);
    expect(triggers(messages).map((t) => t.payload.subtype)).toEqual(['Café', 'Cafe', 'a b']);
  });
});

describe('Home Assistant settings', () => {
  it('are off by default and refuse a bad discovery prefix by name', () => {
    expect(homeAssistantSettings.parse({})).toMatchObject({ url: undefined, discoveryPrefix: 'homeassistant' });
    expect(() => homeAssistantSettings.parse({ HELEN_HA_DISCOVERY_PREFIX: 'home/#' })).toThrow(/HELEN_HA_DISCOVERY_PREFIX: must be a topic without wildcards/);
    expect(() => homeAssistantSettings.parse({ HELEN_HA_MQTT_URL: 'http://ha.local' })).toThrow(/HELEN_HA_MQTT_URL: must use mqtt:\/\//);
    expect(() => edgeConfigFromEnv({ HELEN_HA_MQTT_CA_FILE: '/nonexistent/ca.pem' })).toThrow(ConfigError);
  });
});

const haveMosquitto = mosquittoAvailable();
if (!haveMosquitto) console.warn(`SKIPPED Home Assistant against Mosquitto: ${mosquittoBin()} is not installed`);

/** This environment without any HELEN_* setting of the caller (test-only read of process.env). */
function childEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HELEN_') || k === 'HELEN_MODEL_PATHS'));
}

interface Seen { topic: string; text: string; retain: boolean }

/** An MQTT 5 client like Home Assistant's, recording every message on the filters. */
async function watch(url: string, filters: string[]): Promise<{ client: MqttClient; seen: Seen[] }> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `ha-watch-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0 });
  const seen: Seen[] = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, text: payload.toString('utf8'), retain: packet.retain }));
  await client.subscribeAsync(filters, { qos: 1 });
  return { client, seen };
}

describe.skipIf(!haveMosquitto)('Home Assistant over Mosquitto', () => {
  let broker: TestBroker;
  let bridge: HomeAssistantBridge | undefined;
  let watcher: { client: MqttClient; seen: Seen[] } | undefined;
  const DEVICE = 'pi-ha';
  const topics = homeTopics(PREFIX, DEVICE);

  beforeAll(async () => {
    broker = await startTestBroker('mosquitto');
  });
  afterEach(async () => {
    await bridge?.stop();
    await watcher?.client.endAsync(true);
    bridge = undefined;
    watcher = undefined;
  });
  afterAll(() => broker.stop());

  function startBridge(deviceId = DEVICE): HomeAssistantBridge {
    const b = new HomeAssistantBridge({
      settings: { url: broker.url, username: undefined, password: undefined, caFile: undefined, discoveryPrefix: PREFIX },
      deviceId, labels: LABELS, modelId: metadata.model_id, minReconnectMs: 100,
    }, silent);
    b.start();
    return b;
  }

  const configs = (seen: Seen[]) => seen.filter((m) => m.topic.startsWith(`${PREFIX}/`) && m.topic.endsWith('/config'));

  it('announces the device with MQTT 5: retained configs Home Assistant accepts, then online', async () => {
    watcher = await watch(broker.url, [`${PREFIX}/#`, `helen/${DEVICE}/#`]);
    bridge = startBridge();
    const b = bridge;
    await waitFor(() => watcher?.seen.some((m) => m.topic === topics.availability && m.text === 'online') ?? false, 10_000, 'online');
    expect(b.connection.protocolVersion).toBe(5);
    const seen = watcher.seen;
    const announced = configs(seen);
    expect(announced).toHaveLength(1 + LABELS.length);
    for (const m of announced) expect(discoveryProblems(m.topic, JSON.parse(m.text) as Record<string, unknown>), m.topic).toEqual([]);
    const event = JSON.parse(announced.find((m) => m.topic === topics.eventConfig)?.text ?? '{}') as Record<string, unknown>;
    expect(event.event_types).toEqual(LABELS);
    expect(event).toMatchObject({ state_topic: topics.events, availability_topic: topics.availability, payload_available: 'online', payload_not_available: 'offline' });
    const subtypes = announced.filter((m) => m.topic.includes('/device_automation/')).map((m) => (JSON.parse(m.text) as { subtype: string }).subtype);
    expect(subtypes).toEqual(LABELS);
    // The configs come before `online`, so Home Assistant never sees an available unknown entity.
    expect(seen.findIndex((m) => m.topic === topics.availability)).toBeGreaterThan(seen.findIndex((m) => m.topic === topics.eventConfig));

    // Retained: Home Assistant starting later (a fresh subscriber) gets every config and `online`.
    const late = await watch(broker.url, [`${PREFIX}/+/${nodeIdOf(DEVICE)}/#`, topics.availability]);
    try {
      await waitFor(() => configs(late.seen).length === 1 + LABELS.length && late.seen.some((m) => m.topic === topics.availability), 5000, 'retained configs');
      expect(late.seen.every((m) => m.retain)).toBe(true);
      expect(late.seen.find((m) => m.topic === topics.availability)?.text).toBe('online');
    } finally {
      await late.client.endAsync(true);
    }
  });

  it('announces again when Home Assistant says online on homeassistant/status', async () => {
    bridge = startBridge();
    const b = bridge;
    await waitFor(() => b.stats.announcements === 1 && b.connected, 10_000, 'first announcement');
    watcher = await watch(broker.url, [`${PREFIX}/event/#`, `${PREFIX}/device_automation/#`]);
    await waitFor(() => configs(watcher?.seen ?? []).length === 1 + LABELS.length, 5000, 'retained configs');
    const before = watcher.seen.length;
    await watcher.client.publishAsync(topics.haStatus, 'offline', { qos: 1 }); // Home Assistant's last will: nothing to do
    await watcher.client.publishAsync(topics.haStatus, 'online', { qos: 1 });
    await waitFor(() => configs(watcher?.seen.slice(before) ?? []).length === 1 + LABELS.length, 5000, 're-announcement');
    const again = watcher.seen.slice(before);
    for (const m of again) expect(discoveryProblems(m.topic, JSON.parse(m.text) as Record<string, unknown>), m.topic).toEqual([]);
    // Live (not retained) copies: what a Home Assistant that just subscribed reads as new.
    expect(again.every((m) => !m.retain)).toBe(true);
    expect(b.stats.announcements).toBe(2);
  });

  it('publishes each gesture as an event and a trigger payload, and offline when it stops', async () => {
    watcher = await watch(broker.url, [`helen/${DEVICE}/#`]);
    bridge = startBridge();
    const b = bridge;
    await waitFor(() => b.connected && (watcher?.seen.some((m) => m.text === 'online') ?? false), 10_000, 'online');
    b.send(gestureEvent('Foco', 7));
    await waitFor(() => watcher?.seen.some((m) => m.topic === topics.actions) ?? false, 5000, 'gesture');
    const event = watcher.seen.find((m) => m.topic === topics.events);
    expect(JSON.parse(event?.text ?? '{}')).toMatchObject({ event_type: 'Foco', sequence: 7, score: 0.99 });
    expect(event?.retain).toBe(false); // Home Assistant discards replayed retained events
    expect(watcher.seen.find((m) => m.topic === topics.actions)).toMatchObject({ text: 'Foco', retain: false });
    expect(b.stats).toMatchObject({ published: 1, skipped: 0 });

    // (The retained `offline` of the previous case came before this run's `online`.)
    const afterOnline = watcher.seen.findIndex((m) => m.topic === topics.availability && m.text === 'online');
    await b.stop();
    await waitFor(() => watcher?.seen.slice(afterOnline).some((m) => m.topic === topics.availability && m.text === 'offline') ?? false, 5000, 'offline');
    const late = await watch(broker.url, [topics.availability]);
    try {
      await waitFor(() => late.seen.length > 0, 5000, 'retained availability');
      expect(late.seen[0]).toMatchObject({ text: 'offline', retain: true });
    } finally {
      await late.client.endAsync(true);
    }
    b.send(gestureEvent('Foco', 8));
    expect(b.stats.skipped).toBe(1);
  });

  it('runs inside the edge: real gestures reach Home Assistant, and the last will says offline when the Pi dies', async () => {
    // A whole edge process (synthetic signer, the local model after a short metadata wait),
    // killed with SIGKILL: only the broker's last will can tell Home Assistant.
    const device = 'pi-ha-edge';
    const t = homeTopics(PREFIX, device);
    watcher = await watch(broker.url, [`${PREFIX}/event/#`, `helen/${device}/#`]);
    const deadMain = `mqtt://127.0.0.1:${await freePort()}`; // no cloud at all: the offline fallback serves
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/helen.mjs'), 'edge'], {
      env: {
        ...childEnv(), HELEN_MQTT_URL: deadMain, HELEN_HA_MQTT_URL: broker.url, HELEN_DEVICE_ID: device,
        HELEN_EDGE_SOURCE: 'synthetic', HELEN_EDGE_SYNTHETIC_SCRIPT: 'idle:1500,Inicio:1500,idle:1500,Reloj:1500', HELEN_EDGE_SYNTHETIC_LOOP: 'true',
        HELEN_EDGE_METADATA_TIMEOUT: '0.5', HELEN_EDGE_UI: 'false', HELEN_BACKEND_GESTURE_URL: 'off', HELEN_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor(() => watcher?.seen.some((m) => m.topic === t.events) ?? false, 45_000, `a gesture from the edge process (stderr: ${stderr})`);
      const event = JSON.parse(watcher.seen.find((m) => m.topic === t.events)?.text ?? '{}') as { event_type: string };
      expect(LABELS).toContain(event.event_type);
      const config = JSON.parse(watcher.seen.find((m) => m.topic === t.eventConfig)?.text ?? '{}') as { event_types: string[] };
      expect(config.event_types).toEqual(LABELS);
      expect(watcher.seen.filter((m) => m.topic === t.availability).map((m) => m.text)).toEqual(['online']);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    await waitFor(() => watcher?.seen.some((m) => m.topic === t.availability && m.text === 'offline') ?? false, 10_000, 'the last will');
  }, 90_000);

  it('never holds up the edge when the home broker is not there', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const config = edgeConfigFromEnv({
      HELEN_MQTT_URL: dead, HELEN_HA_MQTT_URL: dead, HELEN_DEVICE_ID: 'pi-ha-alone', HELEN_EDGE_SOURCE: 'synthetic',
      HELEN_EDGE_SYNTHETIC_SCRIPT: 'idle:200', HELEN_EDGE_METADATA_TIMEOUT: '0.3', HELEN_EDGE_UI: 'false',
      HELEN_BACKEND_GESTURE_URL: 'off', HELEN_LOG_LEVEL: 'silent', HELEN_EDGE_STATS_INTERVAL: '0',
    });
    const edge = createEdge(config, { log: silent });
    try {
      await edge.start();
      expect(edge.homeAssistant).toBeDefined();
      expect(edge.homeAssistant?.connected).toBe(false);
      expect(edge.status().fallbackActive).toBe(true);
    } finally {
      const t0 = Date.now();
      await edge.stop();
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });
});
