export {
  createBroker,
  type BrokerConfig, type BrokerHooks, type BrokerAddress, type HelenBroker, type TlsListenerConfig,
} from './broker';
export { SharedSubscriptions, parseSharedTopic, SHARE_PREFIX, type SharedTopic } from './shared-subscriptions';
export { ConnectionLimits, DEFAULT_LIMITS, type BrokerLimits, type LimitReason } from './limits';
export { TlsListeners, type TlsAddress } from './tls';
export { brokerSettings, loadBrokerConfig, type BrokerSettings } from './config';
export { createPersistence, redactUrl, DEFAULT_REDIS_URL, type PersistenceConfig, type BrokerPersistence } from './persistence';
export { BrokerMetrics, serveMetrics, normalizeReason, type MetricsSnapshot } from './metrics';
export { startSysTopics, sysValues, brokerVersion, SYS_PREFIX } from './sys-topics';
export { installConformanceChecks, checkPacket, ProtocolViolation, type Violation } from './protocol/conformance';
export {
  loadBrokerAuth, createAuthHooks, parseAcl, Acl, DENIED_TOPIC, ROLES, hashPassword, verifyPassword, readUsersFile, writeUsersFile,
  type AuthHooks, type AuthOptions, type AuthSettings, type Identity, type Role, type UserEntry,
} from './auth/index';
