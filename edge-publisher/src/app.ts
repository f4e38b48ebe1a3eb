/**
 * createEdge(config, deps): the whole edge service, wired and startable on its own (tests
 * build one per case on port 0). Nothing happens until start(); stop() releases everything.
 */
import type { Logger } from 'pino';
import { createLogger } from '@helen/runtime';
import type { EdgeConfig, EdgeEnvSource } from './config';
import { createDisplay, type Display } from './display/plugin';
import { decisionPreset, type Sensitivity } from './display/sensitivity';
import { defaultStateDir } from './display/settings';
import { HomeAssistantBridge } from './home-assistant/bridge';
import { EdgeMetrics, type EdgeSnapshot } from './metrics';
import { modelInfoFromMetadata, type ModelInfo } from './model-info';
import { MqttLink } from './mqtt/link';
import { EdgePipeline } from './pipeline/pipeline';
import { HttpPredictor } from './predict/http-predictor';
import { LocalPredictor } from './predict/local-predictor';
import { MqttPredictor } from './predict/mqtt-predictor';
import { PredictionRouter } from './predict/router';
import type { Predictor } from './predict/types';
import { HttpGestureSink } from './sinks/http-sink';
import { MqttGestureSink } from './sinks/mqtt-sink';
import type { GestureSink } from './sinks/types';
import { createSource } from './sources/index';
import { displaysStatus, type EdgeDisplayStatus, type LandmarkSource } from './sources/source';
import { UiServer, type UiPlugin } from './ui/server';

export interface EdgeDeps {
  log?: Logger;
  /** A ready source (tests, the camera); otherwise built from config.source. */
  source?: LandmarkSource;
  /** Routes added to the local UI server before it listens (the camera page and its WebSocket). */
  uiPlugins?: readonly UiPlugin[];
  /** Folder of the original frontend to serve at `/` on the UI server. */
  uiStaticDir?: string;
  /** The environment the config came from (the camera reads its HELEN_CAMERA_* settings from it). */
  env?: EdgeEnvSource;
}

export interface EdgeStatus {
  mode: 'mqtt' | 'http';
  device: string;
  broker: EdgeDisplayStatus['broker'];
  workersOnline: number | null;
  fallbackActive: boolean;
  servedBy: string;
  model: string | undefined;
}

export interface Edge {
  readonly config: EdgeConfig;
  /** Set after start(). */
  readonly pipeline: EdgePipeline | undefined;
  readonly ui: UiServer | undefined;
  readonly link: MqttLink | undefined;
  /** The Home Assistant connection (set after start() when HELEN_HA_MQTT_URL is set). */
  readonly homeAssistant: HomeAssistantBridge | undefined;
  readonly source: LandmarkSource | undefined;
  /** The Helen display's backend on the UI server (set after start() when HELEN_DISPLAY and HELEN_EDGE_UI are on). */
  readonly display: Display | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): EdgeStatus;
  /** The JSON summary (GET /metrics.json). */
  metrics(): Record<string, unknown>;
  /** Prometheus metrics (GET /metrics of the UI server). */
  readonly prometheus: EdgeMetrics;
}

/** True when the gesture URL is this edge's own UI server (then events go in-process, not over HTTP to ourselves). */
function pointsAtSelf(url: string, ui: UiServer): boolean {
  try {
    const u = new URL(url);
    const loop = ['127.0.0.1', 'localhost', '[::1]', '0.0.0.0'];
    return loop.includes(u.hostname) && Number(u.port || 80) === ui.port && u.pathname === '/gestures/gesture-key';
  } catch {
    return false;
  }
}

