/**
 * The edge's settings: parsed once from the environment into a frozen, typed object. Every
 * variable is declared here (and in decision/settings.ts) so `helen edge --help` and the
 * README table come from one list.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CLASS_LABELS, isValidTopicId } from '@helen/schemas';
import { ConfigError, commonEnv, envVar, mqttClientEnv, parseEnv, type LogLevel } from '@helen/runtime';
import { decisionEnv, decisionSettingsFromEnv, type DecisionSettings } from './decision/settings';

export const SOURCE_KINDS = ['camera', 'replay', 'synthetic'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface ScriptStep {
  label: string;
  durationMs: number;
}

/** Default stride; see README "Choosing the stride" for the measurement behind it. */
export const DEFAULT_STRIDE = 1;
export const DEFAULT_GESTURE_URL = 'http://127.0.0.1:5000/gestures/gesture-key';
export const DEFAULT_SYNTHETIC_SCRIPT = 'idle:2000,Inicio:1500,idle:1500,Reloj:1500,idle:2000';
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

export const edgeEnv = {
  ...commonEnv,
  ...mqttClientEnv,
  HELEN_DEVICE_ID: envVar.custom('this device\'s id in topics (1-128 of A-Z a-z 0-9 . _ : -)', (r) => {
    if (!isValidTopicId(r)) throw new Error(`"${r}" is not a valid topic level: use 1-128 of A-Z a-z 0-9 . _ : -`);
    return r;
  }, undefined as string | undefined, 'host name'),
  HELEN_EDGE_SOURCE: envVar.oneOf('where landmark frames come from', SOURCE_KINDS, 'camera'),
  HELEN_EDGE_REPLAY_FILE: envVar.optionalString('recording (JSON Lines of landmark frames) for HELEN_EDGE_SOURCE=replay'),
  HELEN_EDGE_REPLAY_TIMING: envVar.oneOf('replay at the recorded frame times or as fast as possible', ['recorded', 'fast'] as const, 'recorded'),
  HELEN_EDGE_REPLAY_LOOP: envVar.bool('start the recording again when it ends', false),
  HELEN_EDGE_SYNTHETIC_SCRIPT: envVar.custom('synthetic source script: label:ms,... (labels, idle = hands without a sign, none = no hands)',
    parseScript, parseScript(DEFAULT_SYNTHETIC_SCRIPT), DEFAULT_SYNTHETIC_SCRIPT),
  HELEN_EDGE_SYNTHETIC_SEED: envVar.int('seed of the synthetic generator', 1, { min: 0 }),
  HELEN_EDGE_SYNTHETIC_FPS: envVar.int('frames per second of the synthetic source', 30, { min: 1, max: 240 }),
  HELEN_EDGE_SYNTHETIC_LOOP: envVar.bool('run the synthetic script again when it ends', false),
  HELEN_EDGE_SYNTHETIC_HAND_SCALE: envVar.custom('hand size range min-max of the synthetic signer (how near it stands; training used 0.1-0.2)',
    parseScaleRange, parseScaleRange(DEFAULT_SYNTHETIC_HAND_SCALE), DEFAULT_SYNTHETIC_HAND_SCALE),
  HELEN_EDGE_STRIDE: envVar.int('send a window every k frames', DEFAULT_STRIDE, { min: 1, max: 120 }),
  HELEN_EDGE_ENCODING: envVar.oneOf('request body encoding on MQTT', ['f16', 'f32', 'json'] as const, 'f16'),
  HELEN_EDGE_MAX_IN_FLIGHT: envVar.int('unanswered MQTT requests at most; a newer window supersedes the oldest', 4, { min: 1, max: 32 }),
  HELEN_EDGE_REQUEST_TIMEOUT: envVar.number('seconds a request may wait for its reply (also its deadline)', 1.0, { min: 0.05, max: 60 }),
  HELEN_EDGE_METADATA_TIMEOUT: envVar.number('seconds to wait for the retained model metadata at start-up', 15, { min: 0.1, max: 3600 }),
  HELEN_EDGE_FALLBACK: envVar.bool('run the model locally when the cloud does not answer', true),
  HELEN_EDGE_FALLBACK_AFTER: envVar.int('consecutive timed-out requests that switch to the local model', 3, { min: 1, max: 1000 }),
  HELEN_EDGE_CLOUD_PROBE: envVar.number('seconds between cloud probes while the local model serves', 2, { min: 0.1, max: 3600 }),
  HELEN_MODEL_PATHS: envVar.pathList('local model for the fallback (and HTTP mode); first existing path wins', [], '@helen/models default model'),
  HELEN_CLOUD_API_URL: envVar.optionalUrl('HTTP mode: the facade base URL (/predict, /metadata) instead of MQTT', ['http', 'https']),
  HELEN_CLOUD_TIMEOUT: envVar.number('HTTP mode: seconds per request', 5.0, { min: 0.01 }),
  HELEN_CLOUD_RETRIES: envVar.int('HTTP mode: retries after a failed request', 2, { min: 0, max: 20 }),
  HELEN_CLOUD_METADATA_TTL: envVar.number('HTTP mode: seconds the /metadata answer is cached', 300, { min: 0 }),
  HELEN_BACKEND_GESTURE_URL: envVar.custom('where gesture events are POSTed ("off" to disable)', gestureUrl, DEFAULT_GESTURE_URL as string | undefined, DEFAULT_GESTURE_URL),
  HELEN_BACKEND_GESTURE_TIMEOUT: envVar.number('seconds per gesture POST', 1.5, { min: 0.01 }),
  HELEN_BACKEND_GESTURE_QUEUE: envVar.int('gesture POSTs queued at most (the oldest is dropped)', 4, { min: 1, max: 1000 }),
  HELEN_EDGE_UI: envVar.bool('serve the built-in UI backend (/events, /gestures/gesture-key, /health)', true),
  HELEN_EDGE_UI_HOST: envVar.string('address of the built-in UI backend', '127.0.0.1'),
  HELEN_EDGE_UI_PORT: envVar.int('port of the built-in UI backend (the original Flask one used 5000)', 5000, { min: 0, max: 65535 }),
  HELEN_EDGE_UI_STATIC_DIR: envVar.optionalString('folder served at / by the built-in UI backend (e.g. the original Helen frontend)'),
  HELEN_EDGE_SESSION_ID: envVar.optionalString('session_id of gesture events (default: random per start)'),
  HELEN_EDGE_STATS_INTERVAL: envVar.number('seconds between per-hop timing summaries in the log (0 = off)', 30, { min: 0 }),
  ...decisionEnv,
};

