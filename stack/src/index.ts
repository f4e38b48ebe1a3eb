export { createStack, type Stack, type StackAddresses } from './supervisor';
export { stackSettings, stackConfigFromEnv, type StackConfig } from './config';
export { SupervisedChild, backoffDelay, HELEN_BIN, type ChildSpec, type BackoffPolicy } from './child';
