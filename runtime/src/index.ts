/**
 * @helen/runtime: what every service runs on. Settings tables (settings/), the MQTT client
 * layer (mqtt/), the process lifecycle, and small network probes. Depends only on
 * @helen/schemas; never on a service.
 */
export * from './settings/index';
export * from './mqtt/index';
export { runService, stopSignal, DEFAULT_STOP_TIMEOUT_MS, type RunnableService, type RunOptions } from './lifecycle';
export { freePort, waitForTcp, waitForHealth } from './net';
export { createLogger } from './logger';
export { serveMetricsHttp, type Exposition, type HealthProbe, type MetricsListener } from './metrics-http';
export { nodeFlagsFor } from './node-flags';
