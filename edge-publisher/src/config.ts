/**
 * The edge's settings: one table (with the decision engine's as a sub-table), parsed once
 * from the environment into a frozen, typed object. `helen edge --help` and the README table
 * come from it. The camera's own settings are camera/config.ts (read only when it runs).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CLASS_LABELS } from '@helen/schemas';
import {
  defineSettings, isLoopbackHost, logLevelSetting, mqttClientSettings, plainMqttClientCheck, plainUrlFinding, productionRules,
  productionSettings, setting, topicPrefixSetting, type ConfigOf, type EnvSource, type InsecureCheck,
} from '@helen/runtime';
import { decisionSettings } from './decision/settings';
import { displaySettings } from './display/settings';
import { homeAssistantSettings } from './home-assistant/settings';

export const SOURCE_KINDS = ['camera', 'replay', 'synthetic'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface ScriptStep {
  label: string;
  durationMs: number;
}

/** Default stride; see README "Choosing the stride" for the measurement behind it. */
export const DEFAULT_STRIDE = 1;
export const DEFAULT_GESTURE_URL = 'http://127.0.0.1:5000/gestures/gesture-key';
/**
 * The demo: `Start` arms the display, then `Reloj` opens the clock. Checked against the local
 * model with seed 1: both fire (~0.996). A longer script with `Inicio` before `Start` was tried
 * first, but the model then missed seed 1's `Reloj` (it caught it with seed 2).
 */
export const DEFAULT_SYNTHETIC_SCRIPT = 'idle:2000,Start:1500,idle:1500,Reloj:1500,idle:2000';
/**
 * The demo signer stands within arm's reach of the display (~0.4-0.6 m), where the original
 * hand-area gate (one hand >= 0.025 of the image) admits even a fist; the training data spans
 * farther hands (0.1-0.2), which the per-hand box normalization makes look the same to the model.
 */
export const DEFAULT_SYNTHETIC_HAND_SCALE = '0.2-0.3';

export function parseScaleRange(raw: string): readonly [number, number] {
  const m = /^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*$/.exec(raw);
  const min = Number(m?.[1]), max = Number(m?.[2]);
  if (!m || !(min > 0) || !(max >= min) || max > 1) throw new Error(`must be min-max with 0 < min <= max <= 1 (got "${raw}")`);
  return [min, max];
}

/** `label:ms,label:ms,...` with labels from the model's classes, `idle` (hands, no sign) or `none` (no hands). */
export function parseScript(raw: string): ScriptStep[] {
  const steps = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((part) => {
    const m = /^([^:]+):(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`"${part}" is not label:milliseconds`);
    const label = (m[1] as string).trim();
    if (label !== 'idle' && label !== 'none' && !(CLASS_LABELS as readonly string[]).includes(label)) {
      throw new Error(`unknown label "${label}" (use idle, none or one of ${CLASS_LABELS.join(' ')})`);
    }
    return { label, durationMs: Number(m[2]) };
  });
  if (steps.length === 0) throw new Error('the script is empty');
  return steps;
}

/** The host name as a valid topic level: other characters become '-', at most 128. */
export function defaultDeviceId(host: string = hostname()): string {
  const id = host.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 128);
  return id.length > 0 ? id : 'edge';
}


function gestureUrl(raw: string): string | undefined {
  if (['off', 'none', 'false', '0'].includes(raw.toLowerCase())) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`must be an http(s) URL or "off" (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`must be an http(s) URL or "off" (got "${raw}")`);
  return raw;
}

/** The facade's base URL, without trailing slashes (paths are appended to it). */
function cloudApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`must be a URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`must use http:// or https:// (got "${raw}")`);
  return raw.replace(/\/+$/, '');
}

interface CheckedConfig {
  readonly mqtt: { readonly url: string };
  readonly http: { readonly url: string | undefined };
  readonly homeAssistant: { readonly url: string | undefined };
  readonly display: { readonly homeAssistant: { readonly url: string | undefined } };
  readonly ui: { readonly enabled: boolean; readonly host: string };
}

