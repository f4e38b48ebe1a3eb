export {
  createBroker,
  type BrokerConfig, type BrokerHooks, type BrokerAddress, type HelenBroker, type TlsListenerConfig,
} from './broker';
export { SharedSubscriptions, parseSharedTopic, SHARE_PREFIX, type SharedTopic } from './shared-subscriptions';
export { brokerSettings, loadBrokerConfig, type BrokerSettings } from './config';
