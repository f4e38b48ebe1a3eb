// Public face of @helen/edge-publisher (the camera's exports are added by its own lines).
export { createEdge, type Edge, type EdgeDeps, type EdgeStatus } from './app';
export {
  edgeSettings, edgeConfigFromEnv, defaultEdgeConfig, defaultDeviceId, parseScript, DEFAULT_STRIDE, DEFAULT_GESTURE_URL,
  type EdgeConfig, type EdgeEnvSource, type ScriptStep, type SourceKind,
} from './config';
export { DecisionEngine, entropy, type GestureDecision, type DecisionOutcome } from './decision/engine';
export { DEFAULT_DECISION_SETTINGS, decisionSettings, type DecisionSettings } from './decision/settings';
export { frameMotion, meanFeatureStd, type WindowStats } from './decision/stats';
export { EdgeWindow } from './pipeline/window';
export { EdgePipeline, type PipelineCounters } from './pipeline/pipeline';
export { HopTimings, hopsOf, HOPS, type Hop, type HopSummary } from './pipeline/timings';
export { MqttLink, type MqttLinkOptions } from './mqtt/link';
export { MqttPredictor, type MqttPredictorStats, type PredictFailure } from './predict/mqtt-predictor';
export { HttpPredictor } from './predict/http-predictor';
export { LocalPredictor, loadLocalModel } from './predict/local-predictor';
export { PredictionRouter } from './predict/router';
export type { Predictor, PredictOutcome, PredictionResult, ServedBy } from './predict/types';
export { HttpGestureSink } from './sinks/http-sink';
export { MqttGestureSink } from './sinks/mqtt-sink';
export type { GestureSink } from './sinks/types';
export { HomeAssistantBridge, type HomeAssistantBridgeOptions, type HomeAssistantStats } from './home-assistant/bridge';
export { homeAssistantSettings, type HomeAssistantSettings } from './home-assistant/settings';
export { discoveryMessages, eventEntityConfig, deviceTriggerConfig, type DiscoveryInput, type DiscoveryMessage } from './home-assistant/discovery';
export { UiServer, type UiPlugin, type UiServerOptions } from './ui/server';
export { EdgeMetrics, type EdgeSnapshot } from './metrics';
export { record, checkRecordLabel, type RecordOptions, type RecordResult } from './record';
export type { ModelInfo } from './model-info';
export { displaysStatus, type LandmarkSource, type EdgeDisplayStatus, type DisplaysStatus } from './sources/source';
export { SyntheticSource, type SyntheticSourceOptions } from './sources/synthetic';
export { ReplaySource, type ReplaySourceOptions } from './sources/replay';
export { createSource } from './sources/index';
export {
  CameraSource, CaptureHub, capturePagePlugin, startCaptureServer, ChromiumRunner, ensureHandModel, HandModelError, mapHandedness,
  cameraSettings, cameraConfigFromEnv, defaultCameraConfig, HAND_MODEL, DEFAULT_NUM_HANDS, CAMERA_MODES, HANDEDNESS_MODES,
  type CameraConfig, type CameraMode, type HandednessMode, type NumHands, type CameraSourceOptions, type CapturePageOptions, type CaptureServer,
  type PageSettings, type PageStats, type HandModelOptions,
} from './camera/index';
