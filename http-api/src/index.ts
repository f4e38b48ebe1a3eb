export { createApi, type Api, type ApiDeps } from './app';
export { apiEnv, apiConfig, apiConfigFromEnv, DEFAULT_BODY_LIMIT, type ApiConfig, type ApiEnv } from './config';
export { ApiError, type ApiErrorKind } from './errors';
export type { MqttLink, LinkState, LinkStats } from './mqtt/link';
