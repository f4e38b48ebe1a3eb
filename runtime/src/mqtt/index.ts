export { MqttConnection, clientOptions, type MqttConnectionOptions, type RetainedStatus, type ServiceState, type QoS, type MessageHandler, type ConnectHook } from './connection';
export { PendingRequests, type Settled, type PendingOptions, type PendingCounters } from './pending';
export { ServingView, type ServingListener, type WorkerChange } from './serving-view';
export { redactUrl } from './redact';
export { disableMqttNumberCache, mqttNumberCacheEnabled } from './number-cache';
export { coalesceWrites } from './coalesce-writes';
export { ReleasingStore } from './releasing-store';
