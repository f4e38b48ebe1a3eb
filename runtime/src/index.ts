export {
  envVar, parseEnv, formatEnvHelp, ConfigError, commonEnv, mqttClientEnv, LOG_LEVELS,
  type EnvVar, type EnvSpec, type EnvConfig, type LogLevel,
} from './settings-legacy';
export { freePort, waitForTcp, waitForHealth } from './net';