export interface EdgeConfig {
  logLevel: LogLevel;
  topicPrefix: string;
  deviceId: string;
  mqtt: { url: string; username?: string | undefined; password?: string | undefined };
  source: {
    kind: SourceKind;
    replayFile?: string | undefined;
    replayTiming: 'recorded' | 'fast';
    replayLoop: boolean;
    script: ScriptStep[];
    seed: number;
    fps: number;
    loop: boolean;
    handScale: readonly [number, number];
  };
  stride: number;
  encoding: 'f16' | 'f32' | 'json';
  maxInFlight: number;
  requestTimeoutMs: number;
  metadataTimeoutMs: number;
  fallback: { enabled: boolean; after: number; probeMs: number; modelPaths: readonly string[] };
  http?: { url: string; timeoutMs: number; retries: number; metadataTtlMs: number } | undefined;
  sinks: { gestureUrl?: string | undefined; gestureTimeoutMs: number; gestureQueue: number };
  ui: { enabled: boolean; host: string; port: number; staticDir?: string | undefined };
  sessionId: string;
  statsIntervalMs: number;
  decision: DecisionSettings;
}

export type EdgeEnvSource = NodeJS.ProcessEnv | Record<string, string | undefined>;

/** Throws a ConfigError naming every bad variable. */
export function edgeConfigFromEnv(env: EdgeEnvSource): EdgeConfig {
  const e = parseEnv(edgeEnv, env);
  const problems: string[] = [];
  if (e.HELEN_EDGE_SOURCE === 'replay' && !e.HELEN_EDGE_REPLAY_FILE) problems.push('HELEN_EDGE_REPLAY_FILE: required when HELEN_EDGE_SOURCE=replay');
  if (e.HELEN_DECISION_PRESENCE_EXIT > e.HELEN_DECISION_PRESENCE_ENTER) problems.push('HELEN_DECISION_PRESENCE_EXIT: must not exceed HELEN_DECISION_PRESENCE_ENTER');
  if (e.HELEN_DECISION_PROB_EXIT > e.HELEN_DECISION_PROB_ENTER) problems.push('HELEN_DECISION_PROB_EXIT: must not exceed HELEN_DECISION_PROB_ENTER');
  if (e.HELEN_DECISION_MIN_CONSECUTIVE > e.HELEN_DECISION_SMOOTH_WINDOW) problems.push('HELEN_DECISION_MIN_CONSECUTIVE: must not exceed HELEN_DECISION_SMOOTH_WINDOW (votes are kept in a window that size)');
  if (problems.length > 0) {
    // Same shape as parseEnv's error, so the dispatcher prints one clear block.
    throw new ConfigError(problems);
  }
  return Object.freeze({
    logLevel: e.HELEN_LOG_LEVEL,
    topicPrefix: e.HELEN_TOPIC_PREFIX,
    deviceId: e.HELEN_DEVICE_ID ?? defaultDeviceId(),
    mqtt: { url: e.HELEN_MQTT_URL, username: e.HELEN_MQTT_USERNAME, password: e.HELEN_MQTT_PASSWORD },
    source: {
      kind: e.HELEN_EDGE_SOURCE,
      replayFile: e.HELEN_EDGE_REPLAY_FILE,
      replayTiming: e.HELEN_EDGE_REPLAY_TIMING,
      replayLoop: e.HELEN_EDGE_REPLAY_LOOP,
      script: e.HELEN_EDGE_SYNTHETIC_SCRIPT,
      seed: e.HELEN_EDGE_SYNTHETIC_SEED,
      fps: e.HELEN_EDGE_SYNTHETIC_FPS,
      loop: e.HELEN_EDGE_SYNTHETIC_LOOP,
      handScale: e.HELEN_EDGE_SYNTHETIC_HAND_SCALE,
    },
    stride: e.HELEN_EDGE_STRIDE,
    encoding: e.HELEN_EDGE_ENCODING,
    maxInFlight: e.HELEN_EDGE_MAX_IN_FLIGHT,
    requestTimeoutMs: Math.round(e.HELEN_EDGE_REQUEST_TIMEOUT * 1000),
    metadataTimeoutMs: Math.round(e.HELEN_EDGE_METADATA_TIMEOUT * 1000),
    fallback: {
      enabled: e.HELEN_EDGE_FALLBACK,
      after: e.HELEN_EDGE_FALLBACK_AFTER,
      probeMs: Math.round(e.HELEN_EDGE_CLOUD_PROBE * 1000),
      modelPaths: e.HELEN_MODEL_PATHS,
    },
    http: e.HELEN_CLOUD_API_URL === undefined ? undefined : {
      url: e.HELEN_CLOUD_API_URL.replace(/\/+$/, ''),
      timeoutMs: Math.round(e.HELEN_CLOUD_TIMEOUT * 1000),
      retries: e.HELEN_CLOUD_RETRIES,
      metadataTtlMs: Math.round(e.HELEN_CLOUD_METADATA_TTL * 1000),
    },
    sinks: {
      gestureUrl: e.HELEN_BACKEND_GESTURE_URL,
      gestureTimeoutMs: Math.round(e.HELEN_BACKEND_GESTURE_TIMEOUT * 1000),
      gestureQueue: e.HELEN_BACKEND_GESTURE_QUEUE,
    },
    ui: { enabled: e.HELEN_EDGE_UI, host: e.HELEN_EDGE_UI_HOST, port: e.HELEN_EDGE_UI_PORT, staticDir: e.HELEN_EDGE_UI_STATIC_DIR },
    sessionId: e.HELEN_EDGE_SESSION_ID ?? randomUUID().replace(/-/g, ''),
    statsIntervalMs: Math.round(e.HELEN_EDGE_STATS_INTERVAL * 1000),
    decision: decisionSettingsFromEnv(e),
  });
}

/** Builds a config for tests and benches: the defaults with `env` applied. */
export function defaultEdgeConfig(env: EdgeEnvSource = {}): EdgeConfig {
  return edgeConfigFromEnv(env);
}
