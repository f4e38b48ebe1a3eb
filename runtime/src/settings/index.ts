export { setting, readableFile, SettingValueError, type Setting } from './setting';
export {
  defineSettings, formatSettingsHelp, ConfigError,
  type SettingsTable, type SettingsShape, type ConfigOf, type DeepPartial, type Rule, type EnvSource,
} from './table';
export {
  LOG_LEVELS, parseLogLevel, logLevelSetting, topicPrefixSetting, mqttClientSettings, MQTT_URL_SCHEMES,
  type LogLevel, type MqttClientSettings,
} from './common';
export {
  RUN_MODES, runModeSetting, allowSettings, productionSettings, productionRules, refusal, isLoopbackHost, safeOrigin,
  plainUrlFinding, plainMqttClientCheck, PLAIN_MQTT_SCHEMES,
  type RunMode, type AllowKind, type ProductionConfig, type InsecureCheck,
} from './production';
