export { createApi, type Api, type ApiDeps } from './app';
export { ApiMetrics } from './metrics';
export { apiSettings, apiConfig, apiConfigFromEnv, retryAfterMs, DEFAULT_BODY_LIMIT, type ApiConfig } from './config';
export { ApiError, type ApiErrorKind } from './errors';
export type { MqttLink, LinkState, LinkStats } from './mqtt/link';