export function createEdge(config: EdgeConfig, deps: EdgeDeps = {}): Edge {
  const log = deps.log ?? createLogger(config.logLevel, { service: 'helen-edge', device: config.deviceId });
  // HTTP mode exactly when HELEN_CLOUD_API_URL is set.
  const httpUrl = config.http.url;
  const mode: 'mqtt' | 'http' = httpUrl === undefined ? 'mqtt' : 'http';
  let link: MqttLink | undefined;
  let ui: UiServer | undefined;
  let pipeline: EdgePipeline | undefined;
  let source: LandmarkSource | undefined = deps.source;
  let router: PredictionRouter | undefined;
  let local: LocalPredictor | undefined;
  let mqttPredictor: MqttPredictor | undefined;
  let httpPredictor: HttpPredictor | undefined;
  let model: ModelInfo | undefined;
  let homeAssistant: HomeAssistantBridge | undefined;
  const sinks: GestureSink[] = [];
  let statsTimer: NodeJS.Timeout | undefined;
  let lastGesture: EdgeDisplayStatus['lastGesture'];
  let displayApp: Display | undefined;
  /** The display's saved choice, applied to the pipeline once it exists. */
  let sensitivity: Sensitivity | undefined;
  let started = false;
  let stopping = false;

  function status(): EdgeStatus {
    return {
      mode,
      device: config.deviceId,
      broker: mode === 'http' ? 'http-mode' : link?.connected ? 'connected' : 'disconnected',
      workersOnline: link?.workersOnline ?? null,
      fallbackActive: router?.fallbackActive ?? false,
      servedBy: router?.servedBy ?? (mode === 'http' ? 'http' : 'cloud'),
      model: model?.modelId,
    };
  }

  function metrics(): Record<string, unknown> {
    return {
      ...status(),
      counters: pipeline?.counters,
      hops: pipeline?.timings.summary(),
      mqtt: mqttPredictor?.stats,
      http: httpPredictor?.stats,
      local: local?.stats,
      router: router?.stats,
      sinks: Object.fromEntries(sinks.map((s) => [s.name, (s as { stats?: unknown }).stats])),
    };
  }

  function snapshot(): EdgeSnapshot {
    return {
      counters: pipeline?.counters,
      mqttConnected: link?.connected ?? false,
      workersOnline: link?.workersOnline ?? null,
      fallbackActive: router?.fallbackActive ?? false,
      served: router?.stats.served,
      switchesToFallback: router?.stats.switchesToFallback ?? 0,
      switchesToCloud: router?.stats.switchesToCloud ?? 0,
      sseClients: ui?.sseClients ?? 0,
    };
  }
  const prometheus = new EdgeMetrics(snapshot);

  /** A sensitivity preset from the display: new decision numbers for the running pipeline. */
  function applySensitivity(preset: Sensitivity): void {
    sensitivity = preset;
    if (pipeline) setDecision(pipeline, preset);
  }

  function setDecision(p: EdgePipeline, preset: Sensitivity): void {
    // EdgePipeline.setDecision arrived with the presets; an older pipeline keeps its numbers.
    const pipe = p as { setDecision?: unknown };
    if (typeof pipe.setDecision !== 'function') {
      log.warn({ sensitivity: preset }, 'this pipeline cannot change its decision numbers while running');
      return;
    }
    (pipe.setDecision as (n: ReturnType<typeof decisionPreset>) => void).call(p, decisionPreset(preset));
    log.info({ sensitivity: preset }, 'decision preset applied');
  }

  function display(): void {
    if (!source || !displaysStatus(source)) return;
    const s = status();
    const last = pipeline?.last;
    const d: EdgeDisplayStatus = { broker: s.broker, workersOnline: s.workersOnline, fallbackActive: s.fallbackActive };
    if (last) d.prediction = { label: last.label, probability: last.topProbability, servedBy: last.servedBy };
    if (lastGesture) d.lastGesture = lastGesture;
    try {
      source.showStatus(d);
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'showStatus failed');
    }
  }

  async function loadModelInfo(): Promise<ModelInfo> {
    if (httpPredictor) return httpPredictor.metadata();
    const l = link as MqttLink;
    try {
      return modelInfoFromMetadata(await l.waitForMetadata(config.metadataTimeoutMs));
    } catch (err) {
      if (!local) throw err;
      // Offline at boot: the UI must still work, so start on the local model and say why.
      log.error({ err: (err as Error).message }, 'no model metadata from the cloud: starting on the local model');
      const m = await local.load();
      router?.primaryDown('no model metadata from the cloud at start-up');
      return modelInfoFromMetadata(m.metadata);
    }
  }

  async function checkLocalAgainst(info: ModelInfo): Promise<void> {
    if (!local) return;
    try {
      const m = await local.metadata();
      if (m.feature_dim !== info.featureDim || m.class_labels.join('\u0000') !== info.labels.join('\u0000')) {
        throw new Error(`local model ${m.model_id} (feature_dim ${m.feature_dim}, ${m.class_labels.length} labels) differs from the cloud's ${info.modelId ?? ''} (feature_dim ${info.featureDim}, ${info.labels.length} labels)`);
      }
      if (m.model_id !== info.modelId) log.warn({ local: m.model_id, cloud: info.modelId }, 'the local fallback model is another build than the cloud\'s');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'offline fallback disabled');
      // The router was handed the local predictor before this check: take it back too.
      router?.disableFallback('the local model cannot stand in for the cloud\'s');
      await local.stop();
      local = undefined;
    }
  }

  /** The home connection is optional: whatever goes wrong with it is logged, never fatal to the edge. */
  function startHomeAssistant(info: ModelInfo): HomeAssistantBridge | undefined {
    const ha = config.homeAssistant;
    if (ha.url === undefined) return undefined;
    try {
      const bridge = new HomeAssistantBridge({ settings: { ...ha, url: ha.url }, deviceId: config.deviceId, labels: info.labels, modelId: info.modelId },
        log.child({ module: 'home-assistant' }));
      bridge.start();
      return bridge;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'Home Assistant connection not started');
      return undefined;
    }
  }

  return {
    config,
    get pipeline() { return pipeline; },
    get ui() { return ui; },
    get link() { return link; },
    get homeAssistant() { return homeAssistant; },
    get source() { return source; },
    get display() { return displayApp; },
    status,
    metrics,
    prometheus,
    async start() {
      if (started) throw new Error('edge already started');
      started = true;
      if (config.ui.enabled) {
        const staticDir = deps.uiStaticDir ?? config.ui.staticDir;
        if (config.display.enabled) {
          displayApp = createDisplay({
            config: config.display, stateDir: config.display.stateDir ?? defaultStateDir(deps.env), log: log.child({ module: 'display' }),
            broadcast: (e) => ui?.broadcast(e), atRoot: staticDir === undefined, status, applySensitivity, ...(deps.env ? { env: deps.env } : {}),
          });
        }
        ui = new UiServer({
          host: config.ui.host, port: config.ui.port, staticDir, plugins: [...(deps.uiPlugins ?? []), ...(displayApp ? [displayApp.plugin] : [])],
          health: () => ({ ...status() }), metrics, prometheus,
        }, log);
      }
      source ??= await createSource(config, { log: log.child({ module: 'source' }), env: deps.env ?? {} });
      if (ui) await ui.start();

      if (config.fallback.enabled) local = new LocalPredictor(config.fallback.modelPaths, log.child({ module: 'local-model' }));
      let primary: Predictor;
      if (httpUrl !== undefined) {
        httpPredictor = new HttpPredictor({ url: httpUrl, timeoutMs: config.http.timeoutMs, retries: config.http.retries, metadataTtlMs: config.http.metadataTtlMs, token: config.http.token }, log.child({ module: 'http' }));
        primary = httpPredictor;
      } else {
        link = new MqttLink({ settings: config.mqtt, topicPrefix: config.topicPrefix, deviceId: config.deviceId }, log.child({ module: 'mqtt' }));
        mqttPredictor = new MqttPredictor(link, { deviceId: config.deviceId, encoding: config.encoding, maxInFlight: config.maxInFlight, timeoutMs: config.requestTimeoutMs }, log.child({ module: 'requests' }));
        primary = mqttPredictor;
        link.start();
      }
      router = new PredictionRouter(primary, local, { after: config.fallback.after, probeMs: config.fallback.probeMs }, log.child({ module: 'router' }));
      router.onChange(() => display());
      if (link) {
        const l = link;
        l.serving.on({
          workers: ({ online }) => {
            if (online === 0) router?.primaryDown('no inference worker online');
            else if (l.connected) router?.primaryUp(`${online} worker(s) online`);
            display();
          },
        });
        l.connection.onConnection((up) => {
          if (stopping) return;
          if (!up) {
            mqttPredictor?.cancelAll({ kind: 'unavailable', reason: 'lost the MQTT broker' });
            router?.primaryDown('lost the MQTT broker');
          }
          display();
        });
      }

      model = await loadModelInfo();
      await checkLocalAgainst(model);
      if (!local && router.fallbackActive) throw new Error('no model metadata from the cloud and no usable local model');
      if (config.sinks.gestureUrl && !(ui && pointsAtSelf(config.sinks.gestureUrl, ui))) {
        sinks.push(new HttpGestureSink({ url: config.sinks.gestureUrl, timeoutMs: config.sinks.gestureTimeoutMs, queueSize: config.sinks.gestureQueue }, log.child({ module: 'gesture-post' })));
      }
      if (link) sinks.push(new MqttGestureSink(link, config.deviceId));
      if (ui) {
        const u = ui;
        sinks.push({ name: 'ui', send: (e) => u.broadcast(e) });
      }
      homeAssistant = startHomeAssistant(model);
      if (homeAssistant) sinks.push(homeAssistant);
      pipeline = new EdgePipeline({
        model, decision: config.decision, stride: config.stride, deviceId: config.deviceId, sessionId: config.sessionId,
        predictor: router, sinks, log: log.child({ module: 'pipeline' }),
      });
      if (sensitivity) setDecision(pipeline, sensitivity);
      pipeline.onPrediction(() => display());
      prometheus.knowGestures(model.labels);
      pipeline.timings.onSample((hop, ms) => prometheus.observeHop(hop, ms));
      pipeline.onEvent((e) => {
        prometheus.gestureFired(e.gesture);
        lastGesture = { label: e.gesture, score: e.score, at: e.timestamp };
        display();
      });
      if (config.statsIntervalMs > 0) {
        statsTimer = setInterval(() => {
          log.info({ counters: pipeline?.counters, hops: pipeline?.timings.summary(), path: router?.servedBy }, 'pipeline stats');
        }, config.statsIntervalMs);
        statsTimer.unref();
      }
      log.info({ mode, source: source.kind, model: model.modelId, seq_len: model.seqLen, stride: config.stride, sinks: sinks.map((s) => s.name), ui: ui?.url }, 'edge started');
      const p = pipeline;
      const d = displayApp;
      await source.start((frame) => {
        p.onFrame(frame);
        d?.onFrame(frame);
      });
      display();
    },
    async stop() {
      stopping = true;
      clearInterval(statsTimer);
      await source?.stop().catch((err: Error) => log.warn({ err: err.message }, 'source stop failed'));
      pipeline?.stop();
      mqttPredictor?.cancelAll({ kind: 'unavailable', reason: 'stopping' });
      await httpPredictor?.stop();
      await Promise.all(sinks.map((s) => s.stop?.() ?? Promise.resolve()));
      sinks.length = 0;
      await link?.stop();
      await local?.stop();
      await ui?.stop();
    },
  };
}
