/** @helen/monitor: `helen monitor`, a decoding watcher of Helen's MQTT topics. */
export { monitorSettings, monitorConfig, parseMonitorArgs, checkTopicFilter, DEFAULT_INTERVAL_S, type MonitorConfig, type MonitorOptions, type MonitorSettings } from './config';
export {
  classifyTopic, decodeMessage,
  type TopicKind, type MonitorEvent, type RequestEvent, type ReplyEvent, type ErrorReplyEvent, type GestureEventSummary,
  type StatusEvent, type MetadataEvent, type ClearedEvent, type OtherEvent, type UndecodableEvent,
} from './decode';
export { formatEvent, formatRates, clean, clock, formatBytes } from './format';
export { RateCounter, InFlightRequests, rateOf, type RatesSnapshot, type DeviceRates, type RateKind } from './rates';
export { createMonitor, type Monitor, type MonitorDeps, type LineSink } from './monitor';