/** What production mode refuses on the edge: each connection or listener without TLS beyond this machine. */
const edgeProductionChecks: readonly InsecureCheck<CheckedConfig>[] = [
  // HTTP mode does not use the Helen broker at all.
  plainMqttClientCheck('HELEN_MQTT_URL', (c) => (c.http.url === undefined ? c.mqtt.url : undefined)),
  plainMqttClientCheck('HELEN_HA_MQTT_URL', (c) => c.homeAssistant.url),
  { kind: 'plainHttp', find: (c) => plainUrlFinding('HELEN_CLOUD_API_URL', c.http.url, ['http'], 'HTTP'), instead: 'or use https://' },
  // The display's Home Assistant token would cross the network readable.
  { kind: 'plainHttp', find: (c) => plainUrlFinding('HELEN_HA_API_URL', c.display.homeAssistant.url, ['http'], 'HTTP'), instead: 'or use https://' },
  {
    kind: 'plainHttp',
    find: (c) => (c.ui.enabled && !isLoopbackHost(c.ui.host) ? `HELEN_EDGE_UI_HOST=${c.ui.host} serves the UI backend over plain HTTP beyond this machine` : undefined),
  },
];

export const edgeSettings = defineSettings({
  logLevel: logLevelSetting,
  topicPrefix: topicPrefixSetting,
  mqtt: mqttClientSettings,
  deviceId: setting.topicId('HELEN_DEVICE_ID', 'this device\'s id in topics (1-128 of A-Z a-z 0-9 . _ : -)', () => defaultDeviceId(), 'host name'),
  source: {
    kind: setting.oneOf('HELEN_EDGE_SOURCE', 'where landmark frames come from', SOURCE_KINDS, 'camera'),
    replayFile: setting.optionalString('HELEN_EDGE_REPLAY_FILE', 'recording (JSON Lines of landmark frames) for HELEN_EDGE_SOURCE=replay'),
    replayTiming: setting.oneOf('HELEN_EDGE_REPLAY_TIMING', 'replay at the recorded frame times or as fast as possible', ['recorded', 'fast'], 'recorded'),
    replayLoop: setting.bool('HELEN_EDGE_REPLAY_LOOP', 'start the recording again when it ends', false),
    script: setting.custom<readonly ScriptStep[]>('HELEN_EDGE_SYNTHETIC_SCRIPT',
      'synthetic source script: label:ms,... (labels, idle = hands without a sign, none = no hands)',
      parseScript, () => parseScript(DEFAULT_SYNTHETIC_SCRIPT), DEFAULT_SYNTHETIC_SCRIPT),
    seed: setting.int('HELEN_EDGE_SYNTHETIC_SEED', 'seed of the synthetic generator', 1, { min: 0 }),
    fps: setting.int('HELEN_EDGE_SYNTHETIC_FPS', 'frames per second of the synthetic source', 30, { min: 1, max: 240 }),
    loop: setting.bool('HELEN_EDGE_SYNTHETIC_LOOP', 'run the synthetic script again when it ends', false),
    handScale: setting.custom('HELEN_EDGE_SYNTHETIC_HAND_SCALE',
      'hand size range min-max of the synthetic signer (how near it stands; training used 0.1-0.2)',
      parseScaleRange, () => parseScaleRange(DEFAULT_SYNTHETIC_HAND_SCALE), DEFAULT_SYNTHETIC_HAND_SCALE),
  },
  stride: setting.int('HELEN_EDGE_STRIDE', 'send a window every k frames', DEFAULT_STRIDE, { min: 1, max: 120 }),
  encoding: setting.oneOf('HELEN_EDGE_ENCODING', 'request body encoding on MQTT', ['f16', 'f32', 'json'], 'f16'),
  maxInFlight: setting.int('HELEN_EDGE_MAX_IN_FLIGHT', 'unanswered MQTT requests at most; a newer window supersedes the oldest', 4, { min: 1, max: 32 }),
  requestTimeoutMs: setting.secondsAsMs('HELEN_EDGE_REQUEST_TIMEOUT', 'seconds a request may wait for its reply (also its deadline)', 1.0, { min: 0.05, max: 60 }),
  metadataTimeoutMs: setting.secondsAsMs('HELEN_EDGE_METADATA_TIMEOUT', 'seconds to wait for the retained model metadata at start-up', 15, { min: 0.1, max: 3600 }),
  fallback: {
    enabled: setting.bool('HELEN_EDGE_FALLBACK', 'run the model locally when the cloud does not answer', true),
    after: setting.int('HELEN_EDGE_FALLBACK_AFTER', 'consecutive timed-out requests that switch to the local model', 3, { min: 1, max: 1000 }),
    probeMs: setting.secondsAsMs('HELEN_EDGE_CLOUD_PROBE', 'seconds between cloud probes while the local model serves', 2, { min: 0.1, max: 3600 }),
    modelPaths: setting.pathList('HELEN_MODEL_PATHS', 'local model for the fallback (and HTTP mode); first existing path wins', [], '@helen/models default model'),
  },
  /** HTTP mode when `url` is set (then MQTT is not used at all). */
  http: {
    url: setting.custom<string | undefined>('HELEN_CLOUD_API_URL', 'HTTP mode: the facade base URL (/predict, /metadata) instead of MQTT', cloudApiUrl, undefined),
    timeoutMs: setting.secondsAsMs('HELEN_CLOUD_TIMEOUT', 'HTTP mode: seconds per request', 5.0, { min: 0.01 }),
    retries: setting.int('HELEN_CLOUD_RETRIES', 'HTTP mode: retries after a failed request', 2, { min: 0, max: 20 }),
    metadataTtlMs: setting.secondsAsMs('HELEN_CLOUD_METADATA_TTL', 'HTTP mode: seconds the /metadata answer is cached', 300, { min: 0 }),
    token: setting.secret('HELEN_CLOUD_API_TOKEN', 'HTTP mode: bearer token for a facade that requires one (HELEN_API_TOKENS)'),
  },
  sinks: {
    gestureUrl: setting.custom<string | undefined>('HELEN_BACKEND_GESTURE_URL', 'where gesture events are POSTed ("off" to disable)',
      gestureUrl, DEFAULT_GESTURE_URL, DEFAULT_GESTURE_URL),
    gestureTimeoutMs: setting.secondsAsMs('HELEN_BACKEND_GESTURE_TIMEOUT', 'seconds per gesture POST', 1.5, { min: 0.01 }),
    gestureQueue: setting.int('HELEN_BACKEND_GESTURE_QUEUE', 'gesture POSTs queued at most (the oldest is dropped)', 4, { min: 1, max: 1000 }),
  },
  ui: {
    enabled: setting.bool('HELEN_EDGE_UI', 'serve the built-in UI backend (/events, /gestures/gesture-key, /health)', true),
    host: setting.string('HELEN_EDGE_UI_HOST', 'address of the built-in UI backend', '127.0.0.1'),
    port: setting.port('HELEN_EDGE_UI_PORT', 'port of the built-in UI backend (the original Flask one used 5000)', 5000),
    staticDir: setting.optionalString('HELEN_EDGE_UI_STATIC_DIR', 'folder served at / by the built-in UI backend (e.g. the original Helen frontend)'),
  },
  /** The optional second MQTT connection, to the home broker, for Home Assistant. */
  homeAssistant: homeAssistantSettings,
  sessionId: setting.custom('HELEN_EDGE_SESSION_ID', 'session_id of gesture events (default: random per start)', (r) => r, () => randomUUID().replace(/-/g, '')),
  statsIntervalMs: setting.secondsAsMs('HELEN_EDGE_STATS_INTERVAL', 'seconds between per-hop timing summaries in the log (0 = off)', 30, { min: 0 }),
  decision: decisionSettings,
  /** The Helen display (issue 13): its files and API on the UI backend. */
  display: displaySettings,
  /** HELEN_ENV=production refuses plain MQTT or HTTP beyond loopback unless allowed. */
  production: productionSettings(['plainMqtt', 'plainHttp']),
}, [
  ...productionRules(edgeProductionChecks),
  { env: 'HELEN_EDGE_REPLAY_FILE', check: (c) => (c.source.kind === 'replay' && !c.source.replayFile ? 'required when HELEN_EDGE_SOURCE=replay' : undefined) },
]);

export type EdgeConfig = ConfigOf<typeof edgeSettings.shape>;
/** The environment the config is read from (the camera reads its own HELEN_CAMERA_* from it too). */
export type EdgeEnvSource = EnvSource;

/** Throws a ConfigError naming every bad variable. */
export function edgeConfigFromEnv(env: EnvSource): EdgeConfig {
  return edgeSettings.parse(env);
}

/** Builds a config for tests and benches: the defaults with `env` applied. */
export function defaultEdgeConfig(env: EnvSource = {}): EdgeConfig {
  return edgeSettings.parse(env);
}
